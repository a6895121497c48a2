"""The widget's credential forms, which the API also describes (`form_components`) for a custom
UI. Labels and autocomplete hints matter here: password managers and screen readers both read
them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from providers.registry import adapter_class

_REGION_NAMES = {
    "us": _("United States"),
    "eu": _("Europe"),
    "jp": _("Japan"),
    "gb": _("United Kingdom"),
    "de": _("Germany"),
    "fr": _("France"),
    "es": _("Spain"),
    "it": _("Italy"),
    "ca": _("Canada"),
    "au": _("Australia"),
}


def region_choices(provider: str) -> list[tuple[str, str]]:
    """The regions a vendor keeps accounts in (from its adapter), default first; empty when it
    has one set of servers for everyone."""
    cls = adapter_class(provider)
    if cls is None or not cls.regions:
        return []

    def order(code):
        return code != cls.default_region, str(_REGION_NAMES.get(code, code))

    codes = sorted(cls.regions, key=order)
    return [(c, _REGION_NAMES.get(c, c.upper())) for c in codes]


class _RegionForm(forms.Form):
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        help_text=_("Where your account was created."),
    )

    def __init__(self, *args, provider: str, **kwargs):
        super().__init__(*args, **kwargs)
        choices = region_choices(provider)
        if choices:
            self.fields["region"].choices = choices
            self.fields["region"].required = True
        else:
            del self.fields["region"]


class PasswordForm(_RegionForm):
    username = forms.CharField(
        label=_("Username or email"),
        max_length=255,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=255,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["username", "password", "region"]


class EmailForm(_RegionForm):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    # The vendor lists linked users by name, not email (FreeStyle Libre): a name tells apart
    # users who link at the same time.
    name = forms.CharField(
        label=_("Your name as in your LibreView account (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["email", "name", "region"]


class MfaForm(forms.Form):
    mfa_code = forms.CharField(
        label=_("Verification code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


CREDENTIAL_FORMS = {"password": PasswordForm, "email": EmailForm}


def form_components(provider: str) -> dict:
    """The provider's credential form, field by field, as `GET /v2/link/providers` describes
    it: type, label, whether required, and a select's options (a vendor's regions). Empty for a
    provider with no form (OAuth)."""
    cls = adapter_class(provider)
    form_class = CREDENTIAL_FORMS.get(cls.auth_type) if cls else None
    if form_class is None:
        return {}
    components = {}
    for name, field in form_class(provider=provider).fields.items():
        component = {
            "type": getattr(field.widget, "input_type", "select"),
            "label": str(field.label),
            "required": field.required,
        }
        if getattr(field, "choices", None):
            component["options"] = [{"value": v, "label": str(label)} for v, label in field.choices]
        components[name] = component
    return components
