"""The bookkeeping around a vendor pull, for the pull tasks: one worker at a time per resource
of a connection (a lease, so no database lock is held over a vendor call), where the last pull
got to and how it went, and a historical backfill's progress, which ends with Vital's
`historical.data.{resource}.created`.

    state = pull_claim(connection=c, resource="sleep", historical=True)
    if state:  # else another worker has it
        ... fetch a page, ingest(connection=c, resource="sleep", records=..., historical=True)
        pull_release(state=state, cursor=next_cursor)  # or error="…"

health.pulling runs the pulls with it.
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from connections.models import Connection

from .events import events_send, historical_event
from .models import SUMMARY_MODELS, PullState, Sample
from .resources import SERIES_BY_SLUG

LEASE = timedelta(minutes=10)
# Kept by health.ingest as it stores (in SQL, F() expressions), never by the pull.
_COUNTED = {
    "id",
    "connection",
    "resource",
    "created_count",
    "updated_count",
    "oldest_data",
    "newest_data",
}
Historical = PullState.Historical


def historical_pull_schedule(
    *, connection: Connection, resources: list[str], start: datetime, end: datetime
) -> None:
    """Plan a backfill of `resources` over [start, end] (on connect, or asked again)."""
    now = timezone.now()
    for resource in resources:
        PullState.objects.update_or_create(
            connection=connection,
            resource=resource,
            defaults={
                "historical_status": Historical.SCHEDULED,
                "historical_start": start,
                "historical_end": end,
                "historical_scheduled_at": now,
                "historical_started_at": None,
                "historical_ended_at": None,
                "historical_days_with_data": None,
                "historical_error": "",
                "cursor": "",
            },
        )


def pull_claim(
    *, connection: Connection, resource: str, historical: bool = False
) -> PullState | None:
    """Take the resource's pull for LEASE, or None while another worker holds it. A
    historical claim starts the scheduled backfill."""
    state, _ = PullState.objects.get_or_create(connection=connection, resource=resource)
    if historical and state.historical_start is None:
        raise ValueError(f"No backfill of {resource} is scheduled: historical_pull_schedule.")
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    fields = {"lease_until": now + LEASE, "last_attempt_at": now}
    if historical:
        fields["historical_status"] = Historical.IN_PROGRESS
        if state.historical_status == Historical.SCHEDULED:  # not a resumed one
            fields["historical_started_at"] = now
    if not PullState.objects.filter(free, pk=state.pk).update(**fields):
        return None
    state.refresh_from_db()
    return state


def pull_release(
    *,
    state: PullState,
    cursor: str | None = None,
    error: str = "",
    error_details: str = "unexpected_error",
    retry_at: datetime | None = None,
    next_pull_at: datetime | None = None,
) -> None:
    """Record how the pull went (`error`: what failed, for the console) and free the
    resource. If it was the backfill, the backfill is over, unless it is to be tried again at
    `retry_at` (it is `retrying` till then); on success the customer is told.
    `error_details` is Vital's HistoricalPullRetriableErrorDetails or …NonRetriable….
    `next_pull_at`: when the next incremental pull is due."""
    state.lease_until = None
    state.last_status = PullState.Status.FAILURE if error else PullState.Status.SUCCESS
    state.last_error = error[:300]
    if cursor is not None:
        state.cursor = cursor
    if next_pull_at is not None or retry_at is not None:
        state.next_pull_at = retry_at or next_pull_at
    backfill = state.historical_status == Historical.IN_PROGRESS
    if backfill and retry_at is not None:
        state.historical_status = Historical.RETRYING
        backfill = False
    if backfill:
        state.historical_status = Historical.FAILURE if error else Historical.SUCCESS
        state.historical_ended_at = timezone.now()
        state.historical_error = error_details if error else ""
        state.historical_days_with_data = _days_with_data(state)
    # Only what the pull owns: ingest counted the rows meanwhile, in the database.
    state.save(
        update_fields=[f.name for f in PullState._meta.concrete_fields if f.name not in _COUNTED]
    )
    if backfill and not error:
        connection = state.connection
        events_send(
            connection,
            [
                historical_event(
                    connection, state.resource, state.historical_start, state.historical_end
                )
            ],
        )


def _days_with_data(state: PullState) -> int:
    """Days of the backfill's range on which the store holds the resource from this provider
    (UTC days for samples, the local calendar day for summaries)."""
    connection = state.connection
    start, end = state.historical_start, state.historical_end
    mine = {"user_id": connection.user_id}
    if state.resource in SUMMARY_MODELS:
        model = SUMMARY_MODELS[state.resource]
        rows = model.objects.filter(**mine, source__provider=connection.provider)
        if not hasattr(model, "calendar_date"):
            return int(rows.exists())
        rows = rows.filter(calendar_date__range=(start.date(), end.date()))
        return rows.values("calendar_date").distinct().count()
    series = SERIES_BY_SLUG[state.resource]
    rows = Sample.objects.filter(
        **mine,
        resource=series.code,
        ts__range=(start, end),
        source__provider=connection.provider,
    )
    return rows.annotate(day=TruncDate("ts")).values("day").distinct().count()
