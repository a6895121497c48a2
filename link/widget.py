"""What the hosted widget needs besides the link services: where it may be embedded and which
headers its pages send, how the team's accent colour is drawn, and what it tells the embedding
page."""

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.utils.cache import add_never_cache_headers

from teams.models import Team

from .models import LinkToken
from .results import outcome_for

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


def frame_ancestors(*, team: Team | None) -> str:
    """The CSP `frame-ancestors` source list for the team's widget pages (none without a team:
    a token we cannot resolve names nobody who may frame it)."""
    if team is None:
        return "'none'"
    allowed = team.allowed_redirect_urls or []
    origins = sorted({_origin_of(u) for u in allowed if u.startswith(("http://", "https://"))})
    if not allowed and team.is_sandbox:
        return "*"
    return " ".join(["'self'", *origins])


# Scripts and styles only from here; images also from the team's logo host (https). No
# `form-action`: Chrome applies it to the redirect after a POST, and a full-page connect ends
# with one to the customer's redirect_url. Inline styles carry the team's accent colour.
_CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'"
)


def widget_headers(response, *, team: Team | None):
    """The headers of every page of the widget's own window (README, "Headers per page"):
    framed only by the team's origins; no COOP isolation, because a popup of the customer's
    page (and the vendor window the widget opens) must keep talking to its opener; never
    cached, never a referrer, as the URL carries the link token."""
    response["Content-Security-Policy"] = f"{_CSP}; frame-ancestors {frame_ancestors(team=team)}"
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    return response


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


def link_message(kind: str, link_token: LinkToken | None, *, name: str = "", **metadata) -> dict:
    """One message for the embedding page; static/link/widget.js posts it and the embed script
    (templates/link/initialize.js) turns it into a callback, as the README's callback table
    says. Every message names the link session and the provider (or null)."""
    metadata = {
        "link_session_id": str(link_token.pk) if link_token else None,
        **metadata,
        "provider": metadata.get("provider") or None,
    }
    return {"type": kind, "name": name, "metadata": metadata}


def outcome_message(link_token, *, state: str, provider: str, error_type=None, error=None):
    """The message for an outcome: `success` (connected, or pending at the vendor), `error`
    while the widget stays open for another try, or `exit` when the session itself is over."""
    if state != "error":
        return link_message("success", link_token, state=state, provider=provider)
    kind = "exit" if outcome_for(error_type).ends_session else "error"
    return link_message(
        kind,
        link_token,
        state="error",
        provider=provider,
        error_type=error_type,
        error=str(error or ""),
    )


# In-app browsers (embedded webviews), where vendors such as Google refuse to sign anyone in
# (403 disallowed_useragent). The generic rules are those of the is-ua-webview package
# (atomantic/is-ua-webview, data/rules.js); the apps' own markers are the tokens they add to
# the user agent.
_IN_APP_BROWSERS = [
    ("facebook", re.compile(r"FBAN|FBAV|FB_IAB")),
    ("instagram", re.compile(r"Instagram")),
    ("linkedin", re.compile(r"LinkedInApp")),
    ("line", re.compile(r"\bLine/")),
    ("snapchat", re.compile(r"Snapchat")),
    ("tiktok", re.compile(r"musical_ly|BytedanceWebview|TikTok")),
    ("wechat", re.compile(r"MicroMessenger")),
    ("android_webview", re.compile(r"Android.*(;\s*wv\)|Version/\d\.\d\s+Chrome/\d+(\.0){3})")),
    ("ios_webview", re.compile(r"(iPhone|iPod|iPad)(?!.*Safari)")),
    ("webview", re.compile(r"WebView")),
]


def in_app_browser(user_agent: str) -> str:
    """Which in-app browser (webview) the user agent is, or "" for a real browser."""
    return next((kind for kind, rule in _IN_APP_BROWSERS if rule.search(user_agent or "")), "")


_DESTINATION = re.compile(r"@|[*•]|\d{2}")


def mfa_hint_is_destination(hint: str) -> bool:
    """Whether the vendor's MFA hint says where the code went (a masked phone number or email
    address) rather than describing it ("Code from your authenticator app")."""
    return bool(_DESTINATION.search(hint or ""))
