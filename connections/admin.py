from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from .lifecycle import connection_refresh
from .models import Connection, CredentialRead, WebhookAttempt, WebhookDelivery
from .services import connection_deregister
from .webhooks import webhook_delivery_replay


def time_shown(value):
    """A moment as 2026-05-03 14:07 in a list, where the admin's "May 3, 2026, 2:07 p.m."
    would widen every column; the full form on hover."""
    if value is None:
        return None
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        formats.date_format(local, "DATETIME_FORMAT"),
        local.strftime("%Y-%m-%d %H:%M"),
    )


class BlankNamedFilter(admin.AllValuesFieldListFilter):
    """A field's values to filter by, the blank one named: the admin would show it as a link
    with no text."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": choice["display"] or "(none)"}


def time_column(field: str, description: str):
    """A list column showing the moment in `field` (see time_shown)."""

    @admin.display(description=description, ordering=field)
    def column(obj):
        return time_shown(getattr(obj, field))

    column.__name__ = field
    return column


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    """Connections, read only apart from the actions. Credentials are never shown."""

    list_display = (
        "provider",
        "client_user_id",
        "state",
        "team",
        "external_user_id",
        time_column("last_refreshed_at", "refreshed"),
        time_column("created_on", "created"),
    )
    list_filter = (
        "status",
        "provider",
        ("error_type", BlankNamedFilter),
        "user__team__environment",
        "user__team",
    )
    list_select_related = ("user__team",)
    search_fields = ("external_user_id", "user__client_user_id", "=user__user_id")
    fields = (
        "user",
        "provider",
        "status",
        "external_user_id",
        "scopes",
        "expires_at",
        "last_refreshed_at",
        "error_type",
        "error_message",
        "errored_at",
        "created_on",
        "updated_at",
        "credential_reads",
    )
    readonly_fields = fields
    actions = ("refresh_now", "deregister")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # deregister instead: it forgets the credentials and tells the customer

    @admin.display(description="user", ordering="user__client_user_id")
    def client_user_id(self, connection):
        return connection.user.client_user_id

    @admin.display(description="status", ordering="status")
    def state(self, connection):
        status = connection.get_status_display()
        return f"{status}: {connection.error_type}" if connection.error_type else status

    @admin.display(ordering="user__team__name")
    def team(self, connection):
        return connection.user.team

    @admin.display(description="credentials read")
    def credential_reads(self, connection):
        reads = connection.credential_reads.all()
        last = reads.select_related("api_key").first()
        if last is None:
            return "Never read through the API."
        url = reverse("admin:connections_credentialread_changelist")
        return format_html(
            '<a href="{}?connection__id__exact={}">{} read(s)</a>, the last {} with {}',
            url,
            connection.pk,
            reads.count(),
            time_shown(last.read_at),
            last.api_key or "a deleted key",
        )

    @admin.action(description="Refresh now", permissions=["change"])
    def refresh_now(self, request, queryset):
        outcomes: dict[str, int] = {}
        for connection in queryset.exclude(status=Connection.Status.DEREGISTERED):
            outcome = connection_refresh(connection_id=connection.pk)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            self.log_change(request, connection, f"Refresh requested: {outcome}.")
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        messages.info(request, f"Refresh: {summary or 'nothing to refresh'}.")

    @admin.action(description="Deregister", permissions=["change"])
    def deregister(self, request, queryset):
        live = queryset.exclude(status=Connection.Status.DEREGISTERED)
        for connection in live:
            connection_deregister(connection=connection)
            self.log_change(request, connection, "Deregistered.")
        messages.success(request, f"Deregistered {len(live)} connection(s).")


@admin.register(CredentialRead)
class CredentialReadAdmin(admin.ModelAdmin):
    """Who was handed which connection's vendor credentials, and when (`GET …/credentials`).
    Read only: the log is the record."""

    list_display = (
        time_column("read_at", "read"),
        "api_key",
        "team",
        "provider",
        "client_user_id",
        "refreshed",
    )
    list_filter = ("refreshed", "connection__provider", "connection__user__team", "api_key")
    list_select_related = ("connection__user__team", "api_key")
    search_fields = ("=connection__user__user_id", "connection__user__client_user_id")
    date_hierarchy = "read_at"
    fields = ("read_at", "api_key", "connection", "refreshed")
    readonly_fields = fields

    def lookup_allowed(self, lookup, value, request):
        return lookup == "connection__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(ordering="connection__user__team__name")
    def team(self, read):
        return read.connection.user.team

    @admin.display(ordering="connection__provider")
    def provider(self, read):
        return read.connection.provider

    @admin.display(description="user", ordering="connection__user__client_user_id")
    def client_user_id(self, read):
        return read.connection.user.client_user_id


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("attempted_at", "status_code", "latency_ms", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "message_id",
        "event_type",
        "status",
        "endpoint",
        "attempts",
        "last_answer",
        time_column("next_attempt_at", "next attempt"),
        time_column("created_at", "created"),
    )
    list_filter = ("status", "message__event_type", "message__team")
    list_select_related = ("message__team", "endpoint")
    search_fields = ("=message__id", "endpoint__url")
    date_hierarchy = "created_at"
    fields = (
        "message",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "updated_at",
        "payload",
    )
    readonly_fields = fields
    inlines = (WebhookAttemptInline,)
    actions = ("replay",)

    def get_queryset(self, request):
        last = WebhookAttempt.objects.filter(delivery=OuterRef("pk")).order_by(
            "-attempted_at", "-id"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(last_latency=Subquery(last.values("latency_ms")[:1]))
        )

    def has_add_permission(self, request):
        return False

    @admin.display(ordering="message__event_type")
    def event_type(self, delivery):
        return delivery.message.event_type

    @admin.display(description="last answer", ordering="last_latency")
    def last_answer(self, delivery):
        if delivery.last_latency is None:
            return "—"
        return f"{delivery.last_status_code or 'no answer'} in {delivery.last_latency} ms"

    @admin.display
    def payload(self, delivery):
        return delivery.message.payload

    @admin.action(description="Replay", permissions=["change"])
    def replay(self, request, queryset):
        for delivery in queryset:
            webhook_delivery_replay(delivery=delivery)
            self.log_change(request, delivery, "Replayed.")
        messages.success(request, f"Queued {len(queryset)} delivery(ies) for replay.")
