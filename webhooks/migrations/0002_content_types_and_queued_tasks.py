"""What else named the moved models by their old apps: their content types (which the
console's permissions, roles and change log point at) and the deliveries already queued as
tasks under connections' task path. Both follow the models, so nothing is lost."""

from django.db import migrations

MOVED = {
    "webhookendpoint": "teams",
    "webhookmessage": "connections",
    "webhookdelivery": "connections",
    "webhookattempt": "connections",
}
TASK_PATHS = ("connections.tasks.webhook_deliver", "webhooks.tasks.webhook_deliver")


def _move(apps, schema_editor, *, forward: bool):
    ContentType = apps.get_model("contenttypes", "ContentType")
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for model, old_app in MOVED.items():
        source, target = (old_app, "webhooks") if forward else ("webhooks", old_app)
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)
    old_path, new_path = TASK_PATHS if forward else TASK_PATHS[::-1]
    DBTaskResult.objects.filter(task_path=old_path).update(task_path=new_path)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, editor: _move(apps, editor, forward=True),
            lambda apps, editor: _move(apps, editor, forward=False),
        ),
    ]
