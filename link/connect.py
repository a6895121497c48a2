"""Connecting a provider within a link session: the services the API and the widget both call.

Token and provider problems raise link.errors (the caller answers 400/401); everything that goes
wrong in the flow itself (the vendor says no, is down, the user cancels) comes back as a
ConnectResult with state "error". A success stores the connection and consumes the link token in
one transaction, so a double submit or a double callback never connects twice."""

import base64
import hashlib
import logging
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from connections.lifecycle import connection_schedule_next
from connections.models import Connection
from connections.services import connection_supersede
from connections.webhooks import (
    connection_created_event,
    link_session_finished_event,
    webhook_send,
)
from providers.base import Connected
from providers.errors import (
    IncorrectMfaCode,
    InvalidCredentials,
    MfaRequired,
    ProviderError,
    ProviderUnavailable,
)
from providers.registry import adapter_class, provider_adapter
from teams.services import secret_hash

from .errors import InvalidLinkToken, InvalidProvider
from .models import LinkEvent, LinkToken, OAuthState
from .services import link_event_record, link_token_check_provider, link_token_consume
from .services import link_token_status as _token_status

if TYPE_CHECKING:
    from providers.base import Adapter

log = logging.getLogger(__name__)

Kind = LinkEvent.Kind
_MFA_ATTEMPTS = 3
_OTHER_BROWSER = (
    "This sign-in was started in another browser. Go back to the app and start again here."
)
_LOCKED_MESSAGE = (
    "Too many attempts were rejected, so this link is now closed. "
    "Go back to the app and start again."
)
_TOKEN_MESSAGES = {
    "invalid_token": "This sign-in link is not valid. Go back to the app and start again.",
    "token_consumed": "This link was already used to connect a provider. Go back to the app.",
    "token_expired": "This link has expired. Go back to the app and start again.",
}


@dataclass
class ConnectResult:
    state: str  # "success" | "error" | "pending_provider_mfa" | "pending"
    provider: str
    error_type: str | None = None
    error: str | None = None
    provider_mfa: dict | None = None
    connection: "Connection | None" = None
    # An OAuth sign-in started by an embedded widget, which tells the customer's page itself:
    # its callback shows the outcome instead of redirecting to redirect_url.
    embedded: bool = False

    def as_dict(self) -> dict:
        """The result without the connection row (for storage and JSON)."""
        data = asdict(self)
        data.pop("connection")
        return data


# -- password, MFA, email ---------------------------------------------------------------------


def connect_password(
    *, link_token: LinkToken, provider: str, username: str, password: str, region: str | None = None
) -> ConnectResult:
    adapter = _adapter(link_token, provider, "password")
    link_event_record(link_token=link_token, kind=Kind.SUBMITTED, provider=provider)
    return _password_login(link_token, adapter, username=username, password=password, region=region)


def connect_mfa(*, link_token: LinkToken, provider: str, mfa_code: str) -> ConnectResult:
    adapter = _adapter(link_token, provider, "password")
    pending = (link_token.flow or {}).get("mfa")
    if not pending or pending["provider"] != provider:
        return _failed(
            link_token,
            provider,
            IncorrectMfaCode("No code was asked for. Sign in with your password first."),
        )
    link_event_record(link_token=link_token, kind=Kind.SUBMITTED, provider=provider, step="mfa")
    return _password_login(
        link_token,
        adapter,
        username=pending["username"],
        password=pending["password"],
        region=pending["region"],
        mfa_code=mfa_code,
    )


def connect_email(
    *, link_token: LinkToken, provider: str, email: str, region: str | None = None
) -> ConnectResult:
    adapter = _adapter(link_token, provider, "email")
    link_event_record(link_token=link_token, kind=Kind.SUBMITTED, provider=provider)
    try:
        enrolment = adapter.enrol(email=email, region=region)
    except ProviderError as exc:
        return _failed(link_token, provider, exc)
    return _connection_save(
        link_token,
        provider,
        external_user_id=enrolment.external_user_id,
        credentials=enrolment.credentials,
        status=Connection.Status.PENDING,
    )


def _password_login(
    link_token, adapter, *, username, password, region, mfa_code=None
) -> ConnectResult:
    provider = adapter.slug
    pending = (link_token.flow or {}).get("mfa")
    if not _attempt_take(link_token):
        return _error(provider, "token_expired", _LOCKED_MESSAGE)
    try:
        connected = adapter.login(
            username=username, password=password, region=region, mfa_code=mfa_code
        )
    except MfaRequired as exc:
        mfa = {
            "provider": provider,
            "username": username,
            "password": password,
            "region": region,
            "attempts": 0,
        }
        _attempt_give_back(link_token, flow={"mfa": mfa})
        link_event_record(
            link_token=link_token, kind=Kind.MFA_REQUESTED, provider=provider, method=exc.method
        )
        return ConnectResult(
            state="pending_provider_mfa",
            provider=provider,
            provider_mfa={"method": exc.method, "hint": exc.hint},
        )
    except IncorrectMfaCode as exc:
        pending["attempts"] += 1
        _flow_set(link_token, mfa=pending if pending["attempts"] < _MFA_ATTEMPTS else None)
        return _failed(link_token, provider, exc)
    except InvalidCredentials as exc:
        return _failed(link_token, provider, exc)
    except ProviderError as exc:  # not a verdict on the password (the vendor is down, ...)
        _attempt_give_back(link_token)
        return _failed(link_token, provider, exc)
    # A success keeps its attempt: the connection consumes the link token.
    # Vital's external_user_id for a password provider is the username the user typed; the
    # vendor's own account id is kept with the tokens for the data services.
    tokens = replace(
        connected.tokens, extra={**connected.tokens.extra, "account_id": connected.external_user_id}
    )
    return _connected_save(
        link_token, provider, Connected(external_user_id=username.strip(), tokens=tokens)
    )


# -- OAuth ------------------------------------------------------------------------------------


def oauth_start(*, link_token: LinkToken, provider: str) -> str:
    """Begin an OAuth sign-in: remember a fresh state (and PKCE verifier) for this link session
    and return the vendor's authorize URL to send the browser to."""
    return _oauth_begin(link_token, provider)[0]


def oauth_start_in_browser(
    *, link_token: LinkToken, provider: str, embedded: bool = False
) -> tuple[str, str, str]:
    """Like oauth_start, but the sign-in is also bound to the browser that starts it: returns
    the authorize URL and a cookie (name, value) to set in that top-level window. The callback
    then refuses a browser without it, so a leaked link or code cannot be finished elsewhere."""
    browser_secret = secrets.token_urlsafe(32)
    url, row = _oauth_begin(link_token, provider, browser_secret=browser_secret, embedded=embedded)
    return url, oauth_cookie_name(row.pk), browser_secret


def oauth_cookie_name(state_id: int) -> str:
    return f"link_oauth_{state_id}"


def _oauth_begin(link_token, provider, browser_secret: str | None = None, embedded=False):
    adapter = _adapter(link_token, provider, "oauth")
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64) if adapter.pkce else None
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
    url = adapter.authorization_url(
        state=state, code_challenge=_pkce_challenge(verifier), region=region
    )
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
        return None, _error(provider, "invalid_token", _TOKEN_MESSAGES["invalid_token"])
    link_token = row.link_token
    browser = row.secrets.get("browser")
    cookie = (cookies or {}).get(oauth_cookie_name(row.pk), "")
    if browser and not constant_time_compare(browser, secret_hash(cookie)):
        # Checked before claiming the state, so the browser that started it can still finish.
        link_event_record(
            link_token=link_token, kind=Kind.FAILED, provider=provider, error_type="invalid_token"
        )
        return link_token, _error(provider, "invalid_token", _OTHER_BROWSER)
    claimed = OAuthState.objects.filter(pk=row.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        row.refresh_from_db(fields=["result"])
        if row.result:
            return link_token, ConnectResult(**row.result)
        return link_token, _error(provider, "token_consumed", _TOKEN_MESSAGES["token_consumed"])
    link_event_record(
        link_token=link_token,
        kind=Kind.OAUTH_RETURNED,
        provider=provider,
        error_type=(params.get("error") or "")[:40],
    )
    result = _oauth_complete(row, params)
    result.embedded = bool(row.secrets.get("embedded"))
    OAuthState.objects.filter(pk=row.pk).update(result=result.as_dict())
    return link_token, result


def _oauth_complete(row: OAuthState, params: dict[str, str]) -> ConnectResult:
    link_token, provider = row.link_token, row.provider
    status = _token_status(link_token)
    if status:
        return _error(provider, status, _TOKEN_MESSAGES[status])
    if row.expires_at <= timezone.now():
        return _error(provider, "token_expired", "The sign-in took too long. Please start again.")
    try:
        adapter = provider_adapter(provider, team=link_token.team)
        connected = adapter.finish(
            params=params,
            code_verifier=row.secrets.get("code_verifier"),
            region=row.secrets.get("region"),
        )
    except ProviderError as exc:
        return _failed(link_token, provider, exc)
    return _connected_save(link_token, provider, connected)


def _pkce_challenge(verifier: str | None) -> str | None:
    if verifier is None:
        return None
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


# -- demo -------------------------------------------------------------------------------------

DEMO_PROVIDERS = ("apple_health_kit", "fitbit", "freestyle_libre", "oura")


def connect_demo(*, user, provider: str) -> Connection:
    """A connection with demo data for a sandbox team's user (`POST /v2/link/connect/demo`)."""
    if not user.team.is_sandbox:
        raise InvalidProvider("Demo connections are only for sandbox teams.")
    if provider not in DEMO_PROVIDERS:
        raise InvalidProvider(f"'{provider}' has no demo; use one of {', '.join(DEMO_PROVIDERS)}.")
    with transaction.atomic():
        connection, _ = Connection.objects.exclude(
            status=Connection.Status.DEREGISTERED
        ).update_or_create(
            user=user,
            provider=provider,
            defaults={
                "status": Connection.Status.CONNECTED,
                "external_user_id": f"demo-{user.pk}",
                "credentials": {"demo": True},
                "error_type": "",
                "error_message": "",
            },
        )
    return connection


# -- results ----------------------------------------------------------------------------------


def result_redirect_url(*, link_token: LinkToken, result: ConnectResult) -> str:
    """The team's redirect_url with the outcome merged into its query string."""
    parts = urlsplit(link_token.redirect_url)
    ours = {"state": result.state, "provider": result.provider}
    if result.state == "error":
        ours.update(error_type=result.error_type or "", error=result.error or "")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    return urlunsplit(parts._replace(query=urlencode(query + list(ours.items()))))


# -- plumbing ---------------------------------------------------------------------------------


def _adapter(link_token: LinkToken, provider: str, auth_type: str) -> "Adapter":
    """The team's adapter for `provider`, after checking the token and the provider fit."""
    status = _token_status(link_token)
    if status:
        raise InvalidLinkToken(_TOKEN_MESSAGES[status], flow_error_type=status)
    link_token_check_provider(link_token, provider)
    cls = adapter_class(provider)
    if cls is None or cls.auth_type != auth_type:
        raise InvalidProvider(f"Provider '{provider}' does not connect by {auth_type}.")
    if link_token.provider != provider:
        link_event_record(link_token=link_token, kind=Kind.PROVIDER_CHOSEN, provider=provider)
    try:
        return provider_adapter(provider, team=link_token.team)
    except ProviderUnavailable as exc:  # a sandbox team, on a server without the sandbox
        raise InvalidProvider(exc.message) from None


def _flow_set(link_token: LinkToken, **values) -> None:
    flow = {**(link_token.flow or {}), **values}
    flow = {k: v for k, v in flow.items() if v is not None} or None
    if flow != link_token.flow:
        link_token.flow = flow
        link_token.save(update_fields=["flow"])


def _error(provider: str, error_type: str, message: str) -> ConnectResult:
    return ConnectResult(state="error", provider=provider, error_type=error_type, error=message)


def _failed(link_token: LinkToken, provider: str, exc: ProviderError) -> ConnectResult:
    rows = LinkToken.objects.filter(pk=link_token.pk, consumed_at__isnull=True)
    rows.update(state=LinkToken.State.ERROR, error_type=exc.error_type)
    link_event_record(
        link_token=link_token, kind=Kind.FAILED, provider=provider, error_type=exc.error_type
    )
    if isinstance(exc, InvalidCredentials | IncorrectMfaCode) and _rejected_too_often(link_token):
        return _error(provider, exc.error_type, _LOCKED_MESSAGE)
    return _error(provider, exc.error_type, exc.message)


def _attempt_take(link_token: LinkToken) -> bool:
    """Take one of the session's LINK_MAX_REJECTED_ATTEMPTS before the vendor sees a password
    or code, in one UPDATE, so that concurrent requests cannot send more than the limit. The
    flow (a pending MFA sign-in, with its password) is taken out with it; what the vendor
    answers decides what, if anything, is put back."""
    taken = LinkToken.objects.filter(
        pk=link_token.pk,
        consumed_at__isnull=True,
        expires_at__gt=timezone.now(),
        rejected_attempts__lt=settings.LINK_MAX_REJECTED_ATTEMPTS,
    ).update(rejected_attempts=F("rejected_attempts") + 1, flow=None)
    link_token.flow = None
    return bool(taken)


def _attempt_give_back(link_token: LinkToken, flow: dict | None = None) -> None:
    """The vendor did not reject the password: the attempt does not count."""
    LinkToken.objects.filter(pk=link_token.pk).update(
        rejected_attempts=Greatest(F("rejected_attempts") - 1, 0), flow=flow
    )
    link_token.flow = flow


def _rejected_too_often(link_token: LinkToken) -> bool:
    """After a rejected password or code: at the limit the link session closes (it expires
    now), so a stolen link cannot be used to guess a password."""
    rows = LinkToken.objects.filter(pk=link_token.pk)
    if rows.filter(rejected_attempts__lt=settings.LINK_MAX_REJECTED_ATTEMPTS).exists():
        return False
    now = timezone.now()
    rows.update(expires_at=now, flow=None)
    link_token.expires_at, link_token.flow = now, None
    link_event_record(link_token=link_token, kind=Kind.FAILED, error_type="token_expired")
    return True


def _connected_save(link_token: LinkToken, provider: str, connected: Connected) -> ConnectResult:
    return _connection_save(
        link_token,
        provider,
        external_user_id=connected.external_user_id,
        credentials=connected.tokens.as_credentials(),
        scopes=list(connected.tokens.scopes),
        expires_at=connected.tokens.expires_at,
    )


def _connection_save(
    link_token: LinkToken,
    provider: str,
    *,
    external_user_id: str,
    credentials: dict,
    status: str = Connection.Status.CONNECTED,
    scopes: list | None = None,
    expires_at=None,
) -> ConnectResult:
    """Store the connection (a reconnect updates the live row) and consume the link token,
    all or nothing."""
    team = link_token.team
    if team.reject_duplicate_connection and (
        Connection.objects.filter(
            user__team=team, provider=provider, external_user_id=external_user_id
        )
        .exclude(user=link_token.user_id)
        .exclude(status=Connection.Status.DEREGISTERED)
        .exists()
    ):
        return _failed(link_token, provider, _Duplicate())
    try:
        with transaction.atomic():
            if not link_token_consume(link_token, provider=provider):
                return _error(provider, "token_consumed", _TOKEN_MESSAGES["token_consumed"])
            live = (
                Connection.objects.select_for_update()
                .filter(user=link_token.user, provider=provider)
                .exclude(status=Connection.Status.DEREGISTERED)
            )
            connection = live.first() or Connection(user=link_token.user, provider=provider)
            connection.status = status
            connection.external_user_id = external_user_id
            connection.credentials = credentials
            connection.scopes = scopes or []
            connection.expires_at = expires_at
            connection.error_type = connection.error_message = ""
            connection.errored_at = connection.refresh_lease_until = None
            connection.refresh_failures = 0
            connection.save()
            link_event_record(link_token=link_token, kind=Kind.CONNECTED, provider=provider)
            events = [link_session_finished_event(link_token=link_token)]
            if status == Connection.Status.CONNECTED:  # pending: once the vendor links it
                events.insert(0, connection_created_event(connection=connection))
            webhook_send(team=team, events=events)
            connection_schedule_next(connection=connection)
    except IntegrityError:
        log.warning("concurrent connect of %s for user %s", provider, link_token.user_id)
        return _error(provider, "token_consumed", _TOKEN_MESSAGES["token_consumed"])
    if status == Connection.Status.CONNECTED:
        connection_supersede(connection=connection)
    state = "pending" if status == Connection.Status.PENDING else "success"
    return ConnectResult(state=state, provider=provider, connection=connection)


class _Duplicate(ProviderError):
    error_type = "duplicate_connection"
    default_message = (
        "This provider account is already connected to another user of this app. "
        "Sign in with a different account."
    )
