"""Reading the store, for the data API and the console. Callers have already checked that the
user is one of the asking team's."""

from datetime import date, datetime

from django.db.models import Q

from .answers import SAMPLE_COLUMNS
from .models import Sample, Source, Summary, Workout
from .resources import Series


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


def samples_in(
    user_id,
    series: Series,
    start: datetime,
    end: datetime,
    source_ids: list[int],
    after: tuple[datetime, int] | None = None,
):
    """The samples in [start, end] as SAMPLE_COLUMNS tuples, in (time, source) order: one
    range scan of the primary key. `after` continues a page from its last (time, source)."""
    rows = Sample.objects.filter(
        user_id=user_id,
        resource=series.code,
        ts__range=(start, end),
        source_id__in=source_ids,
    )
    if after is not None:
        ts, source_id = after
        rows = rows.filter(Q(ts__gt=ts) | Q(ts=ts, source_id__gt=source_id))
    return rows.order_by("ts", "source_id").values_list(*SAMPLE_COLUMNS)
