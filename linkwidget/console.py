"""The operator console: Django's admin with a dashboard for an index page, and two roles
(groups) kept in step with the models on every migrate."""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.html import format_html

from link.dashboard import (
    QUEUE_LATE,
    WINDOWS,
    funnel_total,
    link_errors,
    link_funnel,
    task_queue,
)
from teams.admin_mixins import ReadOnly
from teams.models import Team
from webhooks.selectors import webhook_health

VIEWERS = "Console viewers"
ADMINS = "Console admins"
CONSOLE_APPS = ("teams", "link", "connections", "webhooks", "health", "django_tasks_database")
DEFAULT_WINDOW = "7d"


class LogEntryAdmin(ReadOnly, admin.ModelAdmin):
    """Who changed what, and when: every admin save and console action, read only."""

    list_display = ("action_time", "user", "action_flag", "content_type", "object_link", "change")
    list_filter = ("action_flag", "content_type", "user")
    list_select_related = ("user", "content_type")
    search_fields = ("object_repr", "change_message", "user__username")
    date_hierarchy = "action_time"

    @admin.display(description="object", ordering="object_repr")
    def object_link(self, entry):
        url = None if entry.is_deletion() else entry.get_admin_url()
        if not url:
            return entry.object_repr
        return format_html('<a href="{}">{}</a>', url, entry.object_repr)

    @admin.display(description="change")
    def change(self, entry):
        return entry.get_change_message()


class ConsoleSite(admin.AdminSite):
    site_header = "Link console"
    site_title = "Link console"
    index_title = "Dashboard"
    index_template = "admin/console_index.html"
    # The lists need the width more than a second menu beside the breadcrumbs and the index.
    enable_nav_sidebar = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register(LogEntry, LogEntryAdmin)

    def index(self, request, extra_context=None):
        window = request.GET.get("window")
        window = window if window in WINDOWS else DEFAULT_WINDOW
        environment = request.GET.get("env")
        environment = environment if environment in Team.Environment.values else None
        since = timezone.now() - WINDOWS[window]
        scope = {"since": since, "environment": environment}
        funnel = link_funnel(**scope)
        context = {
            "windows": list(WINDOWS),
            "window": window,
            "environments": [
                (None, "All teams"),
                *((value, f"{label} only") for value, label in Team.Environment.choices),
            ],
            "environment": environment,
            "funnel": funnel,
            "funnel_total": funnel_total(funnel),
            "pending_days": settings.LINK_PENDING_DAYS,
            "errors": link_errors(**scope),
            "webhooks": webhook_health(**scope),
            "queue": task_queue(),
            "queue_late_minutes": int(QUEUE_LATE.total_seconds() // 60),
            **(extra_context or {}),
        }
        return super().index(request, context)


def console_roles_ensure(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Create or update the viewer (view only) and admin (everything) groups for the console's
    models and the action log. Idempotent: runs after every migrate."""
    # This handler may run before auth's for the same app, so make sure the permissions exist.
    for label in CONSOLE_APPS:
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    perms = list(Permission.objects.using(using).filter(content_type__app_label__in=CONSOLE_APPS))
    log_view = list(
        Permission.objects.using(using).filter(
            content_type__app_label="admin", codename="view_logentry"
        )
    )
    viewers, _ = Group.objects.using(using).get_or_create(name=VIEWERS)
    viewers.permissions.set([p for p in perms if p.codename.startswith("view_")] + log_view)
    admins, _ = Group.objects.using(using).get_or_create(name=ADMINS)
    admins.permissions.set(perms + log_view)
