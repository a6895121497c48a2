from django.core.management.base import BaseCommand

from connections.lifecycle import connection_due, connections_due


class Command(BaseCommand):
    help = (
        "Work through connections with something due: access tokens expiring within ten "
        "minutes, and pending email connections to check. The task worker schedules these "
        "itself; run this from cron as a safety net, or with a backend that cannot defer tasks."
    )

    def handle(self, *args, **options):
        outcomes: dict[str, int] = {}
        for connection_id in connections_due():
            outcome = connection_due(connection_id=connection_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        self.stdout.write(summary or "nothing due")
