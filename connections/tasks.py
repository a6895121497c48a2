"""Background work, on Django's tasks framework (the django-tasks-db backend in production,
run by `manage.py db_worker`)."""

from django.tasks import task

from .bulk import bulk_operation_run
from .lifecycle import connection_due, connection_refresh
from .webhooks import webhook_delivery_attempt

# Work scheduled for later (a token's refresh, a webhook retry) runs behind work due now. The
# database worker takes the first ready task in (priority, run_after) order: at the default
# priority, every scheduled refresh (one per connection) sorted before a new event's delivery,
# so each pick walked past all of them (BENCHMARKS.md, "How the cost grows").
DEFERRED_PRIORITY = -1


@task()
def webhook_deliver(delivery_id: int) -> None:
    webhook_delivery_attempt(delivery_id)


@task()
def connection_refresh_task(connection_id: int) -> str:
    return connection_refresh(connection_id=connection_id)


@task()
def connection_due_task(connection_id: int) -> str:
    return connection_due(connection_id=connection_id)


@task()
def bulk_operation_task(operation_id: int) -> str:
    return bulk_operation_run(operation_id=operation_id)
