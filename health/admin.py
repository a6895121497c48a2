"""The console's data freshness: per connection and resource, the last pull and how it went,
what the store holds, the backfill's progress and when the next pull is due. Read only: pulls
write it."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from teams.admin import time_column
from teams.admin_mixins import ReadOnly

from .models import PullState


@admin.register(PullState)
class PullStateAdmin(ReadOnly, admin.ModelAdmin):
    list_display = (
        "connection_link",
        "resource",
        time_column("last_attempt_at", "last pull"),
        "outcome",
        "created_count",
        "updated_count",
        time_column("newest_data", "newest data"),
        "backfill",
        time_column("next_pull_at", "next pull"),
    )
    list_display_links = ("resource",)  # the first column links to the connection
    list_filter = ("connection__provider", "resource", "last_status", "historical_status")
    list_select_related = ("connection__user",)
    search_fields = ("=connection__user__user_id", "connection__user__client_user_id")
    ordering = ("connection", "resource")
    readonly_fields = [f.name for f in PullState._meta.fields if f.name not in ("id", "cursor")]
    fields = readonly_fields

    @admin.display(description="connection", ordering="connection__user__client_user_id")
    def connection_link(self, state):
        connection = state.connection
        url = reverse("admin:connections_connection_change", args=[connection.pk])
        return format_html(
            '<a href="{}">{} · {}</a>', url, connection.user.client_user_id, connection.provider
        )

    @admin.display(description="outcome", ordering="last_status")
    def outcome(self, state):
        if state.last_status == PullState.Status.FAILURE:
            return f"failed: {state.last_error}" if state.last_error else "failed"
        return state.get_last_status_display() or "-"

    @admin.display(description="backfill", ordering="historical_status")
    def backfill(self, state):
        if not state.historical_status:
            return "-"
        status = state.get_historical_status_display()
        if state.historical_days_with_data is not None:
            return f"{status}, {state.historical_days_with_data} days with data"
        return f"{status}: {state.historical_error}" if state.historical_error else status
