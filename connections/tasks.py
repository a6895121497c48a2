"""Background work, on Django's tasks framework (the django-tasks-db backend in production,
run by `manage.py db_worker`)."""

from django.tasks import task

from .bulk import bulk_operation_run
from .lifecycle import connection_due, connection_refresh


@task()
def connection_refresh_task(connection_id: int) -> str:
    return connection_refresh(connection_id=connection_id)


@task()
def connection_due_task(connection_id: int) -> str:
    return connection_due(connection_id=connection_id)


@task()
def bulk_operation_task(operation_id: int) -> str:
    return bulk_operation_run(operation_id=operation_id)
