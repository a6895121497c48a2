"""The vendor pulls: a connection's history when it connects (`backfill_start`), then what is new,
when the vendor pushes word of it (`notices_pull`) or on a schedule (`pull_run`). A pull reads one
resource a page at a time through its vendor's reader (providers.data) and hands every page to
health.ingest, so a re-pull changes nothing. No database lock is held across a vendor call: the
resource's lease (health.pulls) keeps other workers off it. A backfill saves the vendor's paging
cursor after every page and resumes from it; a 429 ends the pull, which is queued again for
after the vendor's Retry-After (a backfill is `retrying` meanwhile, as Vital says)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from connections.credentials import CredentialsUnavailable, connection_credentials_fresh
from connections.models import Connection
from providers.data import AccessRejected, Notice, Page
from providers.errors import ProviderError, ProviderRateLimited
from providers.registry import DATA_READERS, provider_adapter
from webhooks.tasks import DEFERRED_PRIORITY

from .ingest import InvalidRecords, ingest
from .models import PullState
from .pulls import LEASE, historical_pull_schedule, pull_claim, pull_release

log = logging.getLogger(__name__)

Historical = PullState.Historical
# A page starts with an access token still good for this long.
_TOKEN_MIN_TTL = timedelta(minutes=5)
_BACKFILL_OPEN = (Historical.SCHEDULED, Historical.IN_PROGRESS, Historical.RETRYING)
# How long a queued pull holds its place against the notices after it, should it never start.
_QUEUED_SECONDS = 600


def _queued(connection_id: int, resource: str) -> str:
    return f"health:pull-queued:{connection_id}:{resource}"


def backfill_start(*, connection_id: int) -> list[str]:
    """Plan the connection's historical backfill (the last LINK_BACKFILL_DAYS) and queue one
    pull per resource its vendor serves; the resources queued."""
    connection = _pullable(connection_id)
    if connection is None:
        return []
    resources = list(DATA_READERS[connection.provider].resources)
    _subscribe(connection)
    end = timezone.now()
    start = end - timedelta(days=settings.LINK_BACKFILL_DAYS)
    historical_pull_schedule(connection=connection, resources=resources, start=start, end=end)
    for resource in resources:
        pull_enqueue(connection_id=connection_id, resource=resource, historical=True)
    return resources


def notices_pull(*, provider: str, notices: list[Notice]) -> int:
    """Queue an incremental pull for each connection and resource a vendor's notices name
    (every connection to that vendor account: several teams may have one); how many."""
    queued = 0
    for notice in notices:
        connections = Connection.objects.filter(
            provider=provider,
            external_user_id=notice.external_user_id,
            status=Connection.Status.CONNECTED,
        ).values_list("pk", flat=True)
        for connection_id in connections:
            queued += pulls_enqueue(
                connection_id=connection_id, resources=notice.resources, coalesce=True
            )
    return queued


def pulls_enqueue(
    *, connection_id: int, resources: tuple[str, ...] = (), coalesce: bool = False
) -> int:
    """Queue an incremental pull of each of `resources` (empty: all) that the connection's
    vendor serves; how many (none when Link does not pull that vendor). `coalesce`: not where
    a pull of the resource is already queued and has not started (a vendor's burst of notices,
    or a flood of forged ones for a vendor that signs nothing, then costs one pull)."""
    provider = Connection.objects.values_list("provider", flat=True).get(pk=connection_id)
    served = DATA_READERS[provider].resources if provider in DATA_READERS else ()
    wanted = [r for r in served if not resources or r in resources]
    if coalesce:
        wanted = [r for r in wanted if cache.add(_queued(connection_id, r), 1, _QUEUED_SECONDS)]
    for resource in wanted:
        pull_enqueue(connection_id=connection_id, resource=resource)
    return len(wanted)


def pull_enqueue(
    *, connection_id: int, resource: str, historical: bool = False, run_after=None
) -> None:
    """Queue a pull, now or (a scheduled one) at `run_after` on a backend that can defer
    tasks; elsewhere `manage.py pulls_due`, from cron, runs the scheduled ones."""
    from .tasks import pull_task  # the tasks module imports this one

    if run_after is None:
        pull_task.enqueue(connection_id, resource, historical, False)
    elif pull_task.get_backend().supports_defer:
        deferred = pull_task.using(run_after=run_after, priority=DEFERRED_PRIORITY)
        deferred.enqueue(connection_id, resource, historical, True)


def pull_run(
    *, connection_id: int, resource: str, historical: bool = False, scheduled: bool = False
) -> str:
    """Pull `resource` of the connection: its backfill, or what is new since the last pull.
    Returns "pulled"; "busy" (another worker has it); "not_due" (a scheduled pull that a newer
    one overtook); "not_pulled" (not connected, no reader, or no backfill planned);
    "rate_limited" (queued again for later) or "failed" (recorded for the console)."""
    if not (historical or scheduled):
        cache.delete(_queued(connection_id, resource))  # a notice from now on queues another
    connection = _pullable(connection_id)
    if connection is None or resource not in DATA_READERS[connection.provider].resources:
        return "not_pulled"
    before = PullState.objects.filter(connection=connection, resource=resource).first()
    if historical and (before is None or before.historical_status not in _BACKFILL_OPEN):
        return "not_pulled"
    if scheduled and before and (before.next_pull_at or timezone.now()) > timezone.now():
        return "not_due"
    state = pull_claim(connection=connection, resource=resource, historical=historical)
    if state is None:
        return "busy"
    if historical:
        start, end = state.historical_start, state.historical_end
        cursor = before.cursor or None  # a backfill cut short resumes where it stopped
    else:
        end = timezone.now()
        revision = DATA_READERS[connection.provider].revision
        start = (state.pulled_until or end) - revision
        cursor = None
    try:
        while True:
            connection, page = _page(connection, resource, start, end, cursor)
            ingest(
                connection=connection,
                resource=resource,
                records=page.records,
                historical=historical,
            )
            cursor = page.cursor
            if cursor is None:
                break
            # Still ours (the next page is a vendor call away), and a backfill resumable here.
            mark = {"cursor": cursor} if historical else {}
            PullState.objects.filter(pk=state.pk).update(lease_until=timezone.now() + LEASE, **mark)
    except ProviderRateLimited as exc:
        retry_at = timezone.now() + timedelta(seconds=exc.retry_after)
        kept = cursor or "" if historical else ""
        pull_release(state=state, cursor=kept, error=exc.message, retry_at=retry_at)
        pull_enqueue(
            connection_id=connection_id,
            resource=resource,
            historical=historical,
            run_after=retry_at,
        )
        return "rate_limited"
    except (ProviderError, CredentialsUnavailable, InvalidRecords) as exc:
        log.warning("pull of %s %s failed: %s", connection.provider, resource, type(exc).__name__)
        permanent = isinstance(exc, InvalidRecords | CredentialsUnavailable)
        pull_release(
            state=state,
            cursor="",
            error=str(exc),
            error_details="unexpected_error" if permanent else "provider_unavailable",
        )
        return "failed"
    state.pulled_until = max(end, state.pulled_until or end)
    pull_release(state=state, cursor="", next_pull_at=_next_pull(connection))
    pull_enqueue(connection_id=connection_id, resource=resource, run_after=state.next_pull_at)
    return "pulled"


def pulls_due() -> list[tuple[int, str, bool]]:
    """(connection, resource, historical) of every pull due and free: scheduled pulls whose
    time has come, and backfills planned or cut short (a worker died, a 429 passed)."""
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    backfill = Q(historical_status__in=(Historical.SCHEDULED, Historical.IN_PROGRESS))
    due = Q(next_pull_at__lte=now) | backfill  # a retrying backfill waits for next_pull_at
    rows = PullState.objects.filter(free, due, connection__status=Connection.Status.CONNECTED)
    return [
        (connection_id, resource, status in _BACKFILL_OPEN)
        for connection_id, resource, status in rows.values_list(
            "connection_id", "resource", "historical_status"
        )
    ]


def _pullable(connection_id: int) -> Connection | None:
    connection = (
        Connection.objects.select_related("user__team")
        .filter(pk=connection_id, status=Connection.Status.CONNECTED, paused_at__isnull=True)
        .first()
    )
    if connection is None or connection.provider not in DATA_READERS:
        return None
    if not connection.credentials or connection.credentials.get("demo"):
        return None
    return connection


def _page(
    connection: Connection, resource: str, start: datetime, end: datetime, cursor
) -> tuple[Connection, Page]:
    """One page from the vendor, with a token good for a while; a token the vendor refuses is
    refreshed once and the page asked for again (a vendor read through the operator's own
    account, FreeStyle Libre's practice, has no user token to keep fresh). Returns the
    connection as it now stands (its credentials perhaps renewed) with the page."""
    if connection.credentials.get("access_token"):  # not a vendor read with the app's account
        connection, _ = connection_credentials_fresh(connection=connection, min_ttl=_TOKEN_MIN_TTL)
    try:
        return connection, _reader(connection).page(resource, start, end, cursor)
    except AccessRejected:
        rejected = connection.credentials["access_token"]
        connection, _ = connection_credentials_fresh(
            connection=connection, min_ttl=_TOKEN_MIN_TTL, rejected=rejected
        )
        return connection, _reader(connection).page(resource, start, end, cursor)


def _subscribe(connection: Connection) -> None:
    """Have the vendor notify Link of this user's new data, where it subscribes per user (the
    others need no token for it); a vendor that refuses leaves the scheduled pulls to find the
    data."""
    if not DATA_READERS[connection.provider].subscribes_per_user:
        return
    receiver = f"{settings.LINK_PUBLIC_URL}/push/{connection.provider}"
    try:
        connection, _ = connection_credentials_fresh(connection=connection, min_ttl=_TOKEN_MIN_TTL)
        _reader(connection).subscribe(receiver)
    except (ProviderError, CredentialsUnavailable) as exc:
        log.warning("subscribing %s to %s failed: %s", connection.pk, receiver, type(exc).__name__)


def _reader(connection: Connection):
    adapter = provider_adapter(connection.provider, team=connection.user.team)
    return DATA_READERS[connection.provider](adapter, connection.credentials)


def _next_pull(connection: Connection) -> datetime:
    pushes = DATA_READERS[connection.provider].pushes
    minutes = settings.LINK_PULL_PUSHED_MINUTES if pushes else settings.LINK_PULL_EVERY_MINUTES
    return timezone.now() + timedelta(minutes=minutes)
