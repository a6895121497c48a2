from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class ConsoleAdminConfig(AdminConfig):
    """Django's admin as the operator console (see linkwidget/console.py)."""

    default_site = "linkwidget.console.ConsoleSite"

    def ready(self):
        super().ready()
        from . import kinds, ratelimit  # noqa: F401 (they register system checks)
        from .console import console_roles_ensure

        # No sender: each app's permissions appear in its own post_migrate, so the roles are
        # brought up to date after every one.
        post_migrate.connect(console_roles_ensure, dispatch_uid="console_roles_ensure")
