"""Connecting an OAuth provider within a link session: the sign-in starts here (a single-use
state, with a PKCE verifier where the vendor takes one) and comes back to the callback, which
claims the state once. A repeated callback gets the first outcome again, never a second
connection."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from oauthlib.oauth2 import WebApplicationClient

from providers.errors import ProviderError
from providers.registry import provider_adapter
from teams.services import secret_hash

from .connect import adapter_for, connected_save, failed
from .models import LinkEvent, LinkToken, OAuthState
from .results import OTHER_BROWSER, TOO_SLOW, ConnectResult
from .services import link_event_record, link_token_status

Kind = LinkEvent.Kind


def oauth_start(*, link_token: LinkToken, provider: str) -> str:
    """Begin an OAuth sign-in: remember a fresh state (and PKCE verifier) for this link session
    and return the vendor's authorize URL to send the browser to."""
    return _begin(link_token, provider)[0]


def oauth_start_in_browser(
    *, link_token: LinkToken, provider: str, embedded: bool = False
) -> tuple[str, str, str]:
    """Like oauth_start, but the sign-in is also bound to the browser that starts it: returns
    the authorize URL and a cookie (name, value) to set in that top-level window. The callback
    then refuses a browser without it, so a leaked link or code cannot be finished elsewhere."""
    browser_secret = secrets.token_urlsafe(32)
    url, row = _begin(link_token, provider, browser_secret=browser_secret, embedded=embedded)
    return url, oauth_cookie_name(row.pk), browser_secret


def oauth_cookie_name(state_id: int) -> str:
    return f"link_oauth_{state_id}"


def _begin(link_token, provider, browser_secret: str | None = None, embedded=False):
    adapter = adapter_for(link_token, provider, "oauth")
    state = secrets.token_urlsafe(32)
    pkce = WebApplicationClient(None)
    verifier = pkce.create_code_verifier(86) if adapter.pkce else None
    region = link_token.team.region
    now = timezone.now()
    row = OAuthState.objects.create(
        state_hash=secret_hash(state),
        link_token=link_token,
        provider=provider,
        secrets={
            "code_verifier": verifier,
            "region": region,
            "browser": secret_hash(browser_secret) if browser_secret else None,
            "embedded": embedded,
        },
        created_at=now,
        expires_at=now + timedelta(minutes=settings.LINK_OAUTH_STATE_TTL_MINUTES),
    )
    link_event_record(link_token=link_token, kind=Kind.OAUTH_STARTED, provider=provider)
    challenge = pkce.create_code_challenge(verifier, "S256") if verifier else None
    url = adapter.authorization_url(state=state, code_challenge=challenge, region=region)
    return url, row


def oauth_finish(
    *, provider: str, params: dict[str, str], cookies: dict[str, str] | None = None
) -> tuple[LinkToken | None, ConnectResult]:
    """The vendor's redirect back: claim the state once, exchange the code, store the
    connection. A repeated callback gets the first outcome again."""
    row = (
        OAuthState.objects.select_related("link_token__team", "link_token__user")
        .filter(state_hash=secret_hash(params.get("state") or ""), provider=provider)
        .first()
    )
    if row is None:
        return None, ConnectResult.failed(provider, "invalid_token")
    link_token = row.link_token
    browser = row.secrets.get("browser")
    cookie = (cookies or {}).get(oauth_cookie_name(row.pk), "")
    if browser and not constant_time_compare(browser, secret_hash(cookie)):
        # Checked before claiming the state, so the browser that started it can still finish.
        link_event_record(
            link_token=link_token, kind=Kind.FAILED, provider=provider, error_type="invalid_token"
        )
        return link_token, ConnectResult.failed(provider, "invalid_token", OTHER_BROWSER)
    claimed = OAuthState.objects.filter(pk=row.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        row.refresh_from_db(fields=["result"])
        if row.result:
            return link_token, ConnectResult(**row.result)
        return link_token, ConnectResult.failed(provider, "token_consumed")
    link_event_record(
        link_token=link_token,
        kind=Kind.OAUTH_RETURNED,
        provider=provider,
        error_type=(params.get("error") or "")[:40],
    )
    result = _complete(row, params)
    result.embedded = bool(row.secrets.get("embedded"))
    OAuthState.objects.filter(pk=row.pk).update(result=result.as_dict())
    return link_token, result


def _complete(row: OAuthState, params: dict[str, str]) -> ConnectResult:
    link_token, provider = row.link_token, row.provider
    status = link_token_status(link_token)
    if status:
        return ConnectResult.failed(provider, status)
    if row.expires_at <= timezone.now():
        return ConnectResult.failed(provider, "token_expired", TOO_SLOW)
    try:
        adapter = provider_adapter(provider, team=link_token.team)
        connected = adapter.finish(
            params=params,
            code_verifier=row.secrets.get("code_verifier"),
            region=row.secrets.get("region"),
        )
    except ProviderError as exc:
        return failed(link_token, provider, exc)
    return connected_save(link_token, provider, connected)
