from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from teams.admin import SecretsNotFiltered, secrets_shown_once, time_column
from teams.models import Team

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .services import (
    WebhookUrlRejected,
    webhook_delivery_replay,
    webhook_endpoint_rotate_secret,
    webhook_url_check,
)


class WebhookEndpointForm(forms.ModelForm):
    """The API's check, on the team's page and on the endpoint's own page alike: a production
    team's URL must be https on a public address."""

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "enabled")

    def __init__(self, *args, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # On the team's page, the team as this very submission changes it (its environment).
        self.team = team if team is not None else self.instance.team

    def clean(self):
        cleaned = super().clean()
        url = cleaned.get("url")
        if url and not cleaned.get("DELETE"):
            try:
                webhook_url_check(team=self.team, url=url)
            except WebhookUrlRejected as exc:
                self.add_error("url", str(exc))
        return cleaned


class WebhookEndpointFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "team": self.instance}


def signing_secret(endpoint: WebhookEndpoint, secret: str) -> tuple[str, str]:
    return f"Signing secret for {endpoint.url}", secret


class WebhookEndpointInline(admin.TabularInline):
    model = WebhookEndpoint
    form = WebhookEndpointForm
    formset = WebhookEndpointFormSet
    fields = ("url", "enabled", "consecutive_failures", "failing_since")
    readonly_fields = ("consecutive_failures", "failing_since")
    show_change_link = True
    extra = 0


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SecretsNotFiltered, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "team", "enabled", "consecutive_failures", "failing_since")
    list_filter = ("enabled", "team")
    list_select_related = ("team",)
    search_fields = ("url", "team__name")
    fields = ("team", "url", "enabled", "consecutive_failures", "failing_since", "created_at")
    readonly_fields = ("team", "consecutive_failures", "failing_since", "created_at")
    actions = ("rotate_secret", "disable", "enable")

    def has_add_permission(self, request):
        return False  # added on the team's page

    @admin.action(description="Rotate the signing secret (shown once)", permissions=["change"])
    def rotate_secret(self, request, queryset):
        secrets = []
        for endpoint in queryset:
            secret = webhook_endpoint_rotate_secret(endpoint=endpoint)
            secrets.append(signing_secret(endpoint, secret))
            self.log_change(request, endpoint, "Rotated the signing secret.")
        return secrets_shown_once(
            request,
            self.admin_site,
            title="New webhook signing secrets",
            secrets=secrets,
            next_url=reverse("admin:webhooks_webhookendpoint_changelist"),
        )

    def _set_enabled(self, request, queryset, enabled: bool) -> None:
        for endpoint in queryset.exclude(enabled=enabled):
            endpoint.enabled = enabled
            endpoint.save(update_fields=["enabled"])
            self.log_change(request, endpoint, [{"changed": {"fields": ["Enabled"]}}])

    @admin.action(description="Disable", permissions=["change"])
    def disable(self, request, queryset):
        self._set_enabled(request, queryset, False)

    @admin.action(description="Enable", permissions=["change"])
    def enable(self, request, queryset):
        self._set_enabled(request, queryset, True)


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
