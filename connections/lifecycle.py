"""Keeping connections alive after the widget: token refresh before expiry, relogin for password
vendors, pending email connections checked until the vendor links them, and what happens when a
vendor stops accepting a connection.

A refresh holds a short lease on the row instead of a database lock over the vendor call, so two
workers never spend the same single-use refresh token, and no writer waits on a vendor. The new
tokens are saved in one UPDATE; a failed call never touches the last good credentials."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from providers.errors import (
    InvalidCredentials,
    PasswordExpired,
    ProviderError,
    ProviderRetired,
    RefreshRejected,
)
from providers.registry import provider_adapter
from webhooks.tasks import DEFERRED_PRIORITY

from .events import connection_created_emit, connection_error_emit
from .models import HEALTHY, Connection
from .signals import history_wanted_send

log = logging.getLogger(__name__)

# Refresh this long before the access token expires.
REFRESH_MARGIN = timedelta(minutes=10)
# Vendor failures in a row (down, rate limited, garbage) before a connection is marked broken.
MAX_TRANSIENT_FAILURES = 6
# The error of a pending connection the vendor never linked within LINK_PENDING_DAYS.
NEVER_LINKED = "user_not_found"
_LIVE = (Connection.Status.CONNECTED, Connection.Status.ERROR)


def _retry_delay(failures: int) -> timedelta:
    """5 min, 10 min, 20 min, … between attempts after a vendor failure."""
    return timedelta(minutes=5 * 2 ** (failures - 1))


def connection_refresh(
    *, connection_id: int, only_when_due: bool = False, as_read: Connection | None = None
) -> str:
    """Refresh one connection's credentials now (`only_when_due`: unless its token no longer
    expires within the margin, because another worker has just refreshed it; `as_read`: unless
    it has been refreshed since the caller read it so). Returns what happened: "refreshed",
    "busy" (another worker has it, or has just done it), "not_needed" (the vendor has nothing to
    refresh), "retry" or "failed"."""
    due = Q()
    if only_when_due:
        due &= Q(expires_at__isnull=True) | Q(expires_at__lte=timezone.now() + REFRESH_MARGIN)
    if as_read is not None:
        due &= Q(last_refreshed_at=as_read.last_refreshed_at)
    connection = _claim(connection_id, statuses=_LIVE, due=due)
    if connection is None:
        return "busy"
    rows = Connection.objects.filter(pk=connection_id)
    try:
        adapter = provider_adapter(connection.provider, team=connection.user.team)
        tokens = adapter.refresh(connection.credentials)
    except NotImplementedError:
        rows.update(refresh_lease_until=None)
        return "not_needed"
    except ProviderError as exc:
        return _refresh_failed(connection, exc)
    credentials = tokens.as_credentials()
    # Keep what the vendor's refresh does not repeat (its account id, a region).
    credentials["extra"] = {**connection.credentials.get("extra", {}), **credentials["extra"]}
    rows.update(
        credentials=credentials,
        expires_at=tokens.expires_at,
        scopes=list(tokens.scopes) or connection.scopes,
        last_refreshed_at=timezone.now(),
        **HEALTHY,
    )
    if tokens.expires_at:
        connection_schedule(
            connection_id=connection_id, run_after=tokens.expires_at - REFRESH_MARGIN
        )
    return "refreshed"


def _claim(connection_id: int, *, statuses, due: Q | None = None) -> Connection | None:
    """Take the connection for one vendor call, unless another worker holds it or it is
    backing off (or, with `due`, no longer matches it)."""
    now = timezone.now()
    lease = now + timedelta(seconds=3 * settings.LINK_PROVIDER_TIMEOUT_SECONDS + 30)
    claimed = (
        Connection.objects.filter(
            pk=connection_id, status__in=statuses, credentials__isnull=False, paused_at__isnull=True
        )
        .filter(due or Q())
        .filter(Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now))
        .update(refresh_lease_until=lease)
    )
    if not claimed:
        return None
    return Connection.objects.select_related("user__team").get(pk=connection_id)


def connection_check_pending(*, connection_id: int) -> str:
    """Ask the vendor whether a pending email connection has been linked on its side.
    Returns "connected", "pending" (asks again later), "busy" or "expired" (never linked in
    LINK_PENDING_DAYS: the connection becomes an error the customer hears about)."""
    connection = _claim(connection_id, statuses=(Connection.Status.PENDING,))
    if connection is None:
        return "busy"
    rows = Connection.objects.filter(pk=connection_id)
    peers = (
        Connection.objects.filter(
            provider=connection.provider,
            status__in=(Connection.Status.PENDING, Connection.Status.CONNECTED),
        )
        .exclude(pk=connection_id)
        .values_list("credentials", flat=True)
    )
    try:
        enrolment = provider_adapter(connection.provider, team=connection.user.team).check(
            connection.credentials, peers=[c for c in peers if c]
        )
    except ProviderError as exc:
        log.info("pending check of %s failed (%s)", connection.pk, exc.error_type)
        enrolment = None
    if enrolment is not None:
        # external_user_id stays the email (Vital's choice for email providers); the vendor's
        # id for the user is in the credentials.
        rows.update(
            status=Connection.Status.CONNECTED,
            credentials=enrolment.credentials,
            refresh_lease_until=None,
        )
        connection.refresh_from_db()
        connection_created_emit(connection=connection)
        history_wanted_send(connection=connection)
        return "connected"
    if timezone.now() - connection.created_on > timedelta(days=settings.LINK_PENDING_DAYS):
        rows.update(
            status=Connection.Status.ERROR,
            error_type=NEVER_LINKED,
            error_message="The account was never linked on the provider's side.",
            errored_at=timezone.now(),
            refresh_lease_until=None,
        )
        connection.refresh_from_db()
        connection_error_emit(connection=connection)
        return "expired"
    next_check = timezone.now() + timedelta(seconds=settings.LINK_PENDING_CHECK_SECONDS)
    rows.update(refresh_lease_until=next_check)
    connection_schedule(connection_id=connection_id, run_after=next_check)
    return "pending"


def _refresh_failed(connection: Connection, exc: ProviderError) -> str:
    rows = Connection.objects.filter(pk=connection.pk)
    permanent = isinstance(
        exc, InvalidCredentials | PasswordExpired | ProviderRetired | RefreshRejected
    )
    failures = connection.refresh_failures + 1
    if not permanent and failures < MAX_TRANSIENT_FAILURES:
        # The lease doubles as "not before": nobody retries until the backoff has passed.
        retry_at = timezone.now() + _retry_delay(failures)
        rows.update(refresh_failures=failures, refresh_lease_until=retry_at)
        connection_schedule(connection_id=connection.pk, run_after=retry_at)
        log.info("refresh of connection %s failed (%s); retrying", connection.pk, exc.error_type)
        return "retry"
    # A password the vendor refuses, or a vendor that is gone, says so; an OAuth grant that
    # cannot be renewed is a failed refresh in Vital's taxonomy.
    error_type = (
        exc.error_type
        if isinstance(exc, InvalidCredentials | PasswordExpired | ProviderRetired)
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


def connection_schedule(*, connection_id: int, run_after) -> None:
    """Queue the connection's next background step (a refresh, or a pending check) for
    `run_after`, on a backend that can defer tasks; elsewhere `manage.py connections_due`
    (from cron) picks it up."""
    from .tasks import connection_due_task

    if connection_due_task.get_backend().supports_defer:
        run_after = max(timezone.now(), run_after)
        task = connection_due_task.using(run_after=run_after, priority=DEFERRED_PRIORITY)
        task.enqueue(connection_id)


def connection_schedule_next(*, connection: Connection) -> None:
    """Queue the first background step of a new or reconnected connection."""
    if connection.status == Connection.Status.PENDING:
        run_after = timezone.now() + timedelta(seconds=settings.LINK_PENDING_CHECK_SECONDS)
    elif connection.expires_at:
        run_after = connection.expires_at - REFRESH_MARGIN
    else:
        return
    connection_schedule(connection_id=connection.pk, run_after=run_after)


def connection_due(*, connection_id: int) -> str:
    """Whatever the connection needs now: a pending check, or a refresh."""
    status = Connection.objects.filter(pk=connection_id).values_list("status", flat=True).first()
    if status == Connection.Status.PENDING:
        return connection_check_pending(connection_id=connection_id)
    return connection_refresh(connection_id=connection_id, only_when_due=True)


def connections_due() -> list[int]:
    """Connections with work due and nobody on it: connected ones whose access token expires
    within the margin, and pending ones to check. Broken ones wait for the user to reconnect
    (or an operator)."""
    now = timezone.now()
    refresh = Q(status=Connection.Status.CONNECTED, expires_at__lte=now + REFRESH_MARGIN)
    return list(
        Connection.objects.filter(refresh | Q(status=Connection.Status.PENDING))
        .filter(credentials__isnull=False, paused_at__isnull=True)
        .filter(Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now))
        .values_list("pk", flat=True)
    )
