"""Withings, from connect to the SDK's data calls: the backfill reads the measures the emulator
serves (weigh-ins, body composition, blood pressure and pulse; value * 10^unit; the user's
Paris offsets kept) over two pages; a re-pull changes nothing; Withings' notification makes one
incremental pull per resource its `appli` names, after the callback URL passed Withings' HEAD
check; and withings-api, Withings' Python client, reads the same weigh-ins."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from django.core.cache import cache
from svix.webhooks import Webhook

from health.models import PullState
from providers.errors import ProviderApiError, ProviderRateLimited
from providers.sandbox.data import days_between
from providers.vendors.withings import emulator
from providers.vendors.withings.data import WithingsData
from tests.providers.test_witness import run_witness

from .conftest import (
    assert_repull_changes_nothing,
    connect_oauth,
    connection_of,
    pull_state,
    window,
)

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "user_good"
PARIS = ZoneInfo("Europe/Paris")
WEIGHT, FAT_FREE, FAT_RATIO, DIASTOLIC, SYSTOLIC, PULSE = 1, 5, 6, 9, 10, 11


def served(state: PullState) -> list[tuple[datetime, dict[int, float]]]:
    """The measure groups the emulator holds in the pull's window: their time and values."""
    start, end = state.historical_start, state.historical_end
    groups = [
        g
        for day in days_between(start.date(), end.date())
        for g in emulator.measure_groups_of(ACCOUNT, day)
    ]
    return [
        (at, {m["type"]: m["value"] / 10 ** -m["unit"] for m in g["measures"]})
        for g in groups
        if start <= (at := datetime.fromtimestamp(g["date"], UTC)) <= end
    ]


def daily_served(document_of, user_id, resource) -> list[dict]:
    """The nights or days the emulator holds for the dates the pull asked for."""
    state = pull_state(user_id, "withings", resource)
    days = days_between(state.historical_start.date(), state.historical_end.date())
    return [document_of(ACCOUNT, day) for day in days]


def paris_offset(at: datetime) -> int:
    return int(at.astimezone(PARIS).utcoffset().total_seconds())


def test_the_backfill_serves_withings_measures_and_a_repull_changes_nothing(
    vital, receiver, endpoint
):
    user_id = connect_oauth(vital, "withings")
    span = window(32)

    weighed = [
        (at, v) for at, v in served(pull_state(user_id, "withings", "weight")) if WEIGHT in v
    ]
    assert len(weighed) > 20  # more than one page of 20 groups
    weights = vital.vitals.body_weight(user_id, **span)
    assert {w.timestamp: (w.value, w.timezone_offset) for w in weights} == {
        at: (v[WEIGHT], paris_offset(at)) for at, v in weighed
    }
    assert {w.unit for w in weights} == {"kg"}

    fats = vital.vitals.body_fat(user_id, **span)
    assert {f.timestamp: f.value for f in fats} == {
        at: v[FAT_RATIO]
        for at, v in served(pull_state(user_id, "withings", "fat"))
        if FAT_RATIO in v
    }

    readings = [
        (at, v)
        for at, v in served(pull_state(user_id, "withings", "blood_pressure"))
        if SYSTOLIC in v
    ]
    pressures = vital.vitals.blood_pressure(user_id, **span)
    assert readings and {p.timestamp: (p.systolic, p.diastolic) for p in pressures} == {
        at: (v[SYSTOLIC], v[DIASTOLIC]) for at, v in readings
    }
    assert {p.timezone_offset for p in pressures} == {paris_offset(at) for at, _ in readings}
    pulses = vital.vitals.heartrate(user_id, **span)
    assert {p.timestamp: p.value for p in pulses} == {
        at: v[PULSE] for at, v in served(pull_state(user_id, "withings", "heartrate")) if PULSE in v
    }

    scale = [(at, v) for at, v in served(pull_state(user_id, "withings", "body")) if WEIGHT in v]
    bodies = vital.body.get(user_id, **span).body
    assert {b.calendar_date: (b.weight, b.fat, b.lean_body_mass_kilogram) for b in bodies} == {
        at.astimezone(PARIS).date().isoformat(): (v[WEIGHT], v[FAT_RATIO], v[FAT_FREE])
        for at, v in scale
    }

    nights = {n["date"]: n for n in daily_served(emulator.sleep_summary_of, user_id, "sleep")}
    sleeps = vital.sleep.get(user_id, **span).sleep
    assert {s.calendar_date for s in sleeps} == set(nights) and len(nights) > 20
    for sleep in sleeps:
        night = nights[sleep.calendar_date]
        data = night["data"]
        assert (sleep.bedtime_start, sleep.bedtime_stop) == (
            datetime.fromtimestamp(night["startdate"], UTC),
            datetime.fromtimestamp(night["enddate"], UTC),
        )
        assert (sleep.deep, sleep.light, sleep.rem, sleep.awake) == (
            data["deepsleepduration"],
            data["lightsleepduration"],
            data["remsleepduration"],
            data["wakeupduration"],
        )
        assert (sleep.hr_lowest, sleep.score, sleep.respiratory_rate) == (
            data["hr_min"],
            data["sleep_score"],
            data["rr_average"],
        )
        assert sleep.timezone_offset == paris_offset(sleep.bedtime_start)

    days = {d["date"]: d for d in daily_served(emulator.activity_of, user_id, "activity")}
    activity = vital.activity.get(user_id, **span).activity
    assert {a.calendar_date for a in activity} == set(days)
    for day in activity:
        doc = days[day.calendar_date]
        assert (day.steps, day.calories_active, day.calories_total, day.distance) == (
            doc["steps"],
            doc["calories"],
            doc["totalcalories"],
            doc["distance"],
        )
        assert (day.floors_climbed, day.high) == (doc["elevation"], doc["intense"] / 60)
        midnight = datetime.fromisoformat(day.calendar_date).replace(tzinfo=PARIS)
        assert day.timezone_offset == paris_offset(midnight)

    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request["body"], request["headers"])
    kinds = {json.loads(r["body"])["event_type"] for r in receiver.requests}
    assert {f"historical.data.{r}.created" for r in WithingsData.resources} <= kinds

    assert_repull_changes_nothing(user_id, "withings", receiver)


def test_a_notification_pulls_what_its_appli_names_once(vital, sandbox, watch_pulls):
    cache.delete(emulator.subscribed_key(ACCOUNT))  # the sandbox's Withings forgets its users
    user_id = connect_oauth(vital, "withings")
    assert emulator.subscriptions(ACCOUNT) == {"1", "4", "16", "44"}  # Link subscribed them
    pulls = watch_pulls()
    connection = connection_of(user_id, "withings")
    token = connection.credentials["access_token"]
    subscribe = {"action": "subscribe", "appli": "4"}
    api = f"{sandbox.url}/sandbox/wbsapi.withings.net"
    subscribed = requests.post(
        f"{api}/notify",
        data={**subscribe, "callbackurl": f"{sandbox.url}/push/withings"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).json()
    elsewhere = requests.post(
        f"{api}/notify",
        data={**subscribe, "callbackurl": "https://example.com/hook"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).json()
    assert (subscribed["status"], elsewhere["status"]) == (0, 293)

    sent = requests.post(
        f"{sandbox.url}/sandbox/withings/push", data={"appli": "4"}, timeout=60
    ).json()
    assert sent["status"] == 200 and sent["sent"]["userid"] == connection.external_user_id
    assert sorted(pulls) == ["blood_pressure", "heartrate"]

    pulls.clear()
    unknown = {**sent["sent"], "userid": "9"}
    garbled = {**sent["sent"], "userid": "someone"}
    answers = [
        requests.post(f"{sandbox.url}/push/withings", data=d, timeout=30)
        for d in (unknown, garbled)
    ]
    assert [a.status_code for a in answers] == [200, 400] and pulls == []


def test_withings_api_reads_the_emulators_weigh_ins(vital, sandbox):
    user_id = connect_oauth(vital, "withings")
    token = connection_of(user_id, "withings").credentials["access_token"]
    state = pull_state(user_id, "withings", "weight")
    start, end = state.historical_start, state.historical_end
    seen = run_witness(
        "withings-api",
        "withings_api_reads_measures.py",
        sandbox.url,
        token,
        str(int(start.timestamp())),
        str(int(end.timestamp())),
    )
    weighed = sorted((at, v[WEIGHT]) for at, v in served(state) if WEIGHT in v)
    seen.sort(key=lambda group: group["date"])
    assert [g["date"] for g in seen] == [int(at.timestamp()) for at, _ in weighed]
    # The client multiplies by 10**unit in floating point: 71.939 may come out 71.93900000000001.
    assert [g["weight"] for g in seen] == pytest.approx([weight for _, weight in weighed])
    assert {g["offset"] for g in seen} == {paris_offset(at) for at, _ in weighed}


def reader_answering(envelope: dict) -> WithingsData:
    reader = WithingsData(adapter=None, credentials={})
    reader.get = lambda path, params=None: envelope
    return reader


def test_a_bad_answer_refuses_the_page_whole():
    today = datetime.now(UTC)
    groups = emulator.measure_groups_of(ACCOUNT, today.date())
    body = {"measuregrps": groups, "timezone": "Europe/Paris", "more": 0, "offset": 0}
    page = reader_answering({"status": 0, "body": body}).page("weight", today, today, None)
    weights = [m for g in groups for m in g["measures"] if m["type"] == WEIGHT]
    assert [r.value for r in page.records] == [m["value"] / 10 ** -m["unit"] for m in weights]

    unitless = [{**groups[0], "measures": [{"type": WEIGHT, "value": 72000}]}]
    nowhere = {**body, "timezone": "Mars/Olympus"}
    for bad in ({**body, "measuregrps": unitless}, nowhere):
        with pytest.raises(ProviderApiError):
            reader_answering({"status": 0, "body": bad}).page("weight", today, today, None)
    with pytest.raises(ProviderRateLimited):
        reader_answering({"status": 601, "body": {}}).page("weight", today, today, None)


def test_withings_api_reads_the_emulators_nights_and_days(vital, sandbox):
    user_id = connect_oauth(vital, "withings")
    token = connection_of(user_id, "withings").credentials["access_token"]
    last = datetime.now(UTC).date()
    first = last - timedelta(days=29)  # two pages of each
    seen = run_witness(
        "withings-api",
        "withings_api_reads_nights_and_days.py",
        sandbox.url,
        token,
        first.isoformat(),
        last.isoformat(),
    )
    nights = [emulator.sleep_summary_of(ACCOUNT, day) for day in days_between(first, last)]
    assert sorted((n["date"], n["start"], n["deep"]) for n in seen["nights"]) == [
        (n["date"], n["startdate"], n["data"]["deepsleepduration"]) for n in nights
    ]
    assert {n["offset"] for n in seen["nights"]} == {
        paris_offset(datetime.fromtimestamp(n["startdate"], UTC)) for n in nights
    }
    days = [emulator.activity_of(ACCOUNT, day) for day in days_between(first, last)]
    assert sorted((d["date"], d["steps"], d["kcal"]) for d in seen["days"]) == [
        (d["date"], d["steps"], d["totalcalories"]) for d in days
    ]
