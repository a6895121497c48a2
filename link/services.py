import secrets
from datetime import timedelta
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils import timezone

from providers.catalogue import CATALOGUE
from providers.registry import providers_offered
from teams.models import EndUser, Team
from teams.services import secret_hash

from .errors import InvalidLinkToken, InvalidProvider, InvalidUserId, MissingLinkToken
from .models import LinkEvent, LinkToken


class RedirectNotAllowed(ValueError):
    pass


def redirect_url_allowed(*, team: Team, redirect_url: str) -> bool:
    """Whether `redirect_url` matches one of the team's allowed redirect URLs: the same scheme
    and host (and port) and a path under the allowed path. Custom schemes (mobile apps) match on
    scheme and the rest as a prefix. A sandbox team with no list accepts any URL."""
    allowed = team.allowed_redirect_urls or []
    if not allowed:
        return team.is_sandbox
    target = urlsplit(redirect_url)
    for entry in allowed:
        rule = urlsplit(entry)
        if rule.scheme not in ("http", "https"):
            if redirect_url.startswith(entry):
                return True
            continue
        if (rule.scheme, rule.netloc.lower()) != (target.scheme, target.netloc.lower()):
            continue
        prefix = rule.path.rstrip("/")
        if target.path == prefix or target.path.startswith(prefix + "/") or not prefix:
            return True
    return False


def _check_provider(slug: str) -> None:
    if slug not in CATALOGUE:
        raise InvalidProvider(f"Unknown provider '{slug}'. GET /v2/providers lists the slugs.")


def link_token_create(
    *,
    team: Team,
    user_id,
    provider: str | None = None,
    filter_on_providers: list[str] | None = None,
    redirect_url: str | None = None,
    on_error: str | None = None,
    on_close: str | None = None,
) -> tuple[str, LinkToken]:
    """Issue a link token for one of the team's users; returns the token (shown once) and its
    row. Raises InvalidUserId, InvalidProvider or RedirectNotAllowed."""
    for slug in [provider, *(filter_on_providers or [])]:
        if slug:
            _check_provider(slug)
    if provider and filter_on_providers and provider not in filter_on_providers:
        raise InvalidProvider(f"Provider '{provider}' is not in filter_on_providers.")
    if redirect_url and not redirect_url_allowed(team=team, redirect_url=redirect_url):
        raise RedirectNotAllowed(
            "redirect_url is not in the team's allowed redirect URLs; an operator can add it "
            "in the console."
        )
    if not EndUser.objects.filter(pk=user_id, team=team).exists():
        raise InvalidUserId(f"User {user_id} does not exist.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link_token = LinkToken.objects.create(
        token_hash=secret_hash(token),
        team=team,
        user_id=user_id,
        provider=provider or "",
        filter_on_providers=filter_on_providers or [],
        redirect_url=redirect_url or "",
        on_error=on_error or "",
        on_close=on_close or "",
        created_at=now,
        expires_at=now + timedelta(minutes=settings.LINK_TOKEN_TTL_MINUTES),
    )
    return token, link_token


def link_web_url(*, token: str, team: Team) -> str:
    return (
        f"{settings.LINK_PUBLIC_URL}/?token={quote(token, safe='')}"
        f"&env={team.environment}&region={team.region}"
    )


def link_token_find(token: str | None) -> LinkToken | None:
    if not token:
        return None
    return (
        LinkToken.objects.select_related("team", "user")
        .filter(token_hash=secret_hash(token))
        .first()
    )


def link_token_status(link_token: LinkToken | None) -> str | None:
    """None for a token that can still be used, else why not: the Link-flow error type."""
    if link_token is None or link_token.user.deleted_at is not None:
        return "invalid_token"
    if link_token.consumed_at is not None:
        return "token_consumed"
    if link_token.is_expired:
        return "token_expired"
    return None


_STATUS_MESSAGES = {
    "invalid_token": "The link token is not valid.",
    "token_consumed": "The link token was already used to connect a provider.",
    "token_expired": "The link token has expired; create a new one.",
}


def link_token_resolve(token: str | None, *, allow_consumed: bool = False) -> LinkToken:
    """The link token for a request header, or a typed error saying why it cannot be used."""
    if not token:
        raise MissingLinkToken("The x-vital-link-token header is missing.")
    link_token = link_token_find(token)
    status = link_token_status(link_token)
    if status == "token_consumed" and allow_consumed and not link_token.is_expired:
        return link_token
    if status:
        raise InvalidLinkToken(_STATUS_MESSAGES[status], flow_error_type=status)
    return link_token


def link_token_providers(link_token: LinkToken) -> list:
    """The catalogue entries this link session may offer, in catalogue order: those the team
    can connect, narrowed by the token's `filter_on_providers`."""
    allowed = link_token.filter_on_providers
    offered = providers_offered(team=link_token.team)
    return [
        p for p in CATALOGUE.values() if p.slug in offered and (not allowed or p.slug in allowed)
    ]


def link_token_check_provider(link_token: LinkToken, slug: str) -> None:
    _check_provider(slug)
    if link_token.filter_on_providers and slug not in link_token.filter_on_providers:
        raise InvalidProvider(f"Provider '{slug}' is excluded by this link token's filter.")
    if slug in link_token.team.disabled_providers:
        raise InvalidProvider(f"Provider '{slug}' is not offered by this team.")


def link_event_record(
    *, link_token: LinkToken, kind: str, provider: str = "", error_type: str = "", **detail
) -> LinkEvent:
    return LinkEvent.objects.create(
        link_token=link_token, kind=kind, provider=provider, error_type=error_type, detail=detail
    )


def link_token_consume(link_token: LinkToken, *, provider: str) -> bool:
    """Mark the token used by a connection to `provider`; False if another request consumed
    it first (then the row is left as that request made it)."""
    fields = {
        "consumed_at": timezone.now(),
        "state": LinkToken.State.SUCCESS,
        "error_type": "",
        "provider": provider,
    }
    if not LinkToken.objects.filter(pk=link_token.pk, consumed_at__isnull=True).update(**fields):
        return False
    for name, value in fields.items():
        setattr(link_token, name, value)
    return True
