from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery

from teams.admin import SecretsNotFiltered

from .dashboard import link_session_timeline
from .models import LinkEvent, LinkToken


@admin.register(LinkToken)
class LinkSessionAdmin(SecretsNotFiltered, admin.ModelAdmin):
    """Link sessions, read only, each with its timeline of events. The token is never shown
    (only its hash is stored), nor the encrypted flow state."""

    change_form_template = "admin/link/linktoken/change_form.html"
    list_display = (
        "id",
        "team",
        "client_user_id",
        "provider",
        "state",
        "error_type",
        "steps",
        "last_step",
        "created_at",
    )
    list_filter = ("state", "error_type", "team")
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the sessions are support's record of what happened

    @admin.display(description="user", ordering="user__client_user_id")
    def client_user_id(self, link_token):
        return link_token.user.client_user_id

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
