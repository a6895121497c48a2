"""Reading the store, for the data API and the console. Callers have already checked that the
user is one of the asking team's."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Avg, CharField, Func, Max, Min, Q, Sum
from django.db.models.functions import TruncDate

from .models import Activity, Sample, Sleep, Source, Summary, Workout
from .resources import SERIES_BY_SLUG, Series


def sources_of(user_id, provider: str = "") -> dict[int, Source]:
    """The user's sources, of one provider when `provider` is given."""
    sources = Source.objects.filter(user_id=user_id)
    if provider:
        sources = sources.filter(provider=provider)
    return {s.pk: s for s in sources}


def summaries_in(
    model: type[Summary], user_id, first: date | None, last: date | None, sources: dict[int, Source]
) -> list[Summary]:
    """The user's summaries whose calendar day (profile: any) is in [first, last], by day."""
    rows = model.objects.filter(user_id=user_id, source_id__in=list(sources))
    if hasattr(model, "calendar_date"):
        rows = rows.filter(calendar_date__range=(first, last)).order_by("calendar_date", "id")
    if model is Workout:
        rows = rows.defer("stream")
    return list(rows)


class IsoUtc(Func):
    """A moment as the text Vital writes (`2026-11-01T07:00:00+00:00`), made by the database:
    parsing 43,200 datetimes in Python to format them again costs more than the query does."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores an aware datetime in SQLite as its UTC `2026-11-01 07:00:00[.ffffff]`.
        template = "REPLACE(%(expressions)s, ' ', 'T') || '+00:00'"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = (
            "REPLACE(TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'),"
            " '.000000', '') || '+00:00'"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


def samples_in(
    user_id,
    series: Series,
    start: datetime,
    end: datetime,
    source_ids: list[int],
    after: tuple[datetime, int] | None = None,
):
    """The samples in [start, end] as (timestamp, source_id, end, value, value2,
    timezone_offset) tuples, the times as ISO 8601 text, in (time, source) order: one range
    scan of the primary key. `after` continues a page from its last (time, source)."""
    rows = Sample.objects.filter(
        user_id=user_id,
        resource=series.code,
        ts__range=(start, end),
        source_id__in=source_ids,
    )
    if after is not None:
        ts, source_id = after
        rows = rows.filter(Q(ts__gt=ts) | Q(ts=ts, source_id__gt=source_id))
    rows = rows.annotate(timestamp=IsoUtc("ts"), end=IsoUtc("end_ts")).order_by("ts", "source_id")
    return rows.values_list("timestamp", "source_id", "end", "value", "value2", "timezone_offset")


@dataclass(frozen=True)
class Day:
    """One day of a user's week at a glance (the demo's chart): what was slept that night,
    walked and the heart's range; None where nothing was pulled."""

    day: date
    sleep_hours: float | None
    steps: int | None
    heartrate_min: float | None
    heartrate_avg: float | None
    heartrate_max: float | None


def week_of(user_id, last: date) -> list[Day]:
    """The seven days to `last`: sleep and steps by the user's calendar day (the summaries),
    steps from the samples where no day's activity says, heart rate by UTC day."""
    first = last - timedelta(days=6)
    mine = {"user_id": user_id, "calendar_date__range": (first, last)}
    slept = dict(
        Sleep.objects.filter(**mine)
        .values("calendar_date")
        .annotate(Sum("total"))
        .values_list("calendar_date", "total__sum")
    )
    walked = dict(
        Activity.objects.filter(**mine, steps__isnull=False)
        .values("calendar_date")
        .annotate(Sum("steps"))
        .values_list("calendar_date", "steps__sum")
    )
    moments = {
        "user_id": user_id,
        "ts__gte": datetime.combine(first, time.min, UTC),
        "ts__lt": datetime.combine(last + timedelta(days=1), time.min, UTC),
    }
    by_day = Sample.objects.filter(**moments).annotate(day=TruncDate("ts", tzinfo=UTC))
    counted = dict(
        by_day.filter(resource=SERIES_BY_SLUG["steps"].code)
        .values("day")
        .annotate(Sum("value"))
        .values_list("day", "value__sum")
    )
    pulse = {
        row["day"]: row
        for row in by_day.filter(resource=SERIES_BY_SLUG["heartrate"].code)
        .values("day")
        .annotate(low=Min("value"), mean=Avg("value"), high=Max("value"))
    }
    days = []
    for n in range(7):
        day = first + timedelta(days=n)
        hr = pulse.get(day, {})
        steps = walked.get(day, counted.get(day))
        days.append(
            Day(
                day=day,
                sleep_hours=round(slept[day] / 3600, 1) if slept.get(day) is not None else None,
                steps=round(steps) if steps is not None else None,
                heartrate_min=hr.get("low"),
                heartrate_avg=round(hr["mean"]) if hr else None,
                heartrate_max=hr.get("high"),
            )
        )
    return days
