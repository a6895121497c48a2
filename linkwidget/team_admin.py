"""The console's page of a team. It shows what every layer says about the team (its API keys,
the providers it is offered and the apps it brings, its webhook endpoints), so it is composed
here, above them all, rather than in teams/admin.py."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse

from providers.availability import OPT_IN, provider_availability
from providers.catalogue import CATALOGUE
from teams.admin import ApiKeyInline, LinesField, SecretsNotFiltered, secrets_shown_once
from teams.models import ProviderApp, Team
from webhooks.admin import WebhookEndpointInline, signing_secret
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_upsert


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
                form.instance.new_secrets.append(signing_secret(endpoint, endpoint.secret))
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


@admin.register(ProviderApp)
class ProviderAppAdmin(SecretsNotFiltered, admin.ModelAdmin):
    form = ProviderAppForm
    list_display = ("provider", "team", "client_id", "enabled", "created_at")
    list_filter = ("provider", "enabled")
    list_select_related = ("team",)
    search_fields = ("client_id", "team__name")
    fields = ("team", "provider", "client_id", "client_secret", "enabled")
