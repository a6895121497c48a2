from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from teams.admin import BlankNamedFilter, time_column, time_shown
from teams.admin_mixins import ReadOnly
from teams.models import EndUser

from .lifecycle import connection_refresh
from .models import Connection, CredentialRead
from .services import connection_deregister


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
class CredentialReadAdmin(ReadOnly, admin.ModelAdmin):
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

    @admin.display(ordering="connection__user__team__name")
    def team(self, read):
        return read.connection.user.team

    @admin.display(ordering="connection__provider")
    def provider(self, read):
        return read.connection.provider

    @admin.display(description="user", ordering="connection__user__client_user_id")
    def client_user_id(self, read):
        return read.connection.user.client_user_id


class ConnectionInline(admin.TabularInline):
    model = Connection
    fields = ("provider", "status", "external_user_id", "last_refreshed_at", "error_type")
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EndUser)
class EndUserAdmin(ReadOnly, admin.ModelAdmin):
    """End users are created, changed and deleted by the team's backend through the API."""

    list_display = ("client_user_id", "user_id", "team", "connections", "created_on")
    list_filter = ("team",)
    list_select_related = ("team",)
    search_fields = ("client_user_id", "=user_id")
    fields = (
        "user_id",
        "team",
        "client_user_id",
        "created_on",
        "fallback_time_zone",
        "fallback_birth_date",
        "ingestion_start",
        "ingestion_end",
        "link_sessions",
    )
    readonly_fields = fields
    inlines = (ConnectionInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(connection_count=Count("connections"))

    @admin.display(ordering="connection_count")
    def connections(self, user):
        return user.connection_count

    @admin.display(description="link sessions")
    def link_sessions(self, user):
        url = reverse("admin:link_linktoken_changelist") + f"?user__user_id__exact={user.pk}"
        return format_html('<a href="{}">Link sessions of this user</a>', url)
