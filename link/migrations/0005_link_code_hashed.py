from django.db import migrations, models


def drop_plain_codes(apps, schema_editor):
    # Codes were stored in plain text with no bound on their life; they are short-lived
    # invitations, so they are dropped rather than carried over.
    apps.get_model("link", "LinkCode").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("link", "0004_verbose_names"),
    ]

    operations = [
        migrations.RunPython(drop_plain_codes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="linkcode", name="code"),
        migrations.AddField(
            model_name="linkcode",
            name="code_hash",
            field=models.CharField(default="", max_length=64, unique=True),
            preserve_default=False,
        ),
    ]
