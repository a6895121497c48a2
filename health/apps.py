from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = "health data"

    def ready(self):
        from connections.signals import connection_ready

        connection_ready.connect(_backfill, dispatch_uid="health.backfill")


def _backfill(sender, connection_id: int, **kwargs) -> None:
    """A connection became usable: pull its history (on the worker)."""
    from .tasks import backfill_task

    backfill_task.enqueue(connection_id)
