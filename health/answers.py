"""Stored rows as Vital's JSON (the official SDK's models, field for field): the data API's
answers and the data webhooks' `data` are built here and nowhere else.

Time series are written straight to JSON text: a 30-day window of heart rate at one sample a
minute is 43,200 samples, and building them as pydantic models first costs more than reading
them from the database (BENCHMARKS.md, "Health data")."""

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from django.db import models

from providers.catalogue import provider_get

from .models import Source, Summary, Workout, vital_fields
from .resources import Series

# A workout with no sport, where Vital's raw model requires one [Link's choice].
OTHER_SPORT = {"id": 0, "name": "Other", "slug": "other"}


def iso(moment: datetime) -> str:
    """A UTC instant as Vital writes them: `2026-11-01T07:00:00+00:00`."""
    return moment.astimezone(UTC).isoformat()


def provider_out(slug: str) -> dict:
    """Vital's ClientFacingProvider: what the `/raw` answers call the source."""
    info = provider_get(slug)
    return {"name": info.name if info else slug, "slug": slug, "logo": info.logo if info else ""}


def source_out(source: Source) -> dict:
    """Vital's ClientFacingSource, with the deprecated name, slug and logo that older readers
    of Vital's docs still expect."""
    return {
        "provider": source.provider,
        "type": source.type,
        "device_id": source.device_id or None,
        **provider_out(source.provider),
    }


def _value(field: models.Field, value):
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return iso(value)
    if isinstance(field, models.DateField):
        return value.isoformat()
    return value


def summary_out(row: Summary, source: Source) -> dict:
    """Vital's ClientFacing{Sleep,Activity,Workout,Body,Profile}."""
    answer = {"id": str(row.id), "user_id": str(row.user_id)}
    answer.update({f.name: _value(f, getattr(row, f.attname)) for f in vital_fields(type(row))})
    if type(row).dated:
        answer["date"] = iso(datetime.combine(row.calendar_date, time.min, UTC))
    if isinstance(row, Workout):
        answer["provider_id"] = row.provider_id
    answer["source"] = source_out(source)
    answer["created_at"] = iso(row.created_at)
    answer["updated_at"] = iso(row.updated_at)
    return answer


def _raw_timestamp(row: Summary) -> datetime:
    if isinstance(row, Workout):
        return row.time_start
    return datetime.combine(getattr(row, "calendar_date", date.min), time.min, UTC)


def raw_out(row: Summary, source: Source) -> dict:
    """Vital's {Sleep,Activity,Workout,Body}V2InDb and ProfileInDb: the vendor's own JSON."""
    answer = {
        "id": str(row.id),
        "user_id": str(row.user_id),
        "data": row.raw,
        "source_id": source.pk,
        "priority_id": 1,  # Link ranks no source above another
        "source": provider_out(source.provider),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }
    if type(row).dated or isinstance(row, Workout):
        answer["timestamp"] = iso(_raw_timestamp(row))
        answer["provider_id"] = row.provider_id
    if isinstance(row, Workout):
        answer["sport"] = row.sport or OTHER_SPORT
        answer["sport_id"] = answer["sport"]["id"]
    return answer


def samples_json(series: Series, rows: Iterable[tuple], types: dict[int, str]) -> str:
    """A JSON array of Vital's ClientFacing<X>Timeseries, from (timestamp, source_id, end,
    value, value2, timezone_offset) tuples whose times are ISO 8601 text (iso). `types` maps
    a source id to its type, which glucose samples carry (automatic, manual_scan) as Vital's
    spec shows."""
    head = f'{{"unit":"{series.unit}","timezone_offset":'
    glucose = series.slug == "glucose"
    types = {source_id: json.dumps(type_) for source_id, type_ in types.items()}
    parts = []
    for stamp, source_id, end, value, value2, offset in rows:
        part = f'{head}{"null" if offset is None else offset},"timestamp":"{stamp}"'
        if series.interval:
            part += f',"start":"{stamp}","end":"{end}"'
        if series.pair:
            part += f',"systolic":{value!r},"diastolic":{value2!r}}}'
        elif glucose:
            part += f',"type":{types[source_id]},"value":{value!r}}}'
        else:
            part += f',"value":{value!r}}}'
        parts.append(part)
    return "[" + ",".join(parts) + "]"
