"""Withings, from connect to the SDK's data calls: the backfill reads the measures the emulator
serves (weigh-ins, body composition, blood pressure and pulse; value * 10^unit; the user's
Paris offsets kept) over two pages; a re-pull changes nothing; Withings' notification makes one
incremental pull per resource its `appli` names, after the callback URL passed Withings' HEAD
check; and withings-api, Withings' Python client, reads the same weigh-ins."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from svix.webhooks import Webhook

from health import pulling
from health.models import PullState
from providers.sandbox.data import days_between
from providers.vendors.withings import emulator
from tests.providers.test_witness import run_witness

from .conftest import connect_oauth, connection_of, window

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "user_good"
PARIS = ZoneInfo("Europe/Paris")
WEIGHT, FAT_FREE, FAT_RATIO, DIASTOLIC, SYSTOLIC, PULSE = 1, 5, 6, 9, 10, 11


def state_of(user_id, resource) -> PullState:
    return PullState.objects.get(connection=connection_of(user_id, "withings"), resource=resource)


def counts(user_id) -> dict[str, tuple]:
    rows = PullState.objects.filter(connection=connection_of(user_id, "withings"))
    return {r.resource: (r.created_count, r.updated_count) for r in rows}


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


def paris_offset(at: datetime) -> int:
    return int(at.astimezone(PARIS).utcoffset().total_seconds())


def test_the_backfill_serves_withings_measures_and_a_repull_changes_nothing(
    vital, receiver, endpoint
):
    user_id = connect_oauth(vital, "withings")
    span = window(32)

    weighed = [(at, v) for at, v in served(state_of(user_id, "weight")) if WEIGHT in v]
    assert len(weighed) > 20  # more than one page of 20 groups
    weights = vital.vitals.body_weight(user_id, **span)
    assert {w.timestamp: (w.value, w.timezone_offset) for w in weights} == {
        at: (v[WEIGHT], paris_offset(at)) for at, v in weighed
    }
    assert {w.unit for w in weights} == {"kg"}

    fats = vital.vitals.body_fat(user_id, **span)
    assert {f.timestamp: f.value for f in fats} == {
        at: v[FAT_RATIO] for at, v in served(state_of(user_id, "fat")) if FAT_RATIO in v
    }

    readings = [(at, v) for at, v in served(state_of(user_id, "blood_pressure")) if SYSTOLIC in v]
    pressures = vital.vitals.blood_pressure(user_id, **span)
    assert readings and {p.timestamp: (p.systolic, p.diastolic) for p in pressures} == {
        at: (v[SYSTOLIC], v[DIASTOLIC]) for at, v in readings
    }
    assert {p.timezone_offset for p in pressures} == {paris_offset(at) for at, _ in readings}
    pulses = vital.vitals.heartrate(user_id, **span)
    assert {p.timestamp: p.value for p in pulses} == {
        at: v[PULSE] for at, v in served(state_of(user_id, "heartrate")) if PULSE in v
    }

    scale = [(at, v) for at, v in served(state_of(user_id, "body")) if WEIGHT in v]
    bodies = vital.body.get(user_id, **span).body
    assert {b.calendar_date: (b.weight, b.fat, b.lean_body_mass_kilogram) for b in bodies} == {
        at.astimezone(PARIS).date().isoformat(): (v[WEIGHT], v[FAT_RATIO], v[FAT_FREE])
        for at, v in scale
    }

    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request["body"], request["headers"])
    kinds = {json.loads(r["body"])["event_type"] for r in receiver.requests}
    assert {
        f"historical.data.{r}.created"
        for r in ("body", "weight", "fat", "blood_pressure", "heartrate")
    } <= kinds

    before, receiver.requests[:] = counts(user_id), []
    connection = connection_of(user_id, "withings")
    for resource in before:
        assert pulling.pull_run(connection_id=connection.pk, resource=resource) == "pulled"
    assert counts(user_id) == before and receiver.requests == []


def test_a_notification_pulls_what_its_appli_names_once(vital, sandbox, monkeypatch):
    user_id = connect_oauth(vital, "withings")
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

    pulls = []
    real = pulling.pull_run
    monkeypatch.setattr(
        "health.tasks.pull_run", lambda **kw: pulls.append(kw["resource"]) or real(**kw)
    )
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
    state = state_of(user_id, "weight")
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
