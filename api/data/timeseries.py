"""`GET /v2/timeseries/{user_id}/{resource}` (and `/grouped`), and the sleep and workout
streams. A window's samples are read in one range scan of the store's primary key and written
straight to JSON (health.answers)."""

import base64
import binascii
import json
from collections import defaultdict
from datetime import datetime
from uuid import UUID

from django.http import Http404
from ninja import Query, Router
from ninja.errors import HttpError

from health.answers import samples_json, source_out
from health.models import Sleep, Workout
from health.resources import SERIES, SERIES_BY_SLUG, SLEEP_STREAM
from health.selectors import samples_in, sources_of

from ..auth import team_auth
from .access import json_answer, json_text, team_window
from .schemas import DetailOut, Grouped, GroupedWindow, Window, sample_schema

router = Router(tags=["data"], auth=team_auth)

# Samples per page of a grouped answer (Vital does not say its own).
PAGE = 10_000


def _types(sources) -> dict[int, str]:
    return {pk: source.type for pk, source in sources.items()}


def _series(series):
    def view(request, user_id: UUID, window: Query[Window]):
        start, end = team_window(request, user_id, window)
        sources = sources_of(user_id, window.provider)
        rows = samples_in(user_id, series, start, end, list(sources))
        return json_text(samples_json(series, rows, _types(sources)))

    return view


def _cursor(timestamp: str, source_id: int) -> str:
    return base64.urlsafe_b64encode(f"{timestamp}|{source_id}".encode()).decode()


def _after(cursor: str) -> tuple[datetime, int]:
    """The (time, source) a cursor continues from; ValueError if we did not write it."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
        stamp, source_id = text.rsplit("|", 1)
        after = datetime.fromisoformat(stamp), int(source_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError from None
    if after[0].tzinfo is None:
        raise ValueError
    return after


def _grouped(series):
    def view(request, user_id: UUID, window: Query[GroupedWindow]):
        start, end = team_window(request, user_id, window)
        cursor = window.next_cursor or window.cursor
        try:
            after = _after(cursor) if cursor else None
        except ValueError:
            raise HttpError(400, "next_cursor is not one this API gave.") from None
        sources = sources_of(user_id, window.provider)
        rows = list(samples_in(user_id, series, start, end, list(sources), after)[: PAGE + 1])
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        by_source = defaultdict(list)
        for row in rows:
            by_source[row[1]].append(row)
        groups = defaultdict(list)
        types = _types(sources)
        for source_id, samples in by_source.items():
            source = json.dumps(source_out(sources[source_id]))
            data = samples_json(series, samples, types)
            groups[sources[source_id].provider].append(f'{{"source":{source},"data":{data}}}')
        body = ",".join(f"{json.dumps(p)}:[{','.join(items)}]" for p, items in groups.items())
        following = json.dumps(_cursor(*rows[-1][:2]) if more else None)
        return json_text(f'{{"groups":{{{body}}},"next":{following},"next_cursor":{following}}}')

    return view


def _register(series) -> None:
    sample = sample_schema(series)
    path = f"timeseries/{{user_id}}/{series.path}"
    refusals = {400: DetailOut, 404: DetailOut}
    router.add_api_operation(
        path,
        ["GET"],
        _series(series),
        response={200: list[sample], **refusals},
        operation_id=f"{series.path}_get",
        summary=f"{series.slug} samples in {series.unit}, all providers in time order",
    )
    router.add_api_operation(
        path + "/grouped",
        ["GET"],
        _grouped(series),
        response={200: Grouped[sample], **refusals},
        operation_id=f"{series.path}_grouped",
        summary=f"{series.slug} samples by provider and source, {PAGE} a page",
    )


for _series_kind in SERIES:
    _register(_series_kind)


@router.get(
    "timeseries/workouts/{workout_id}/stream",
    response={200: dict, 404: DetailOut},
    operation_id="workout_stream",
)
def workout_stream(request, workout_id: UUID):
    """The workout's stream (Vital's ClientFacingStream: parallel arrays, `time` in unix
    seconds); `{}` when the vendor gave none."""
    found = Workout.objects.filter(pk=workout_id, user__team=request.auth.team)
    streams = list(found.values_list("stream", flat=True)[:1])
    if not streams:
        raise Http404
    return json_answer(streams[0] or {})


@router.get(
    "timeseries/sleep/{sleep_id}/stream",
    response={200: dict, 404: DetailOut},
    operation_id="sleep_stream",
)
def sleep_stream(request, sleep_id: UUID):
    """Heart rate, HRV and respiratory rate from the sleep's provider during its bedtime."""
    sleep = (
        Sleep.objects.filter(pk=sleep_id, user__team=request.auth.team)
        .select_related("source")
        .first()
    )
    if sleep is None:
        raise Http404
    sources = sources_of(sleep.user_id, sleep.source.provider)
    parts = []
    for slug in SLEEP_STREAM:
        series = SERIES_BY_SLUG[slug]
        rows = samples_in(
            sleep.user_id, series, sleep.bedtime_start, sleep.bedtime_stop, list(sources)
        )
        parts.append(f'"{slug}":{samples_json(series, rows, _types(sources))}')
    return json_text("{" + ",".join(parts) + "}")
