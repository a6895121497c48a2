from django.core.management.base import BaseCommand

from health.pulling import pull_run, pulls_due


class Command(BaseCommand):
    help = (
        "Run the health data pulls that are due: scheduled incremental pulls whose time has "
        "come, and backfills planned or cut short. The task worker schedules these itself; run "
        "this from cron as a safety net, or with a task backend that cannot defer tasks."
    )

    def handle(self, *args, **options):
        outcomes: dict[str, int] = {}
        for connection_id, resource, historical in pulls_due():
            outcome = pull_run(
                connection_id=connection_id, resource=resource, historical=historical
            )
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        self.stdout.write(summary or "nothing due")
