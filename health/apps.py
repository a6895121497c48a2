from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = "health data"

    def ready(self):
        from connections.signals import history_wanted

        history_wanted.connect(_backfill, dispatch_uid="health.backfill")


def _backfill(sender, connection_id: int, provider: str, **kwargs) -> None:
    """Pull the connection's history, on the worker, if Link pulls its vendor's data."""
    from providers.registry import DATA_READERS

    from .tasks import backfill_task

    if provider in DATA_READERS:
        backfill_task.enqueue(connection_id)
