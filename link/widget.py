"""What the hosted widget needs besides the link services: where it may be embedded, how the
team's accent colour is drawn, and what an outcome means to the person in front of it."""

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.utils.translation import gettext_lazy as _

from teams.models import Team

from .models import LinkToken

EMBED_MODES = ("popup", "iframe")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#2563eb"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def embed_origin_allowed(*, team: Team, origin: str) -> bool:
    """Whether the widget may post its results to `origin`: an origin of one of the team's
    allowed redirect URLs, or any origin for a sandbox team without a list (as for redirects)."""
    if not _ORIGIN.match(origin or ""):
        return False
    allowed = team.allowed_redirect_urls or []
    if not allowed:
        return team.is_sandbox
    return origin.lower() in {_origin_of(url) for url in allowed}


def frame_ancestors(*, team: Team) -> str:
    """The CSP `frame-ancestors` source list for the team's widget pages."""
    allowed = team.allowed_redirect_urls or []
    origins = sorted({_origin_of(u) for u in allowed if u.startswith(("http://", "https://"))})
    if not allowed and team.is_sandbox:
        return "*"
    return " ".join(["'self'", *origins])


def accent_colours(colour: str) -> tuple[str, str]:
    """The team's accent (or ours, if it is not #rrggbb) and the text colour that reads on it:
    black or white, whichever has the higher WCAG contrast."""
    colour = colour if _HEX.match(colour or "") else DEFAULT_ACCENT
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    on_accent = "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"
    return colour, on_accent


@dataclass(frozen=True)
class WidgetSession:
    """One request's view of the link session, plus what every URL of the flow carries along:
    the token (no cookie holds it), how the widget is embedded, and the chosen language."""

    token: str
    link_token: LinkToken
    embed: str = ""
    origin: str = ""
    lang: str = ""

    @property
    def team(self) -> Team:
        return self.link_token.team

    def params(self, **extra) -> dict:
        carried = {"token": self.token, "embed": self.embed, "origin": self.origin}
        return {k: v for k, v in {**carried, "lang": self.lang, **extra}.items() if v}

    def query(self, **extra) -> str:
        return urlencode(self.params(**extra))


def link_message(kind: str, *, state: str, provider: str = "", error_type=None, error=None):
    """What the widget posts to the embedding page (see static/link/initialize.js)."""
    metadata = {"state": state, "provider": provider or None}
    if error_type:
        metadata |= {"error_type": error_type, "error": str(error or "")}
    return {"type": kind, "metadata": metadata}


@dataclass(frozen=True)
class Outcome:
    title: str
    message: str
    retry: bool = False  # the same provider again
    choose_other: bool = True  # back to the provider list


_OUTCOMES = {
    "provider_credential_error": Outcome(
        _("That didn't work"),
        _("The username or password was not accepted. Check them and try again."),
        retry=True,
    ),
    "provider_password_expired": Outcome(
        _("Your password has expired"),
        _("Set a new password with the provider, then try again here."),
        retry=True,
    ),
    "incorrect_mfa_code": Outcome(
        _("Wrong code"),
        _("That verification code was not right. Sign in again to get a new one."),
        retry=True,
    ),
    "provider_api_error": Outcome(
        _("The provider is not answering"),
        _("We couldn't reach the provider just now. Wait a moment and try again."),
        retry=True,
    ),
    "user_cancelled": Outcome(
        _("Connection cancelled"),
        _("Access was not granted, so nothing was connected. You can try again."),
        retry=True,
    ),
    "required_scopes_not_granted": Outcome(
        _("Some permissions are missing"),
        _("Connect again and allow every kind of data the app asks for."),
        retry=True,
    ),
    "unsupported_region": Outcome(
        _("Region not supported"),
        _("This provider isn't available in the region you picked. Choose another region."),
        retry=True,
    ),
    "duplicate_connection": Outcome(
        _("Already connected elsewhere"),
        _("This account is already connected to another user. Use a different account."),
        retry=True,
    ),
    "invalid_provider": Outcome(
        _("This provider isn't available here"),
        _("This link can't connect that provider. Choose another one, or go back to the app."),
    ),
    "token_expired": Outcome(
        _("This link has expired"),
        _("For your security, links expire after a while. Go back to the app and start again."),
        choose_other=False,
    ),
    "token_consumed": Outcome(
        _("This link was already used"),
        _("A provider was already connected with this link. Go back to the app to add another."),
        choose_other=False,
    ),
    "invalid_token": Outcome(
        _("This link doesn't work"),
        _("The link is incomplete or not valid. Go back to the app and start again."),
        choose_other=False,
    ),
}
_UNKNOWN = Outcome(
    _("Something went wrong"),
    _("The connection could not be completed. Try again, or choose another provider."),
    retry=True,
)


def outcome_for(error_type: str | None) -> Outcome:
    return _OUTCOMES.get(error_type or "", _UNKNOWN)
