"""The webhook models moved from `teams` and `connections` to the `webhooks` app on the tables
they had: a database with rows migrates across the move (and back) losing nothing, and what
named the models by their old apps (content types, queued delivery tasks) follows them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.module_loading import import_string

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("webhooks", None),
    ("teams", "0008_soft_delete_and_info"),
    ("connections", "0006_bulk_operations_and_pause"),
]
AFTER = [("webhooks", "0002_content_types_and_queued_tasks")]
OLD_APPS = {
    "webhookendpoint": "teams",
    "webhookmessage": "connections",
    "webhookdelivery": "connections",
    "webhookattempt": "connections",
}


def migrate(targets):
    """Migrate to `targets` (the other apps at their latest); the app registry of that state."""
    MigrationExecutor(connection).migrate(targets)
    graph = MigrationExecutor(connection).loader.graph
    apps = {app for app, _ in targets}
    others = [node for node in graph.leaf_nodes() if node[0] not in apps]
    return graph.make_state([*others, *(node for node in targets if node[1])]).apps


@pytest.fixture
def before_the_move():
    apps = migrate(BEFORE)
    yield apps
    migrate(AFTER)


def seed(apps):
    """Rows in every moved table, and a delivery queued under the old task path."""
    team = apps.get_model("teams", "Team").objects.create(name="Acme")
    endpoint = apps.get_model("teams", "WebhookEndpoint").objects.create(
        team=team, url="https://acme.example/hooks", secret={"key": "whsec_abc"}
    )
    message = apps.get_model("connections", "WebhookMessage").objects.create(
        id="msg_1", team=team, event_type="provider.connection.created", payload={"a": 1}
    )
    delivery = apps.get_model("connections", "WebhookDelivery").objects.create(
        message=message, endpoint=endpoint, attempts=1, last_status_code=500
    )
    apps.get_model("connections", "WebhookAttempt").objects.create(
        delivery=delivery, status_code=500, latency_ms=12
    )
    apps.get_model("django_tasks_database", "DBTaskResult").objects.create(
        args_kwargs={"args": [delivery.id], "kwargs": {}},
        task_path="connections.tasks.webhook_deliver",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    return team, delivery


def assert_moved(apps, app_of, team, delivery, task_path):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Endpoint = apps.get_model(app_of["webhookendpoint"], "WebhookEndpoint")
    Delivery = apps.get_model(app_of["webhookdelivery"], "WebhookDelivery")
    Attempt = apps.get_model(app_of["webhookattempt"], "WebhookAttempt")
    endpoint = Endpoint.objects.get(team_id=team.pk)
    assert endpoint.url == "https://acme.example/hooks"
    assert endpoint.secret == {"key": "whsec_abc"}
    kept = Delivery.objects.select_related("message").get(pk=delivery.pk)
    assert (kept.endpoint_id, kept.message.event_type) == (
        endpoint.pk,
        "provider.connection.created",
    )
    assert Attempt.objects.get(delivery_id=delivery.pk).latency_ms == 12
    for model, app in app_of.items():
        assert (
            ContentType.objects.filter(model=model).values_list("app_label", flat=True).get() == app
        )
    permission = apps.get_model("auth", "Permission").objects.get(codename="view_webhookendpoint")
    assert permission.content_type.app_label == app_of["webhookendpoint"]
    task = apps.get_model("django_tasks_database", "DBTaskResult").objects.get()
    assert task.task_path == task_path


def test_a_database_with_webhook_rows_migrates_across_the_move_and_back(before_the_move):
    team, delivery = seed(before_the_move)
    moved = {model: "webhooks" for model in OLD_APPS}
    import_string("webhooks.tasks.webhook_deliver")  # the path the queued tasks now name
    assert_moved(migrate(AFTER), moved, team, delivery, "webhooks.tasks.webhook_deliver")
    assert_moved(migrate(BEFORE), OLD_APPS, team, delivery, "connections.tasks.webhook_deliver")
