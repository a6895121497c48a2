"""The console's pages of what `teams` holds alone (API keys), and what every app's console
pages share. The team's own page draws on the layers above and is composed in
linkwidget/team_admin.py; end users are shown with their connections (connections/admin.py)."""

from django import forms
from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from .crypto import EncryptedJSONField
from .models import ApiKey, api_key_default_scopes
from .services import api_key_create, api_key_revoke, api_key_scopes_clean


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


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    fields = ("prefix", "name", "scopes", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False  # keys are created on their own page, which shows the key once


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
