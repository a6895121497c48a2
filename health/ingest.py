"""Putting vendor-neutral records into the store: `ingest(connection=, resource=, records=)`.

A vendor pull converts what it fetched into records (providers.data's SampleRecord and
SummaryRecord) in Vital's units (health.resources) and hands them over a batch at a time (one
vendor page). Each batch is checked whole first: a bad record refuses the batch with an error
naming it, and nothing of it is stored. Then, in one short transaction, the batch is compared
with what the store holds: new keys are created, changed values updated, identical ones left
alone, so a re-pull changes nothing and sends nothing (Vital: "compares [fetched data] against
what we have already ingested, and sends out the differences"). The writes are bulk upserts on
the natural keys, and the data webhooks go out once the transaction commits."""

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from connections.models import Connection

from .events import events_send, sample_events, summary_events
from .models import SUMMARY_MODELS, PullState, Sample, Source, Summary
from .resources import SERIES_BY_SLUG, Series

# Rows per INSERT statement.
WRITE_BATCH = 2000
# Summary ids are uuid5(this, "user/provider/resource/vendor id"): stable across re-pulls.
_SUMMARY_NAMESPACE = uuid.UUID("3f0c1d52-8a4e-4f4b-9a57-2b8e0f6c1a90")


class InvalidRecords(ValueError):
    """A batch refused whole; the message names the record and what is wrong with it."""


@dataclass(frozen=True)
class Ingested:
    created: int
    updated: int
    unchanged: int


def ingest(
    *, connection: Connection, resource: str, records: list, historical: bool = False
) -> Ingested:
    """Store a batch of `resource` records from `connection`'s provider. A historical batch
    (part of a backfill) sends no daily events: the backfill ends with one historical event
    (health.pulls.pull_release)."""
    if resource in SUMMARY_MODELS:
        store = _summaries_store
    elif resource in SERIES_BY_SLUG:
        store = _samples_store
    else:
        raise InvalidRecords(f"{resource!r} is not a resource Link stores.")
    with transaction.atomic():
        sources = _sources(connection, {(r.source_type, r.device_id) for r in records})
        changes, unchanged, moments = store(connection, resource, records, sources)
        created = sum(new for _, new in changes)
        _account(connection, resource, created, len(changes) - created, moments)
        if not historical and changes:
            if resource in SUMMARY_MODELS:
                events = summary_events(connection, resource, changes, sources)
            else:
                events = sample_events(connection, SERIES_BY_SLUG[resource], changes, sources)
            events_send(connection, events)
    return Ingested(created=created, updated=len(changes) - created, unchanged=unchanged)


def _sources(connection: Connection, kinds: set[tuple[str, str]]) -> dict[int, Source]:
    sources = {}
    for source_type, device_id in kinds:
        if not source_type or len(source_type) > 32 or len(device_id) > 100:
            raise InvalidRecords(f"Source {source_type!r}/{device_id!r}: too long or empty.")
        source, _ = Source.objects.get_or_create(
            user_id=connection.user_id,
            provider=connection.provider,
            type=source_type,
            device_id=device_id,
            defaults={"connection": connection},
        )
        if source.connection_id != connection.pk:  # the account was connected again
            Source.objects.filter(pk=source.pk).update(connection=connection)
        sources[source.pk] = source
    return sources


def _source_ids(sources: dict[int, Source]) -> dict[tuple[str, str], int]:
    return {(s.type, s.device_id): pk for pk, s in sources.items()}


def _utc(moment, where: str) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise InvalidRecords(f"{where}: {moment!r} is not a datetime with a time zone.")
    return moment.astimezone(UTC)


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidRecords(f"{where}: {value!r} is not a finite number.")
    return float(value)


def _samples_store(connection, resource, records, sources):
    series: Series = SERIES_BY_SLUG[resource]
    ids = _source_ids(sources)
    now = timezone.now()
    batch: dict[tuple, Sample] = {}
    for index, record in enumerate(records):
        where = f"{resource} sample {index}"
        ts = _utc(record.timestamp, where)
        end = _utc(record.end, where) if series.interval else None
        if end is not None and end <= ts:
            raise InvalidRecords(f"{where}: ends at {end.isoformat()}, not after its start.")
        diastolic = _number(record.diastolic, where) if series.pair else None
        offset = record.timezone_offset
        if offset is not None and (not isinstance(offset, int) or abs(offset) > 18 * 3600):
            raise InvalidRecords(f"{where}: timezone_offset {offset!r} is not seconds from UTC.")
        source_id = ids[record.source_type, record.device_id]
        batch[ts, source_id] = Sample(  # a later record for the same key wins
            user_id=connection.user_id,
            resource=series.code,
            ts=ts,
            source_id=source_id,
            end_ts=end,
            value=_number(record.value, where),
            value2=diastolic,
            timezone_offset=offset,
            created_at=now,
            updated_at=now,
        )
    if not batch:
        return [], 0, []
    times = [ts for ts, _ in batch]
    held = Sample.objects.filter(
        user_id=connection.user_id,
        resource=series.code,
        ts__gte=min(times),
        ts__lte=max(times),
        source_id__in=list(sources),
    ).values_list("ts", "source_id", "end_ts", "value", "value2", "timezone_offset", "created_at")
    existing = {(ts, source_id): (rest[:-1], rest[-1]) for ts, source_id, *rest in held}
    changes = []
    for key, sample in batch.items():
        old = existing.get(key)
        if old is None:
            changes.append((sample, True))
        elif old[0] != [sample.end_ts, sample.value, sample.value2, sample.timezone_offset]:
            sample.created_at = old[1]
            changes.append((sample, False))
    Sample.objects.bulk_create(
        [sample for sample, _ in changes],
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["user", "resource", "ts", "source"],
        update_fields=["end_ts", "value", "value2", "timezone_offset", "updated_at"],
    )
    return changes, len(batch) - len(changes), [min(times), max(times)]


def summary_id(*, user_id, provider: str, resource: str, provider_id: str) -> uuid.UUID:
    return uuid.uuid5(_SUMMARY_NAMESPACE, f"{user_id}/{provider}/{resource}/{provider_id}")


def _summary(connection, resource, model, record, source_id, where) -> Summary:
    """Vital's fields of the summary (and a workout's stream), checked by its model."""
    fields = {f.name: f for f in model._meta.concrete_fields if f.name not in Summary.INTERNAL}
    unknown = sorted(set(record.fields) - set(fields))
    if unknown:
        raise InvalidRecords(f"{where}: {', '.join(unknown)}: not fields of a {resource} summary.")
    values = {}
    for name, value in record.fields.items():
        if isinstance(fields[name], models.IntegerField) and isinstance(value, float):
            value = round(value) if math.isfinite(value) else value  # Vital's ints are ints
        values[name] = value
    row = model(
        id=summary_id(
            user_id=connection.user_id,
            provider=connection.provider,
            resource=resource,
            provider_id=record.provider_id,
        ),
        user_id=connection.user_id,
        source_id=source_id,
        provider_id=record.provider_id,
        raw=record.raw,
        **values,
    )
    try:
        row.clean_fields(exclude=["id", "user", "source", "raw", "created_at", "updated_at"])
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise InvalidRecords(f"{where}: {problems}") from None
    for f in fields.values():
        if isinstance(f, models.DateTimeField) and getattr(row, f.attname) is not None:
            setattr(row, f.attname, _utc(getattr(row, f.attname), f"{where}: {f.name}"))
        elif isinstance(f, models.FloatField) and getattr(row, f.attname) is not None:
            _number(getattr(row, f.attname), f"{where}: {f.name}")
    return row


def _compared(row: Summary) -> list:
    skip = {"id", "created_at", "updated_at"}
    return [getattr(row, f.attname) for f in row._meta.concrete_fields if f.name not in skip]


def _summaries_store(connection, resource, records, sources):
    model = SUMMARY_MODELS[resource]
    ids = _source_ids(sources)
    batch = {}
    for index, record in enumerate(records):
        where = f"{resource} {index} ({record.provider_id!r})"
        if not record.provider_id or len(record.provider_id) > 200:
            raise InvalidRecords(f"{where}: the vendor's id must have 1 to 200 characters.")
        source_id = ids[record.source_type, record.device_id]
        row = _summary(connection, resource, model, record, source_id, where)
        batch[row.id] = row
    existing = model.objects.in_bulk(list(batch))
    now = timezone.now()
    changes = []
    for pk, row in batch.items():
        old = existing.get(pk)
        if old is not None and _compared(old) == _compared(row):
            continue
        row.created_at = old.created_at if old else now
        row.updated_at = now
        changes.append((row, old is None))
    model.objects.bulk_create(
        [row for row, _ in changes],
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=[
            f.name for f in model._meta.concrete_fields if f.name not in ("id", "created_at")
        ],
    )
    days = [row.calendar_date for row in batch.values() if hasattr(row, "calendar_date")]
    moments = (
        [datetime.combine(day, time.min, UTC) for day in (min(days), max(days))] if days else []
    )
    return changes, len(batch) - len(changes), moments


def _account(connection, resource: str, created: int, updated: int, moments: list) -> None:
    """Count what the batch changed, and widen the span of data held."""
    state, _ = PullState.objects.get_or_create(connection=connection, resource=resource)
    if not (created or updated or moments):
        return
    fields = {
        "created_count": F("created_count") + created,
        "updated_count": F("updated_count") + updated,
    }
    if moments:
        oldest, newest = Value(moments[0]), Value(moments[-1])
        fields["oldest_data"] = Least(Coalesce("oldest_data", oldest), oldest)
        fields["newest_data"] = Greatest(Coalesce("newest_data", newest), newest)
    PullState.objects.filter(pk=state.pk).update(**fields)
