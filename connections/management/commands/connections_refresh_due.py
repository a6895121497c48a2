from django.core.management.base import BaseCommand

from connections.lifecycle import connection_refresh, connections_refresh_due


class Command(BaseCommand):
    help = (
        "Refresh every connection whose access token expires within ten minutes. The task "
        "worker schedules refreshes itself; run this from cron as a safety net, or with a task "
        "backend that cannot defer tasks."
    )

    def handle(self, *args, **options):
        outcomes: dict[str, int] = {}
        for connection_id in connections_refresh_due():
            outcome = connection_refresh(connection_id=connection_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        self.stdout.write(summary or "nothing due")
