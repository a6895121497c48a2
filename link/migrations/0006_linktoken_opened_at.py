from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def carry_over_opens(apps, schema_editor):
    """Sessions whose agreement already showed keep the moment of their first OPENED event, so
    they record no second one."""
    LinkToken = apps.get_model("link", "LinkToken")
    LinkEvent = apps.get_model("link", "LinkEvent")
    first_open = (
        LinkEvent.objects.filter(link_token=OuterRef("pk"), kind="opened")
        .values("link_token")
        .annotate(at=Min("created_at"))
        .values("at")
    )
    LinkToken.objects.filter(events__kind="opened").update(opened_at=Subquery(first_open))


class Migration(migrations.Migration):

    dependencies = [
        ("link", "0005_link_code_hashed"),
    ]

    operations = [
        migrations.AddField(
            model_name="linktoken",
            name="opened_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(carry_over_opens, migrations.RunPython.noop),
    ]
