from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.db.models.constants import LOOKUP_SEP
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from connections.crypto import EncryptedJSONField
from connections.models import Connection
from connections.webhooks import WebhookUrlRejected, webhook_url_check
from providers.availability import OPT_IN, provider_availability
from providers.catalogue import CATALOGUE

from .models import ApiKey, EndUser, ProviderApp, Team, WebhookEndpoint, api_key_default_scopes
from .services import (
    api_key_create,
    api_key_revoke,
    api_key_scopes_clean,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_upsert,
)


class SecretsNotFiltered:
    """Refuses changelist filters on hashes and sealed values (`?key_hash__startswith=ab`):
    they are never shown, and such a filter would let a viewer read them a character at a
    time. Django answers a refused lookup with a 400."""

    def lookup_allowed(self, lookup, value, request):
        name = lookup.split(LOOKUP_SEP, 1)[0]
        field = next((f for f in self.model._meta.fields if f.name == name), None)
        if name.endswith("_hash") or isinstance(field, EncryptedJSONField):
            return False
        return super().lookup_allowed(lookup, value, request)


class LinesField(forms.CharField):
    """A list of URLs edited as a textarea, one per line."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        lines = [line.strip() for line in (value or "").splitlines()]
        return [line for line in lines if line]

    def validate(self, value):
        for line in value:
            if "://" not in line:
                raise forms.ValidationError(f"{line!r} is not an absolute URL (scheme://…).")


class TeamForm(forms.ModelForm):
    allowed_redirect_urls = LinesField(
        required=False, help_text=Team._meta.get_field("allowed_redirect_urls").help_text
    )
    disabled_providers = forms.MultipleChoiceField(
        required=False,
        choices=[(p.slug, p.name) for p in CATALOGUE.values()],
        widget=forms.CheckboxSelectMultiple,
        label="Providers not offered",
        help_text=Team._meta.get_field("disabled_providers").help_text,
    )
    enabled_providers = forms.MultipleChoiceField(
        required=False,
        choices=[
            (p.slug, f"{p.name} ({p.status})") for p in CATALOGUE.values() if p.status in OPT_IN
        ],
        widget=forms.CheckboxSelectMultiple,
        label="Beta and legacy providers offered",
        help_text=Team._meta.get_field("enabled_providers").help_text,
    )

    class Meta:
        model = Team
        fields = (
            "name",
            "environment",
            "region",
            "logo_url",
            "accent_color",
            "terms_url",
            "privacy_url",
            "allowed_redirect_urls",
            "disabled_providers",
            "enabled_providers",
            "reject_duplicate_connection",
        )
        widgets = {"accent_color": forms.TextInput(attrs={"type": "color"})}


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


def secrets_shown_once(request, admin_site, *, title: str, secrets: list, next_url: str):
    """A page that shows new secrets (label, secret) once. Never Django's `messages`: they
    travel in a cookie that anyone holding it, or a proxy's log, can read. The console's views
    are never cached."""
    context = {
        **admin_site.each_context(request),
        "title": title,
        "secrets": secrets,
        "next_url": next_url,
    }
    return TemplateResponse(request, "admin/teams/secrets_shown_once.html", context)


def _signing_secret(endpoint: WebhookEndpoint, secret: str) -> tuple[str, str]:
    return f"Signing secret for {endpoint.url}", secret


class WebhookEndpointInline(admin.TabularInline):
    model = WebhookEndpoint
    form = WebhookEndpointForm
    formset = WebhookEndpointFormSet
    fields = ("url", "enabled", "consecutive_failures", "failing_since")
    readonly_fields = ("consecutive_failures", "failing_since")
    show_change_link = True
    extra = 0


def _providers_needing_an_app():
    return [(p.slug, p.name) for p in CATALOGUE.values() if p.requires_app]


class ProviderAppForm(forms.ModelForm):
    """The client secret is write-only: never put back into the page, kept when left blank."""

    provider = forms.ChoiceField(choices=_providers_needing_an_app)
    client_secret = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: never shown again after saving. Leave blank to keep it.",
    )

    class Meta:
        model = ProviderApp
        fields = ("team", "provider", "client_id", "enabled")

    def clean_client_secret(self):
        secret = self.cleaned_data["client_secret"]
        if not secret and self.instance.pk is None:
            raise forms.ValidationError("A new app needs its client secret.")
        return secret or self.instance.client_secret


class ProviderAppInline(admin.TabularInline):
    model = ProviderApp
    form = ProviderAppForm
    fields = ("provider", "client_id", "client_secret", "enabled")
    extra = 0


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    fields = ("prefix", "name", "scopes", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False  # keys are created on their own page, which shows the key once


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ("name", "environment", "region", "users", "live_keys", "created_at")
    list_filter = ("environment", "region")
    search_fields = ("name", "=id")
    readonly_fields = ("id", "widget_preview", "providers_offered", "created_at")
    fieldsets = (
        (None, {"fields": ("id", "name", "environment", "region", "created_at")}),
        (
            "Branding",
            {"fields": ("logo_url", "accent_color", "terms_url", "privacy_url", "widget_preview")},
        ),
        ("Link behaviour", {"fields": ("allowed_redirect_urls", "reject_duplicate_connection")}),
        (
            "Providers",
            {
                "fields": ("disabled_providers", "enabled_providers", "providers_offered"),
                # Rendered as HTML by the admin, so the placeholder's brackets are escaped.
                "description": "Production teams are offered live providers, and the beta and "
                "legacy ones enabled here; retired and blocked providers are offered to no one. "
                "Providers that need an app use the team's own below, else the operator's from the "
                "environment (<code>LINK_&lt;VENDOR&gt;_CLIENT_ID</code>/<code>_SECRET</code>).",
            },
        ),
    )
    inlines = (ProviderAppInline, WebhookEndpointInline, ApiKeyInline)

    class Media:
        js = ("console/preview.js",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                user_count=Count("users", distinct=True),
                live_key_count=Count(
                    "api_keys", filter=Q(api_keys__revoked_at__isnull=True), distinct=True
                ),
            )
        )

    @admin.display(description="end users", ordering="user_count")
    def users(self, team):
        return team.user_count

    @admin.display(description="live API keys", ordering="live_key_count")
    def live_keys(self, team):
        return team.live_key_count

    @admin.display(description="preview")
    def widget_preview(self, team):
        return render_to_string("admin/teams/team/widget_preview.html", {"team": team})

    @admin.display(description="offered now")
    def providers_offered(self, team):
        if team.pk is None or team._state.adding:
            return "—"
        availability = provider_availability(team=team)
        rows = [
            (p, availability[p.slug] and availability[p.slug].message(p))
            for p in CATALOGUE.values()
        ]
        return render_to_string("admin/teams/team/providers_offered.html", {"rows": rows})

    def save_formset(self, request, form, formset, change):
        if formset.model is not WebhookEndpoint:
            return super().save_formset(request, form, formset, change)
        form.instance.new_secrets = []
        for endpoint in formset.save(commit=False):
            if endpoint.pk is None:
                endpoint = webhook_endpoint_upsert(team=form.instance, url=endpoint.url)
                form.instance.new_secrets.append(_signing_secret(endpoint, endpoint.secret))
            else:
                endpoint.save()
        for endpoint in formset.deleted_objects:
            endpoint.delete()

    def _new_secrets_page(self, request, team, response):
        secrets = getattr(team, "new_secrets", None)
        if not secrets:
            return response
        return secrets_shown_once(
            request,
            self.admin_site,
            title="New webhook signing secrets",
            secrets=secrets,
            next_url=reverse("admin:teams_team_change", args=[team.pk]),
        )

    def response_add(self, request, obj, post_url_continue=None):
        return self._new_secrets_page(request, obj, super().response_add(request, obj))

    def response_change(self, request, obj):
        return self._new_secrets_page(request, obj, super().response_change(request, obj))


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
            secrets.append(_signing_secret(endpoint, secret))
            self.log_change(request, endpoint, "Rotated the signing secret.")
        return secrets_shown_once(
            request,
            self.admin_site,
            title="New webhook signing secrets",
            secrets=secrets,
            next_url=reverse("admin:teams_webhookendpoint_changelist"),
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


@admin.register(ProviderApp)
class ProviderAppAdmin(SecretsNotFiltered, admin.ModelAdmin):
    form = ProviderAppForm
    list_display = ("provider", "team", "client_id", "enabled", "created_at")
    list_filter = ("provider", "enabled")
    list_select_related = ("team",)
    search_fields = ("client_id", "team__name")
    fields = ("team", "provider", "client_id", "client_secret", "enabled")


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiKey.Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the key may do (none ticked: link). Grant credentials:read or proxy only "
        "to a key for a system you trust with your users' vendor accounts: one hands out their "
        "vendor tokens, the other calls their vendors with them.",
    )

    class Meta:
        model = ApiKey
        fields = ("team", "name", "scopes")

    def clean_scopes(self):
        return api_key_scopes_clean(self.cleaned_data["scopes"] or api_key_default_scopes())


@admin.register(ApiKey)
class ApiKeyAdmin(SecretsNotFiltered, admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("prefix", "name", "team", "scopes", "created_at", "last_used_at", "revoked_at")
    list_filter = ("team", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("team",)
    search_fields = ("prefix", "name", "team__name")
    actions = ("revoke",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("team", "name", "scopes")
        return ("team", "name", "scopes", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("team", "prefix", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key, created = api_key_create(team=obj.team, name=obj.name, scopes=obj.scopes)
        obj.pk, obj.prefix, obj.new_key = created.pk, created.prefix, key

    def response_add(self, request, obj, post_url_continue=None):
        return secrets_shown_once(
            request,
            self.admin_site,
            title="New API key",
            secrets=[(f"API key {obj.name} of {obj.team}", obj.new_key)],
            next_url=reverse("admin:teams_apikey_change", args=[obj.pk]),
        )

    @admin.action(description="Revoke", permissions=["change"])
    def revoke(self, request, queryset):
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(api_key=api_key)
            self.log_change(request, api_key, "Revoked.")


class ConnectionInline(admin.TabularInline):
    model = Connection
    fields = ("provider", "status", "external_user_id", "last_refreshed_at", "error_type")
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EndUser)
class EndUserAdmin(admin.ModelAdmin):
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

    # End users are created, changed and deleted by the team's backend through the API.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(connection_count=Count("connections"))

    @admin.display(ordering="connection_count")
    def connections(self, user):
        return user.connection_count

    @admin.display(description="link sessions")
    def link_sessions(self, user):
        url = reverse("admin:link_linktoken_changelist") + f"?user__user_id__exact={user.pk}"
        return format_html('<a href="{}">Link sessions of this user</a>', url)
