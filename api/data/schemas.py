"""The data API's query parameters, and its answers as OpenAPI describes them. The answers are
written by health.answers straight to JSON; these schemas only document them (and the fuzz
test holds the two together). The summaries' schemas come from the store's models, whose
columns are Vital's fields by the same names."""

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from django.utils import timezone
from ninja import Schema
from ninja.orm import create_schema
from pydantic import BeforeValidator, Field, WithJsonSchema

from health.models import SUMMARY_MODELS, Workout, vital_fields

_MOMENT_SCHEMA = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
}
# A "+" written bare in a query string arrives as a space: `…T00:00:00 00:00`.
_BARE_PLUS = re.compile(r" (\d\d:?\d\d)$")


def _moment(value, *, end: bool) -> datetime:
    """A UTC instant from a date (its first or, for an end, last moment, in UTC) or an ISO
    8601 date-time (UTC when it names no offset)."""
    text = str(value).strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time.max if end else time.min)
        else:
            moment = datetime.fromisoformat(_BARE_PLUS.sub(r"+\1", text))
    except ValueError:
        raise ValueError("Use a date (YYYY-MM-DD) or an ISO 8601 date-time.") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # within a day of year 1 or 9999
        return (datetime.max if end else datetime.min).replace(tzinfo=UTC)


Start = Annotated[
    datetime,
    BeforeValidator(lambda v: _moment(v, end=False)),
    WithJsonSchema(_MOMENT_SCHEMA),
]
End = Annotated[
    datetime, BeforeValidator(lambda v: _moment(v, end=True)), WithJsonSchema(_MOMENT_SCHEMA)
]


class ProviderQuery(Schema):
    provider: str = Field(
        "", max_length=40, description="A provider slug (`oura`); empty: every provider."
    )


class Window(ProviderQuery):
    start_date: Start = Field(
        description="From this moment; a date without a time starts at 00:00:00 UTC."
    )
    end_date: End | None = Field(
        None,
        description="Until this moment; a date without a time ends at 23:59:59 UTC. Default: now.",
    )

    def bounds(self) -> tuple[datetime, datetime]:
        return self.start_date, self.end_date or timezone.now()


class GroupedWindow(Window):
    next_cursor: str | None = Field(None, max_length=200, description="The page after this one.")
    cursor: str | None = Field(
        None,
        max_length=200,
        json_schema_extra={"deprecated": True},
        description="Same as `next_cursor`.",
    )


class DetailOut(Schema):
    detail: str


class SourceOut(Schema):
    provider: str
    type: str | None = None
    device_id: str | None = None
    name: str | None = None
    slug: str | None = None
    logo: str | None = None


class ProviderOut(Schema):
    name: str
    slug: str
    logo: str


def _summary_schema(resource: str, model) -> type[Schema]:
    name = f"ClientFacing{model.__name__}"
    extra = [
        ("id", UUID, ...),
        ("user_id", UUID, ...),
        ("source", SourceOut, ...),
        ("created_at", datetime, ...),
        ("updated_at", datetime, ...),
    ]
    if model.dated:
        extra.append(("date", datetime, Field(..., description="calendar_date at 00:00 UTC.")))
    if model is Workout:
        extra.append(("provider_id", str, Field(..., description="The vendor's workout id.")))
    fields = [f.name for f in vital_fields(model)]
    return create_schema(model, name=name, fields=fields, custom_fields=extra)


SUMMARY_OUT = {resource: _summary_schema(resource, m) for resource, m in SUMMARY_MODELS.items()}


class RawOut(Schema):
    """Vital's *V2InDb: the vendor's own JSON about one summary."""

    id: UUID
    user_id: UUID
    data: dict[str, Any]
    source_id: int
    priority_id: int
    source: ProviderOut
    created_at: datetime
    updated_at: datetime
    timestamp: datetime | None = None
    provider_id: str | None = None
    sport_id: int | None = None
    sport: dict[str, Any] | None = None


class SampleOut(Schema):
    timestamp: datetime
    unit: str
    value: float
    timezone_offset: int | None = Field(None, description="Seconds east of UTC; null: unknown.")
    type: str | None = None


class IntervalSampleOut(SampleOut):
    start: datetime
    end: datetime = Field(description="Exclusive.")


class BloodPressureOut(Schema):
    timestamp: datetime
    unit: str
    systolic: float
    diastolic: float
    timezone_offset: int | None = None


def sample_schema(series) -> type[Schema]:
    if series.pair:
        return BloodPressureOut
    return IntervalSampleOut if series.interval else SampleOut


class Group[T](Schema):
    source: SourceOut
    data: list[T]


class Grouped[T](Schema):
    """Samples by provider, then by source; `next_cursor` asks for the next page."""

    groups: dict[str, list[Group[T]]]
    next: str | None = None
    next_cursor: str | None = None
