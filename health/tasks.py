"""The pulls as background work on Django's tasks framework (health.pulling does the work)."""

from django.tasks import task

from .pulling import backfill_start, pull_run


@task()
def backfill_task(connection_id: int) -> list[str]:
    return backfill_start(connection_id=connection_id)


@task()
def pull_task(connection_id: int, resource: str, historical: bool, scheduled: bool) -> str:
    return pull_run(
        connection_id=connection_id, resource=resource, historical=historical, scheduled=scheduled
    )
