"""Background work, on Django's tasks framework (the django-tasks-db backend in production,
run by `manage.py db_worker`)."""

from django.tasks import task

from .services import webhook_delivery_attempt

# Work scheduled for later (a webhook retry, a token's refresh) runs behind work due now. The
# database worker takes the first ready task in (priority, run_after) order: at the default
# priority, every scheduled refresh (one per connection) sorted before a new event's delivery,
# so each pick walked past all of them (BENCHMARKS.md, "How the cost grows").
DEFERRED_PRIORITY = -1


@task()
def webhook_deliver(delivery_id: int) -> None:
    webhook_delivery_attempt(delivery_id)
