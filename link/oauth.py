"""Connecting an OAuth provider within a link session: the sign-in starts here (a single-use
state, with a PKCE verifier where the vendor takes one) and comes back to the callback, which
claims the state once. A repeated callback gets the first outcome again, never a second
connection. Every sign-in is bound to one browser before it reaches the vendor: the widget's
button binds the browser that presses it; a URL handed out by the API goes through our start
page, which binds the first browser that goes on from it."""

import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from oauthlib.oauth2 import WebApplicationClient

from providers.errors import ProviderError
from providers.registry import provider_adapter
from teams.services import secret_hash

from .connect import adapter_for, connected_save, failed, team_adapter
from .errors import InvalidLinkToken, OtherBrowser
from .models import LinkEvent, LinkToken, OAuthState
from .results import OTHER_BROWSER, TOO_SLOW, ConnectResult, outcome_for
from .services import link_event_record, link_token_status

Kind = LinkEvent.Kind


def oauth_start(*, link_token: LinkToken, provider: str, embedded: bool = False) -> str:
    """Begin an OAuth sign-in for a browser not seen yet (the API's `oauth_url`): remember a
    fresh state (and PKCE verifier) for this link session and return the URL of our start
    page, which says who asks and binds the first browser that goes on from it (oauth_open);
    only then does that browser see the vendor's authorize URL."""
    state, _, _ = _begin(link_token, provider, embedded=embedded)
    page = reverse("link:oauth-open", args=[provider])
    return f"{settings.LINK_PUBLIC_URL}{page}?{urlencode({'state': state})}"


def oauth_start_in_browser(
    *, link_token: LinkToken, provider: str, embedded: bool = False
) -> tuple[str, str, str]:
    """Begin an OAuth sign-in bound at once to the browser that starts it (the widget's own
    button): returns the vendor's authorize URL and a cookie (name, value) to set in that
    top-level window. The callback refuses a browser without it, so a leaked link or code
    cannot be finished elsewhere."""
    browser_secret = secrets.token_urlsafe(32)
    _, url, row = _begin(link_token, provider, browser_secret=browser_secret, embedded=embedded)
    return url, oauth_cookie_name(row.pk), browser_secret


def oauth_opening(*, provider: str, state: str, cookies: dict[str, str]) -> OAuthState:
    """The sign-in whose start page this is, if this browser may go on with it: it is unspent,
    in time, its link session open, and no other browser went on first. Else raises
    InvalidLinkToken saying why."""
    return _opening(OAuthState.objects, provider, state, cookies)[0]


def oauth_open(*, provider: str, state: str, cookies: dict[str, str]) -> tuple[str, str, str]:
    """This browser goes on from the start page: the first to do so is bound to the sign-in
    (atomically: a second browser is refused), the same one may go on again. Returns the
    vendor's authorize URL and the cookie (name, value) that binds the browser."""
    with transaction.atomic():
        row, cookie = _opening(OAuthState.objects.select_for_update(), provider, state, cookies)
        if not cookie:
            cookie = secrets.token_urlsafe(32)
            row.secrets = {**row.secrets, "browser": secret_hash(cookie)}
            row.save(update_fields=["secrets"])
    adapter = team_adapter(row.link_token.team, row.provider)
    return _authorize_url(adapter, state, row.secrets), oauth_cookie_name(row.pk), cookie


def _opening(rows, provider, state, cookies) -> tuple[OAuthState, str]:
    """The row and this browser's cookie for it ("" while no browser is bound)."""
    row = (
        rows.select_related("link_token__team", "link_token__user")
        .filter(state_hash=secret_hash(state), provider=provider)
        .first()
    )
    status = "invalid_token" if row is None else link_token_status(row.link_token)
    if not status and row.used_at:  # back from the vendor already
        status = "invalid_token"
    if not status and row.expires_at <= timezone.now():
        status = "token_expired"
    if status:
        raise InvalidLinkToken(str(outcome_for(status).message), flow_error_type=status)
    bound, cookie = row.secrets.get("browser"), cookies.get(oauth_cookie_name(row.pk), "")
    if bound and not constant_time_compare(bound, secret_hash(cookie)):
        raise OtherBrowser(OTHER_BROWSER)
    return row, cookie if bound else ""


def oauth_cookie_name(state_id: int) -> str:
    return f"link_oauth_{state_id}"


def _begin(link_token, provider, browser_secret: str | None = None, embedded=False):
    """A new state for this link session (its row keeps only the hash): the state, the
    vendor's authorize URL for it, and the row."""
    adapter = adapter_for(link_token, provider, "oauth")
    state = secrets.token_urlsafe(32)
    pkce = WebApplicationClient(None)
    sealed = {
        "code_verifier": pkce.create_code_verifier(86) if adapter.pkce else None,
        "region": link_token.team.region,
        "browser": secret_hash(browser_secret) if browser_secret else None,
        "embedded": embedded,
    }
    url = _authorize_url(adapter, state, sealed)  # a region the vendor lacks fails before a row
    now = timezone.now()
    row = OAuthState.objects.create(
        state_hash=secret_hash(state),
        link_token=link_token,
        provider=provider,
        secrets=sealed,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.LINK_OAUTH_STATE_TTL_MINUTES),
    )
    link_event_record(link_token=link_token, kind=Kind.OAUTH_STARTED, provider=provider)
    return state, url, row


def _authorize_url(adapter, state: str, sealed: dict) -> str:
    verifier = sealed["code_verifier"]
    challenge = (
        WebApplicationClient(None).create_code_challenge(verifier, "S256") if verifier else None
    )
    return adapter.authorization_url(state=state, code_challenge=challenge, region=sealed["region"])


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
    if not browser or not constant_time_compare(browser, secret_hash(cookie)):
        # Checked before claiming the state, so the browser that started it can still finish;
        # a state no browser was bound to (never opened from our start page) finishes nowhere.
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
