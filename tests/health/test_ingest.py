"""The ingestion service: idempotent (a re-ingest changes no row and sends nothing), exact about
what it created and updated, and all-or-nothing about a bad batch."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from vital.types import ClientFacingHeartrateChanged, ClientFacingSleepChanged

from health.ingest import Ingested, InvalidRecords, ingest
from health.models import SUMMARY_MODELS, PullState, Sample, Sleep, Source
from providers.data import SampleRecord, SummaryRecord
from teams.models import EndUser
from tests.conformance.strict import strict_problems
from webhooks.models import WebhookMessage
from webhooks.services import webhook_endpoint_upsert

from . import conftest as data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def endpoint(team):
    """Events are recorded only for a team with an endpoint (never delivered here: no test
    transaction commits)."""
    return webhook_endpoint_upsert(team=team, url="https://acme.example/hooks")


def stored() -> dict:
    """Every row of the store, column by column."""
    rows = {"samples": list(Sample.objects.order_by("resource", "ts", "source").values())}
    for resource, model in SUMMARY_MODELS.items():
        rows[resource] = list(model.objects.order_by("pk").values())
    rows["sources"] = list(Source.objects.order_by("pk").values())
    return rows


def _json(payload: dict) -> bytes:
    return json.dumps(payload).encode()


def events() -> list[str]:
    return list(WebhookMessage.objects.order_by("created_at").values_list("event_type", flat=True))


def test_a_re_ingest_changes_nothing_and_sends_nothing(person):
    data.put_week(person.oura, person.libre)
    before, sent = stored(), events()
    assert len(before["samples"]) == 1440 + 24 + 1 + 96 and len(before["sleep"]) == 7
    assert sent.count("daily.data.sleep.created") == 7 and "daily.data.sleep.updated" not in sent

    for resource, records in data.OURA.items():
        again = ingest(connection=person.oura, resource=resource, records=records())
        assert again == Ingested(created=0, updated=0, unchanged=len(records()))
    assert stored() == before and events() == sent
    counts = PullState.objects.filter(connection=person.oura).values_list(
        "resource", "created_count", "updated_count"
    )
    assert ("heartrate", 1440, 0) in counts and ("sleep", 7, 0) in counts


def test_a_changed_sample_is_one_update_keeping_its_creation(person):
    records = data.heartrate()
    ingest(connection=person.oura, resource="heartrate", records=records)
    first = Sample.objects.get(ts=records[5].timestamp)
    records[5] = replace(records[5], value=99.0)
    done = ingest(connection=person.oura, resource="heartrate", records=records)
    assert done == Ingested(created=0, updated=1, unchanged=1439)
    now = Sample.objects.get(ts=records[5].timestamp)
    assert now.value == 99 and now.created_at == first.created_at
    assert now.updated_at > first.updated_at

    updated = WebhookMessage.objects.get(event_type="daily.data.heartrate.updated")
    assert [s["value"] for s in updated.payload["data"]["data"]] == [99.0]
    body = WebhookMessage.objects.filter(event_type="daily.data.heartrate.created").first()
    assert strict_problems(ClientFacingHeartrateChanged, _json(body.payload)) == []


def test_a_changed_summary_keeps_its_id(person):
    ingest(connection=person.oura, resource="sleep", records=data.sleeps())
    sleep = Sleep.objects.get(calendar_date="2026-11-01")
    records = data.sleeps()
    records[0] = replace(records[0], fields={**records[0].fields, "score": 95})
    done = ingest(connection=person.oura, resource="sleep", records=records)
    assert done == Ingested(created=0, updated=1, unchanged=6)
    again = Sleep.objects.get(calendar_date="2026-11-01")
    assert (again.pk, again.score, again.created_at) == (sleep.pk, 95, sleep.created_at)
    updated = WebhookMessage.objects.get(event_type="daily.data.sleep.updated")
    assert updated.payload["data"]["id"] == str(sleep.pk)
    assert strict_problems(ClientFacingSleepChanged, _json(updated.payload)) == []


def test_samples_go_out_in_batches_of_one_source_and_day(person, monkeypatch):
    two_days = [
        SampleRecord(data.midnight(data.DAYS[0]) + timedelta(minutes=m), 60.0, source_type="ring")
        for m in range(2 * 24 * 60)
    ]
    monkeypatch.setattr("health.events.BATCH", 1000)
    ingest(connection=person.oura, resource="heartrate", records=two_days)
    sizes = [len(m.payload["data"]["data"]) for m in WebhookMessage.objects.order_by("pk")]
    assert sorted(sizes) == [440, 440, 1000, 1000]


def test_a_backfill_sends_no_daily_events(person):
    done = ingest(connection=person.oura, resource="sleep", records=data.sleeps(), historical=True)
    assert done.created == 7 and events() == []


naive = datetime(2026, 11, 1, 7, 0)
moment = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
BAD = [
    ("heartrate", SampleRecord(naive, 60.0), "not a datetime with a time zone"),
    ("heartrate", SampleRecord(moment, float("nan")), "not a finite number"),
    ("heartrate", SampleRecord(moment, "61"), "not a finite number"),
    ("steps", SampleRecord(moment, 5.0), "not a datetime"),  # no end
    ("steps", SampleRecord(moment, 5.0, end=moment), "not after its start"),
    ("blood_pressure", SampleRecord(moment, 120.0), "not a finite number"),  # no diastolic
    ("heartrate", SampleRecord(moment, 60.0, timezone_offset=3600.5), "not seconds from UTC"),
    ("sleep", SummaryRecord("s", {"calendar_date": "2026-11-01"}), "bedtime_start"),
    ("sleep", SummaryRecord("s", {"nap_quality": 3}), "nap_quality: not fields of a sleep"),
    ("body", SummaryRecord("b", {"calendar_date": "tomorrow"}), "calendar_date"),
    ("body", SummaryRecord("b", {"calendar_date": "2026-11-01", "weight": "heavy"}), "weight"),
    ("body", SummaryRecord("", {"calendar_date": "2026-11-01"}), "vendor's id"),
    ("vo2_max", SampleRecord(moment, 40.0), "not a resource Link stores"),
]


@pytest.mark.parametrize(("resource", "bad", "message"), BAD)
def test_a_bad_record_refuses_its_whole_batch(person, resource, bad, message):
    good = {
        "heartrate": data.heartrate()[:3],
        "steps": data.steps()[:3],
        "blood_pressure": data.blood_pressure(),
        "sleep": data.sleeps()[:3],
        "body": data.bodies(),
        "vo2_max": [],
    }[resource]
    with pytest.raises(InvalidRecords, match=message):
        ingest(connection=person.oura, resource=resource, records=[*good, bad])
    assert stored()["samples"] == [] and not Sleep.objects.exists() and events() == []


def test_a_users_data_goes_with_the_user(week):
    EndUser.with_deleted.filter(pk=week.user.pk).delete()
    assert stored() == {key: [] for key in stored()}
