"""Connecting a provider within a link session: the services the API and the widget both call
(OAuth's are in link/oauth.py). This module keeps the session's part: the token and the
provider checked, rejected attempts counted, the session consumed; the connection itself is
connections' (connection_connect).

Token and provider problems raise link.errors (the caller answers 400/401); everything that goes
wrong in the flow itself (the vendor says no, is down, the user cancels) comes back as a
ConnectResult with state "error". A success stores the connection and consumes the link token in
one transaction, so a double submit or a double callback never connects twice."""

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from connections.models import Connection
from connections.services import (
    connection_connect,
    connection_save,
    connection_supersede,
    connection_taken,
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

from .errors import InvalidLinkToken, InvalidProvider
from .models import LinkEvent, LinkToken
from .results import LOCKED, ConnectResult, outcome_for
from .services import (
    link_event_record,
    link_session_finished_event,
    link_token_check_provider,
    link_token_consume,
    link_token_status,
)

if TYPE_CHECKING:
    from providers.base import Adapter

log = logging.getLogger(__name__)

Kind = LinkEvent.Kind
_MFA_ATTEMPTS = 3


# -- password, MFA, email ---------------------------------------------------------------------


def connect_password(
    *, link_token: LinkToken, provider: str, username: str, password: str, region: str | None = None
) -> ConnectResult:
    adapter = adapter_for(link_token, provider, "password")
    link_event_record(link_token=link_token, kind=Kind.SUBMITTED, provider=provider)
    return _password_login(link_token, adapter, username=username, password=password, region=region)


def connect_mfa(*, link_token: LinkToken, provider: str, mfa_code: str) -> ConnectResult:
    adapter = adapter_for(link_token, provider, "password")
    pending = (link_token.flow or {}).get("mfa")
    if not pending or pending["provider"] != provider:
        return failed(
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
    *,
    link_token: LinkToken,
    provider: str,
    email: str,
    region: str | None = None,
    name: str | None = None,
) -> ConnectResult:
    adapter = adapter_for(link_token, provider, "email")
    link_event_record(link_token=link_token, kind=Kind.SUBMITTED, provider=provider)
    try:
        enrolment = adapter.enrol(email=email, region=region, name=name)
    except ProviderError as exc:
        return failed(link_token, provider, exc)
    return _connection_save(
        link_token,
        provider,
        external_user_id=enrolment.external_user_id,
        credentials=enrolment.credentials,
        pending=True,
    )


def _password_login(
    link_token, adapter, *, username, password, region, mfa_code=None
) -> ConnectResult:
    provider = adapter.slug
    pending = (link_token.flow or {}).get("mfa")
    if not _attempt_take(link_token):
        return ConnectResult.failed(provider, "token_expired", LOCKED)
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
        return failed(link_token, provider, exc)
    except InvalidCredentials as exc:
        return failed(link_token, provider, exc)
    except ProviderError as exc:  # not a verdict on the password (the vendor is down, ...)
        _attempt_give_back(link_token)
        return failed(link_token, provider, exc)
    # A success keeps its attempt: the connection consumes the link token.
    # Vital's external_user_id for a password provider is the username the user typed; the
    # vendor's own account id is kept with the tokens for the data services.
    tokens = replace(
        connected.tokens, extra={**connected.tokens.extra, "account_id": connected.external_user_id}
    )
    return connected_save(
        link_token, provider, Connected(external_user_id=username.strip(), tokens=tokens)
    )


# -- demo -------------------------------------------------------------------------------------

DEMO_PROVIDERS = ("apple_health_kit", "fitbit", "freestyle_libre", "oura")


def connect_demo(*, user, provider: str) -> Connection:
    """A connection with demo data for a sandbox team's user (`POST /v2/link/connect/demo`)."""
    if not user.team.is_sandbox:
        raise InvalidProvider("Demo connections are only for sandbox teams.")
    if provider not in DEMO_PROVIDERS:
        raise InvalidProvider(f"'{provider}' has no demo; use one of {', '.join(DEMO_PROVIDERS)}.")
    with transaction.atomic():
        connection, _ = connection_save(
            user=user,
            provider=provider,
            external_user_id=f"demo-{user.pk}",
            credentials={"demo": True},
        )
    return connection


# -- plumbing ---------------------------------------------------------------------------------


def adapter_for(link_token: LinkToken, provider: str, auth_type: str) -> "Adapter":
    """The team's adapter for `provider`, after checking the token and the provider fit."""
    status = link_token_status(link_token)
    if status:
        raise InvalidLinkToken(str(outcome_for(status).message), flow_error_type=status)
    link_token_check_provider(link_token, provider)
    cls = adapter_class(provider)
    if cls is None or cls.auth_type != auth_type:
        raise InvalidProvider(f"Provider '{provider}' does not connect by {auth_type}.")
    if link_token.provider != provider:
        link_event_record(link_token=link_token, kind=Kind.PROVIDER_CHOSEN, provider=provider)
    return team_adapter(link_token.team, provider)


def team_adapter(team, provider: str) -> "Adapter":
    try:
        return provider_adapter(provider, team=team)
    except ProviderUnavailable as exc:  # a sandbox team, on a server without the sandbox
        raise InvalidProvider(exc.message) from None


def _flow_set(link_token: LinkToken, **values) -> None:
    flow = {**(link_token.flow or {}), **values}
    flow = {k: v for k, v in flow.items() if v is not None} or None
    if flow != link_token.flow:
        link_token.flow = flow
        link_token.save(update_fields=["flow"])


def failed(link_token: LinkToken, provider: str, exc: ProviderError) -> ConnectResult:
    """Record a failed attempt of the session and say so (after too many rejected passwords or
    codes, that the session is closed)."""
    rows = LinkToken.objects.filter(pk=link_token.pk, consumed_at__isnull=True)
    rows.update(state=LinkToken.State.ERROR, error_type=exc.error_type)
    link_event_record(
        link_token=link_token, kind=Kind.FAILED, provider=provider, error_type=exc.error_type
    )
    if isinstance(exc, InvalidCredentials | IncorrectMfaCode) and _rejected_too_often(link_token):
        return ConnectResult.failed(provider, exc.error_type, LOCKED)
    return ConnectResult.failed(provider, exc.error_type, exc.message)


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


def connected_save(link_token: LinkToken, provider: str, connected: Connected) -> ConnectResult:
    return _connection_save(
        link_token,
        provider,
        external_user_id=connected.external_user_id,
        credentials=connected.tokens.as_credentials(),
        scopes=connected.tokens.scopes,
        expires_at=connected.tokens.expires_at,
    )


def _connection_save(
    link_token: LinkToken, provider: str, *, external_user_id: str, **fields
) -> ConnectResult:
    """Consume the link token and store the connection (a reconnect renews the live row), all
    or nothing."""
    user = link_token.user
    user.team = link_token.team  # the same row, loaded already: the connection's webhooks need it
    if link_token.team.reject_duplicate_connection and connection_taken(
        user=user, provider=provider, external_user_id=external_user_id
    ):
        return failed(link_token, provider, _Duplicate())
    try:
        with transaction.atomic():
            if not link_token_consume(link_token, provider=provider):
                return ConnectResult.failed(provider, "token_consumed")
            link_event_record(link_token=link_token, kind=Kind.CONNECTED, provider=provider)
            connection = connection_connect(
                user=user,
                provider=provider,
                external_user_id=external_user_id,
                also_send=[link_session_finished_event(link_token=link_token)],
                **fields,
            )
    except IntegrityError:
        log.warning("concurrent connect of %s for user %s", provider, link_token.user_id)
        return ConnectResult.failed(provider, "token_consumed")
    if not fields.get("pending"):
        connection_supersede(connection=connection)
    state = "pending" if fields.get("pending") else "success"
    return ConnectResult(state=state, provider=provider, connection=connection)


class _Duplicate(ProviderError):
    error_type = "duplicate_connection"

    def __init__(self):
        super().__init__(str(outcome_for(self.error_type).message))
