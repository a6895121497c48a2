"""A connection's vendor credentials, for its team's own use: handed out by the credentials
endpoint, or used on the team's behalf by the vendor proxy. Either way the token must still work
for a while; when it will not (or the vendor has just refused it), it is refreshed first, under
the same lease the worker takes (connections.lifecycle), so a refresh is never done twice and a
rotating refresh token is never lost. A caller that finds a refresh under way waits for its
result."""

import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .lifecycle import connection_refresh
from .models import Connection, CredentialRead

_POLL_SECONDS = 0.05


class CredentialsUnavailable(Exception):
    """No token to use: the connection (in `status`) is broken or not linked yet, which only
    the user can fix, or, with `retry_after` (seconds), the vendor cannot renew it right now."""

    def __init__(
        self, connection: Connection, error_type: str, message: str, retry_after: int | None = None
    ):
        super().__init__(message)
        self.status = connection.status
        self.error_type = error_type
        self.message = message
        self.retry_after = retry_after


def connection_credentials_fresh(
    *, connection: Connection, min_ttl: timedelta, rejected: str | None = None
) -> tuple[Connection, bool]:
    """The connection, its access token good for `min_ttl` more (and, given `rejected`, not that
    token, which the vendor has just refused): refreshed if need be. Returns the connection as
    now stored and whether this call refreshed it; raises CredentialsUnavailable."""
    deadline = time.monotonic() + 2 * settings.LINK_PROVIDER_TIMEOUT_SECONDS
    refreshed = False
    while True:
        _check_usable(connection)
        if connection.paused_at or not _needs_refresh(connection, min_ttl, rejected):
            return connection, refreshed  # paused: exported elsewhere, so never refreshed here
        if connection.refresh_failures and _leased(connection):
            # Backing off after a vendor failure: a token that still works is better than none.
            if rejected is None and _still_valid(connection):
                return connection, refreshed
            raise _vendor_down(connection)
        outcome = connection_refresh(connection_id=connection.pk, as_read=connection)
        if outcome == "not_needed":  # the vendor has no way to renew it
            return connection, refreshed
        refreshed |= outcome == "refreshed"
        if outcome == "busy":  # someone else is refreshing it: wait for their result
            if time.monotonic() > deadline:
                raise _vendor_down(connection)
            time.sleep(_POLL_SECONDS)
        connection = Connection.objects.select_related("user__team").get(pk=connection.pk)


def connection_credentials_read(*, connection: Connection, api_key) -> Connection:
    """Hand the connection's credentials to `api_key`: fresh for LINK_CREDENTIALS_MIN_TTL_SECONDS,
    and the read recorded."""
    min_ttl = timedelta(seconds=settings.LINK_CREDENTIALS_MIN_TTL_SECONDS)
    connection, refreshed = connection_credentials_fresh(connection=connection, min_ttl=min_ttl)
    CredentialRead.objects.create(connection=connection, api_key=api_key, refreshed=refreshed)
    return connection


def _check_usable(connection: Connection) -> None:
    if connection.status == Connection.Status.ERROR:
        raise CredentialsUnavailable(
            connection,
            connection.error_type or "unknown",
            connection.error_message or "The connection broke.",
        )
    if connection.status == Connection.Status.PENDING:
        raise CredentialsUnavailable(
            connection, "connection_pending", "The provider has not linked this account yet."
        )
    if connection.status != Connection.Status.CONNECTED or not connection.credentials:
        raise CredentialsUnavailable(
            connection, "connection_not_found", "The connection was deregistered."
        )
    if not connection.credentials.get("access_token"):
        raise CredentialsUnavailable(
            connection,
            "no_user_token",
            "This provider issues no token for the user: Link reads it through the operator's "
            "own account.",
        )


def _needs_refresh(connection: Connection, min_ttl: timedelta, rejected: str | None) -> bool:
    if rejected is not None:
        return connection.credentials["access_token"] == rejected
    return connection.expires_at is not None and connection.expires_at <= timezone.now() + min_ttl


def _leased(connection: Connection) -> bool:
    lease = connection.refresh_lease_until
    return lease is not None and lease > timezone.now()


def _still_valid(connection: Connection) -> bool:
    return connection.expires_at is None or connection.expires_at > timezone.now()


def _vendor_down(connection: Connection) -> CredentialsUnavailable:
    lease = connection.refresh_lease_until
    wait = (lease - timezone.now()).total_seconds() if lease else 0
    return CredentialsUnavailable(
        connection,
        "provider_unavailable",
        "The provider cannot renew this connection's token right now; try again shortly.",
        retry_after=max(1, min(int(wait) + 1, 300)),
    )
