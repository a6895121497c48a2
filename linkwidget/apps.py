from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class ConsoleAdminConfig(AdminConfig):
    """Django's admin as the operator console (see linkwidget/console.py)."""

    default_site = "linkwidget.console.ConsoleSite"

    def ready(self):
        super().ready()
        from . import (
            kinds,  # noqa: F401 (registers the middleware chains' system check)
            ratelimit,  # noqa: F401 (registers the shared-cache system check)
            team_admin,  # noqa: F401 (registers the team's console page)
        )
        from .console import console_roles_ensure

        # No sender: each app's permissions appear in its own post_migrate, so the roles are
        # brought up to date after every one.
        post_migrate.connect(console_roles_ensure, dispatch_uid="console_roles_ensure")
