from django.core.management.base import BaseCommand

from webhooks.selectors import webhook_deliveries_due
from webhooks.services import webhook_delivery_attempt


class Command(BaseCommand):
    help = (
        "Attempt every webhook delivery whose retry is due. Only needed with a task backend "
        "that cannot defer tasks; the database backend schedules retries itself."
    )

    def handle(self, *args, **options):
        due = webhook_deliveries_due()
        for delivery_id in due:
            webhook_delivery_attempt(delivery_id)
        self.stdout.write(f"{len(due)} due deliveries attempted")
