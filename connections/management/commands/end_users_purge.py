from django.core.management.base import BaseCommand

from connections.services import end_users_purge


class Command(BaseCommand):
    help = (
        "Erase the users deleted more than seven days ago (until then `POST /v2/user/undo_delete` "
        "restores them). Run it from cron, e.g. daily."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{end_users_purge()} deleted users erased")
