"""Vital's data webhooks, signed and delivered by the project's webhook machinery (imported here
and nowhere else in this app).

- `daily.data.{resource}.created` / `.updated` as data arrives: a summary is its own event (the
  summary object is the `data`); samples go in batches, one per source, kind and UTC day, of at
  most BATCH samples (`data` = `{source, data: [samples]}`, Vital's Grouped<X>).
- `historical.data.{resource}.created` when a backfill of the resource is over: data-less, the
  customer then reads the API. During a backfill no daily events are sent (Vital's docs,
  `webhooks/introduction.mdx`, "Historical Data Backfill stage")."""

import json
from collections import defaultdict
from datetime import datetime

from connections.models import Connection
from webhooks.services import Event, webhook_event, webhook_send

from .answers import iso, samples_json, source_out, summary_out
from .models import Sample, Source, Summary
from .resources import Series

# Heart rate at one sample a minute is 1,440 a day; Vital calls some series "1000s to low
# 10000s samples per day" (docs `wearables/providers/resources.mdx`).
BATCH = 5000


def _kind(created: bool) -> str:
    return "created" if created else "updated"


def summary_events(
    connection: Connection, resource: str, rows: list[tuple[Summary, bool]], sources: dict
) -> list[Event]:
    """One event per (summary, whether it is new)."""
    return [
        webhook_event(
            f"daily.data.{resource}.{_kind(created)}",
            user=connection.user,
            data=summary_out(row, sources[row.source_id]),
        )
        for row, created in rows
    ]


def sample_events(
    connection: Connection,
    series: Series,
    rows: list[tuple[Sample, bool]],
    sources: dict[int, Source],
) -> list[Event]:
    batches = defaultdict(list)
    for sample, created in rows:
        batches[sample.source_id, created, sample.ts.date()].append(sample)
    types = {pk: source.type for pk, source in sources.items()}
    events = []
    for (source_id, created, _day), samples in sorted(batches.items()):
        for start in range(0, len(samples), BATCH):
            chunk = [
                (
                    iso(s.ts),
                    s.source_id,
                    s.end_ts and iso(s.end_ts),
                    s.value,
                    s.value2,
                    s.timezone_offset,
                )
                for s in samples[start : start + BATCH]
            ]
            data = {
                "source": source_out(sources[source_id]),
                "data": json.loads(samples_json(series, chunk, types)),
            }
            event_type = f"daily.data.{series.slug}.{_kind(created)}"
            events.append(webhook_event(event_type, user=connection.user, data=data))
    return events


def historical_event(
    connection: Connection, resource: str, start: datetime, end: datetime
) -> Event:
    data = {
        "user_id": str(connection.user_id),
        "start_date": iso(start),
        "end_date": iso(end),
        "is_final": True,
        "provider": connection.provider,
    }
    return webhook_event(f"historical.data.{resource}.created", user=connection.user, data=data)


def events_send(connection: Connection, events: list[Event]) -> None:
    if events:
        webhook_send(team=connection.user.team, events=events)
