"""Keeping connections alive after the widget: token refresh before expiry, relogin for password
vendors, and what happens when a vendor stops accepting a connection.

A refresh holds a short lease on the row instead of a database lock over the vendor call, so two
workers never spend the same single-use refresh token, and no writer waits on a vendor. The new
tokens are saved in one UPDATE; a failed call never touches the last good credentials."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from providers.errors import InvalidCredentials, PasswordExpired, ProviderError, RefreshRejected
from providers.registry import provider_adapter

from .models import Connection
from .webhooks import connection_error_emit

log = logging.getLogger(__name__)

# Refresh this long before the access token expires.
REFRESH_MARGIN = timedelta(minutes=10)
# Vendor failures in a row (down, rate limited, garbage) before a connection is marked broken.
MAX_TRANSIENT_FAILURES = 6
_LIVE = (Connection.Status.CONNECTED, Connection.Status.ERROR)


def _retry_delay(failures: int) -> timedelta:
    """5 min, 10 min, 20 min, … between attempts after a vendor failure."""
    return timedelta(minutes=5 * 2 ** (failures - 1))


def connection_refresh(*, connection_id: int) -> str:
    """Refresh one connection's credentials now. Returns what happened: "refreshed", "busy"
    (another worker has it), "not_needed" (the vendor has nothing to refresh), "retry" or
    "failed"."""
    now = timezone.now()
    lease = now + timedelta(seconds=3 * settings.LINK_PROVIDER_TIMEOUT_SECONDS + 30)
    claimed = (
        Connection.objects.filter(pk=connection_id, status__in=_LIVE, credentials__isnull=False)
        .filter(Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now))
        .update(refresh_lease_until=lease)
    )
    if not claimed:
        return "busy"
    connection = Connection.objects.select_related("user__team").get(pk=connection_id)
    rows = Connection.objects.filter(pk=connection_id)
    try:
        adapter = provider_adapter(connection.provider, team=connection.user.team)
        tokens = adapter.refresh(connection.credentials)
    except NotImplementedError:
        rows.update(refresh_lease_until=None)
        return "not_needed"
    except ProviderError as exc:
        return _refresh_failed(connection, exc)
    rows.update(
        credentials=tokens.as_credentials(),
        expires_at=tokens.expires_at,
        scopes=list(tokens.scopes) or connection.scopes,
        status=Connection.Status.CONNECTED,
        error_type="",
        error_message="",
        errored_at=None,
        last_refreshed_at=timezone.now(),
        refresh_failures=0,
        refresh_lease_until=None,
    )
    if tokens.expires_at:
        connection_schedule_refresh(
            connection_id=connection_id, run_after=tokens.expires_at - REFRESH_MARGIN
        )
    return "refreshed"


def _refresh_failed(connection: Connection, exc: ProviderError) -> str:
    rows = Connection.objects.filter(pk=connection.pk)
    permanent = isinstance(exc, InvalidCredentials | PasswordExpired | RefreshRejected)
    failures = connection.refresh_failures + 1
    if not permanent and failures < MAX_TRANSIENT_FAILURES:
        # The lease doubles as "not before": nobody retries until the backoff has passed.
        retry_at = timezone.now() + _retry_delay(failures)
        rows.update(refresh_failures=failures, refresh_lease_until=retry_at)
        connection_schedule_refresh(connection_id=connection.pk, run_after=retry_at)
        log.info("refresh of connection %s failed (%s); retrying", connection.pk, exc.error_type)
        return "retry"
    # A password the vendor refuses says so; an OAuth grant that cannot be renewed is a
    # failed refresh in Vital's taxonomy.
    error_type = (
        exc.error_type
        if isinstance(exc, InvalidCredentials | PasswordExpired)
        else "token_refresh_failed"
    )
    was_connected = connection.status == Connection.Status.CONNECTED
    rows.update(
        status=Connection.Status.ERROR,
        error_type=error_type,
        error_message=exc.message,
        errored_at=timezone.now(),
        refresh_failures=failures,
        refresh_lease_until=None,
    )
    if was_connected:
        connection.refresh_from_db()
        connection_error_emit(connection=connection)
    return "failed"


def connection_schedule_refresh(*, connection_id: int, run_after) -> None:
    """Queue a refresh for `run_after`, on a backend that can defer tasks; elsewhere
    `manage.py connections_refresh_due` (from cron) picks it up."""
    from .tasks import connection_refresh_task

    if connection_refresh_task.get_backend().supports_defer:
        run_after = max(timezone.now(), run_after)
        connection_refresh_task.using(run_after=run_after).enqueue(connection_id)


def connections_refresh_due() -> list[int]:
    """Connected connections whose access token expires within the margin and that are not
    held or backing off. Broken ones wait for the user to reconnect (or an operator)."""
    now = timezone.now()
    return list(
        Connection.objects.filter(
            status=Connection.Status.CONNECTED,
            credentials__isnull=False,
            expires_at__lte=now + REFRESH_MARGIN,
        )
        .filter(Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now))
        .values_list("pk", flat=True)
    )
