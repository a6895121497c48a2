from django.contrib import admin
from django.db.models import Case, Count, OuterRef, Subquery, Value, When
from django.utils import timezone
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult, get_date_max

from teams.admin import BlankNamedFilter, SecretsNotFiltered, time_column, time_shown
from teams.admin_mixins import ReadOnly

from .dashboard import link_session_timeline, task_states
from .models import LinkEvent, LinkToken

_created = time_column("created_at", "created")


@admin.register(LinkToken)
class LinkSessionAdmin(ReadOnly, SecretsNotFiltered, admin.ModelAdmin):
    """Link sessions, read only, each with its timeline of events. The token is never shown
    (only its hash is stored), nor the encrypted flow state."""

    change_form_template = "admin/link/linktoken/change_form.html"
    list_display = (
        _created,
        "client_user_id",
        "outcome",
        "provider",
        "team",
        "last_step",
    )
    list_display_links = (_created,)
    list_filter = (
        "state",
        ("error_type", BlankNamedFilter),
        "team__environment",
        "team",
    )
    list_select_related = ("team", "user")
    search_fields = ("=id", "user__client_user_id", "=user__user_id")
    date_hierarchy = "created_at"
    fields = (
        ("id", "team", "user"),
        ("state", "error_type", "provider"),
        ("created_at", "expires_at", "consumed_at"),
        ("filter_on_providers", "redirect_url"),
    )
    readonly_fields = [name for line in fields for name in line]

    def get_queryset(self, request):
        last_kind = LinkEvent.objects.filter(link_token=OuterRef("pk")).order_by(
            "-created_at", "-id"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(event_count=Count("events"), last_kind=Subquery(last_kind.values("kind")[:1]))
        )

    @admin.display(description="user", ordering="user__client_user_id")
    def client_user_id(self, link_token):
        return link_token.user.client_user_id

    @admin.display(ordering="state")
    def outcome(self, link_token):
        if link_token.state == LinkToken.State.ERROR:
            return f"Error: {link_token.error_type}"
        if link_token.state == LinkToken.State.SUCCESS:
            return link_token.get_state_display()
        opened = link_token.last_kind not in (None, LinkEvent.Kind.CREATED)
        if link_token.is_expired:
            return "Expired" if opened else "Expired, never opened"
        return "In progress" if opened else "Not opened yet"

    @admin.display(ordering="event_count")
    def steps(self, link_token):
        return link_token.event_count

    @admin.display(description="last event", ordering="last_kind")
    def last_step(self, link_token):
        return link_token.last_kind or "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        link_token = self.get_object(request, object_id)
        timeline = link_session_timeline(link_token=link_token) if link_token else []
        return super().change_view(
            request, object_id, form_url, {"timeline": timeline, **(extra_context or {})}
        )


class TaskStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(name, label) for name, (label, _) in task_states(timezone.now()).items()]

    def queryset(self, request, queryset):
        state = task_states(timezone.now()).get(self.value())
        return queryset.filter(state[1]) if state else queryset


admin.site.unregister(DBTaskResult)  # registered by django-tasks-db, replaced here


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """django-tasks-db's task results, telling a task scheduled for later from one due now
    (its own admin calls both "Ready")."""

    list_display = (
        "task_name",
        "state",
        "run_after_shown",
        time_column("enqueued_at", "enqueued"),
        time_column("started_at", "started"),
        time_column("finished_at", "finished"),
        "queue_name",
    )
    list_filter = (TaskStateFilter, "queue_name")
    search_fields = ("task_path", "=id")

    def get_queryset(self, request):
        states = task_states(timezone.now())
        state = Case(*(When(q, then=Value(label)) for label, q in states.values()))
        return super().get_queryset(request).annotate(state_label=state)

    @admin.display(ordering="state_label")
    def state(self, result):
        return result.state_label

    @admin.display(description="run after", ordering="run_after")
    def run_after_shown(self, result):
        return time_shown(None if result.run_after == get_date_max() else result.run_after)
