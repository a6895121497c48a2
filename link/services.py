import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from providers.availability import provider_availability
from providers.catalogue import CATALOGUE
from teams.models import EndUser, Team
from teams.services import secret_hash
from webhooks.services import Event, webhook_event

from .errors import (
    InvalidLinkToken,
    InvalidProvider,
    InvalidUserId,
    MissingLinkToken,
    ProviderNotOffered,
)
from .models import LinkCode, LinkEvent, LinkToken
from .results import outcome_for


class RedirectNotAllowed(ValueError):
    pass


_DOT = {".", "%2e"}
_DOT_DOT = {"..", ".%2e", "%2e.", "%2e%2e"}


def _path_resolve(path: str) -> str:
    """The path as a browser follows it (WHATWG URL parsing): `.` and `..` segments, also
    written with `%2e`, resolved."""
    segments, out = path.split("/")[1:], []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment.lower() in _DOT_DOT:
            if out:
                out.pop()
            if last:
                out.append("")
        elif segment.lower() in _DOT:
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out) if path else ""


def _web_url(url: str) -> SplitResult:
    """An http(s) URL as a browser reads it: backslashes are slashes, dot segments resolved."""
    parts = urlsplit(url.replace("\\", "/"))
    return parts._replace(path=_path_resolve(parts.path))


def redirect_url_check(*, team: Team, redirect_url: str) -> str:
    """`redirect_url` as the browser will follow it, if that matches one of the team's allowed
    redirect URLs: the same scheme and host (and port) and a path under the allowed path.
    Custom schemes (mobile apps) match on scheme and the rest as a prefix. Only on a
    development server (LINK_SANDBOX_UNRESTRICTED) may a sandbox team with no list redirect
    anywhere. Raises RedirectNotAllowed."""
    if any(c.isspace() or not c.isprintable() for c in redirect_url):
        raise RedirectNotAllowed("redirect_url may not contain spaces or control characters.")
    allowed = team.allowed_redirect_urls or []
    if not allowed and team.is_sandbox and settings.LINK_SANDBOX_UNRESTRICTED:
        return redirect_url
    try:
        target = _web_url(redirect_url)
        for entry in allowed:
            rule = urlsplit(entry)
            if rule.scheme not in ("http", "https"):
                if redirect_url.startswith(entry):
                    return redirect_url
                continue
            rule = _web_url(entry)
            if (rule.scheme, rule.netloc.lower()) != (target.scheme, target.netloc.lower()):
                continue
            prefix = rule.path.rstrip("/")
            if target.path == prefix or target.path.startswith(prefix + "/") or not prefix:
                return urlunsplit(target)
    except ValueError:  # not a URL at all (a port out of range, a host NFKC would change)
        raise RedirectNotAllowed("redirect_url is not a valid URL.") from None
    raise RedirectNotAllowed(
        "redirect_url is not in the team's allowed redirect URLs; an operator can add it in "
        "the console."
    )


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
    if redirect_url:
        redirect_url = redirect_url_check(team=team, redirect_url=redirect_url)
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


LINK_CODE_TTL = timedelta(hours=1)
LINK_CODE_MAX_TTL = timedelta(days=1)


class LinkCodeExpiry(ValueError):
    pass


def link_code_hash(code: str) -> str:
    """Keyed with SECRET_KEY: a code has too few random bits for a plain hash."""
    return salted_hmac("link.code", code, algorithm="sha256").hexdigest()


def link_code_issue(*, team: Team, user_id, expires_at: datetime | None = None):
    """A code a mobile app exchanges for a link session (Vital's `^(sk|pk)(us|eu)[0-9a-f]{8}`);
    returns the code (shown once) and its row. Raises InvalidUserId, or LinkCodeExpiry for an
    expiry that is not within the next day."""
    now = timezone.now()
    if expires_at is None:
        expires_at = now + LINK_CODE_TTL
    elif timezone.is_naive(expires_at):
        expires_at = expires_at.replace(tzinfo=UTC)
    try:
        expires_at = expires_at.astimezone(UTC)
    except OverflowError:  # past year 9999 in UTC
        raise LinkCodeExpiry("must be within a day from now") from None
    if expires_at <= now:
        raise LinkCodeExpiry("must be in the future")
    if expires_at > now + LINK_CODE_MAX_TTL:
        raise LinkCodeExpiry("must be within a day from now")
    if not EndUser.objects.filter(pk=user_id, team=team).exists():
        raise InvalidUserId(f"User {user_id} does not exist.")
    kind = "sk" if team.is_sandbox else "pk"
    code = f"{kind}{team.region}{secrets.token_hex(4)}"
    row = LinkCode.objects.create(
        code_hash=link_code_hash(code), team=team, user_id=user_id, expires_at=expires_at
    )
    return code, row


def link_web_url(*, token: str, team: Team) -> str:
    return (
        f"{settings.LINK_PUBLIC_URL}/?token={quote(token, safe='')}"
        f"&env={team.environment}&region={team.region}"
    )


def link_token_find(token: str | None) -> LinkToken | None:
    if not token:
        return None
    # A unique hash, so no order: first() would add one, and its compiling, to every step.
    found = LinkToken.objects.select_related("team", "user").filter(token_hash=secret_hash(token))
    return next(iter(found[:1]), None)


def link_token_status(link_token: LinkToken | None) -> str | None:
    """None for a token that can still be used, else why not: the Link-flow error type."""
    if link_token is None or link_token.user.deleted_at is not None:
        return "invalid_token"
    if link_token.consumed_at is not None:
        return "token_consumed"
    if link_token.is_expired:
        return "token_expired"
    return None


def link_token_resolve(token: str | None, *, allow_consumed: bool = False) -> LinkToken:
    """The link token for a request header, or a typed error saying why it cannot be used."""
    if not token:
        raise MissingLinkToken("The x-vital-link-token header is missing.")
    link_token = link_token_find(token)
    status = link_token_status(link_token)
    if status == "token_consumed" and allow_consumed and not link_token.is_expired:
        return link_token
    if status:
        raise InvalidLinkToken(str(outcome_for(status).message), flow_error_type=status)
    return link_token


def link_token_providers(link_token: LinkToken) -> list:
    """The catalogue entries this link session may offer, in catalogue order: those the team
    is offered, narrowed by the token's `filter_on_providers`."""
    return [p for p, why_not in link_token_availability(link_token) if why_not is None]


def link_token_availability(link_token: LinkToken) -> list[tuple]:
    """The catalogue entries within the token's `filter_on_providers`, each with why the team is
    not offered it (a providers.availability.NotOffered) or None."""
    allowed = link_token.filter_on_providers
    availability = provider_availability(team=link_token.team)
    return [
        (p, availability[p.slug]) for p in CATALOGUE.values() if not allowed or p.slug in allowed
    ]


def link_token_check_provider(link_token: LinkToken, slug: str) -> None:
    _check_provider(slug)
    if link_token.filter_on_providers and slug not in link_token.filter_on_providers:
        raise InvalidProvider(f"Provider '{slug}' is excluded by this link token's filter.")
    why_not = provider_availability(team=link_token.team)[slug]
    if why_not is not None:
        raise ProviderNotOffered(why_not.message(CATALOGUE[slug]))


def link_event_record(
    *, link_token: LinkToken, kind: str, provider: str = "", error_type: str = "", **detail
) -> LinkEvent:
    return LinkEvent.objects.create(
        link_token=link_token, kind=kind, provider=provider, error_type=error_type, detail=detail
    )


def link_token_open(link_token: LinkToken) -> None:
    """The agreement shows for the first time: stamped on the token, and recorded as OPENED
    once, however many requests show it at the same moment."""
    now = timezone.now()
    unopened = LinkToken.objects.filter(pk=link_token.pk, opened_at__isnull=True)
    if unopened.update(opened_at=now):
        link_token.opened_at = now
        link_event_record(link_token=link_token, kind=LinkEvent.Kind.OPENED)


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


def link_session_finished_event(*, link_token: LinkToken) -> Event:
    """`link.session.finished`: one event per link session when it ends, for conversion
    funnels."""
    finished = timezone.now()
    data = {
        "link_session_id": str(link_token.pk),
        "user_id": str(link_token.user_id),
        "state": link_token.state,
        "provider": link_token.provider or None,
        "error_type": link_token.error_type or None,
        "started_at": link_token.created_at,
        "finished_at": finished,
        "duration_ms": int((finished - link_token.created_at).total_seconds() * 1000),
    }
    return webhook_event("link.session.finished", user=link_token.user, data=data)
