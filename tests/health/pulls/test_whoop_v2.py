"""WHOOP v2, from connect to the SDK's data calls: the backfill reads sleeps, workouts, cycles
(daily activity) and the profile from the emulator, 25 records a page (milliseconds to seconds,
kilojoules to kcal, New York offsets kept, across the change from summer time); a re-pull
changes nothing; WHOOP's signed webhook makes one incremental pull per resource it names, a
forged one none; each sleep carries its recovery's resting heart rate and HRV; and WHOOP's own
client reads the same records."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests

from health import pulling
from health.models import PullState
from providers.errors import ProviderApiError
from providers.vendors.whoop_v2 import emulator
from providers.vendors.whoop_v2.adapter import WhoopV2Adapter
from providers.vendors.whoop_v2.data import WhoopV2Data
from tests.providers.test_witness import run_witness

from .conftest import connect_oauth, connection_of, window

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "user_good"
KCAL_PER_KJ = 1 / 4.184


def state(user_id, resource) -> PullState:
    return PullState.objects.get(connection=connection_of(user_id, "whoop_v2"), resource=resource)


def served(documents_of, user_id, resource) -> dict[str, dict]:
    """What the emulator holds for the backfill's window, by the vendor's id."""
    planned = state(user_id, resource)
    found = emulator.records_between(
        documents_of, ACCOUNT, planned.historical_start, planned.historical_end
    )
    return {str(doc["id"]): doc for doc in found}


def offset_seconds(doc) -> int:
    sign = -1 if doc["timezone_offset"].startswith("-") else 1
    hours, minutes = doc["timezone_offset"][1:].split(":")
    return sign * (int(hours) * 3600 + int(minutes) * 60)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_the_backfill_serves_what_whoop_sent_and_a_repull_changes_nothing(
    vital, receiver, endpoint
):
    user_id = connect_oauth(vital, "whoop_v2")

    nights = served(emulator.sleep_of, user_id, "sleep")
    assert len(nights) > emulator.MAX_LIMIT  # the backfill had to page
    held = vital.sleep.get(user_id, **window(33)).sleep
    by_start = {at(n["start"]): n for n in nights.values()}
    assert len(held) == len(nights)
    offsets = set()
    for sleep in held:
        night = by_start[sleep.bedtime_start]
        stages = night["score"]["stage_summary"]
        assert sleep.bedtime_stop == at(night["end"])
        assert sleep.timezone_offset == offset_seconds(night)
        local_end = at(night["end"]) + timedelta(seconds=offset_seconds(night))
        assert sleep.calendar_date == local_end.date().isoformat()
        assert sleep.deep == round(stages["total_slow_wave_sleep_time_milli"] / 1000)
        assert sleep.duration == round(stages["total_in_bed_time_milli"] / 1000)
        assert sleep.total == sum(
            round(stages[f"total_{s}_time_milli"] / 1000)
            for s in ("light_sleep", "slow_wave_sleep", "rem_sleep")
        )
        assert sleep.respiratory_rate == pytest.approx(night["score"]["respiratory_rate"])
        recovery = emulator.recovery_of(ACCOUNT, night)["score"]
        assert (sleep.hr_resting, sleep.average_hrv) == (
            recovery["resting_heart_rate"],
            pytest.approx(recovery["hrv_rmssd_milli"]),
        )
        offsets.add(sleep.timezone_offset)
    assert offsets <= {-5 * 3600, -4 * 3600}

    trips = served(emulator.workout_of, user_id, "workouts")
    workouts = vital.workouts.get(user_id, **window(33)).workouts
    assert {w.provider_id for w in workouts} == set(trips) and trips
    for workout in workouts:
        trip = trips[workout.provider_id]
        assert workout.time_start == at(trip["start"])
        assert workout.calories == pytest.approx(trip["score"]["kilojoule"] * KCAL_PER_KJ)
        assert workout.title == trip["sport_name"]
        zones = trip["score"]["zone_durations"]
        assert workout.hr_zones == [
            round(zones[k] / 1000) for k in sorted(zones, key=list(zones).index)
        ]
        assert workout.timezone_offset == offset_seconds(trip)

    cycles = served(emulator.cycle_of, user_id, "activity")
    activity = vital.activity.get(user_id, **window(33)).activity
    by_day = {
        (at(c["start"]) + timedelta(seconds=offset_seconds(c))).date().isoformat(): c
        for c in cycles.values()
    }
    assert {a.calendar_date for a in activity} == set(by_day)
    for day in activity:
        cycle = by_day[day.calendar_date]
        assert day.calories_total == pytest.approx(cycle["score"]["kilojoule"] * KCAL_PER_KJ)
        assert day.timezone_offset == offset_seconds(cycle)

    assert vital.profile.get(user_id).height == round(
        emulator.body_of(ACCOUNT)["height_meter"] * 100
    )

    connection = connection_of(user_id, "whoop_v2")
    rows = PullState.objects.filter(connection=connection)
    counts = {r.resource: (r.created_count, r.updated_count) for r in rows}
    receiver.requests[:] = []
    for resource in counts:
        assert pulling.pull_run(connection_id=connection.pk, resource=resource) == "pulled"
    again = {r.resource: (r.created_count, r.updated_count) for r in rows.all()}
    assert again == counts and receiver.requests == []


def test_a_signed_webhook_pulls_once_and_a_forged_one_not_at_all(vital, sandbox, watch_pulls):
    user_id = connect_oauth(vital, "whoop_v2")
    pulls = watch_pulls()
    sent = requests.post(
        f"{sandbox.url}/sandbox/whoop_v2/push", data={"type": "sleep.updated"}, timeout=60
    ).json()
    assert sent["status"] == 204
    assert str(sent["sent"]["user_id"]) == connection_of(user_id, "whoop_v2").external_user_id
    assert pulls == ["sleep"]

    forged = requests.post(
        f"{sandbox.url}/push/whoop_v2",
        data=json.dumps({**sent["sent"], "type": "workout.updated"}),
        headers={"X-WHOOP-Signature": "AAAA", "X-WHOOP-Signature-Timestamp": "1"},
        timeout=30,
    )
    assert forged.status_code == 401 and pulls == ["sleep"]
    recovery = requests.post(
        f"{sandbox.url}/sandbox/whoop_v2/push", data={"type": "recovery.updated"}, timeout=60
    ).json()
    assert recovery["status"] == 204 and pulls == ["sleep", "sleep"]  # kept on the sleep


def test_the_whoop_client_reads_the_emulators_sleep_and_cycles(vital, sandbox):
    user_id = connect_oauth(vital, "whoop_v2")
    token = connection_of(user_id, "whoop_v2").credentials["access_token"]
    last = datetime.now(UTC).date()
    first = last - timedelta(days=29)
    seen = run_witness(
        "whoop",
        "whoop_reads_sleep_and_cycles.py",
        sandbox.url,
        token,
        first.isoformat(),
        last.isoformat(),
    )
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    assert seen["sleep"] == emulator.records_between(emulator.sleep_of, ACCOUNT, start, end)
    assert seen["cycles"] == emulator.records_between(emulator.cycle_of, ACCOUNT, start, end)
    assert len(seen["sleep"]) > emulator.MAX_LIMIT  # more than one page


def test_a_page_not_in_whoops_shape_is_refused_whole(monkeypatch):
    reader = WhoopV2Data(WhoopV2Adapter(base_urls=WhoopV2Adapter.hosts), {"access_token": "t"})
    end = datetime.now(UTC)
    cycles = emulator.records_between(emulator.cycle_of, ACCOUNT, end - timedelta(days=3), end)
    broken = {**cycles[1], "score": {"strain": 9.5}}  # no kilojoule
    answer = {"records": [cycles[0], broken], "next_token": None}
    monkeypatch.setattr(reader, "get", lambda path, params=None: answer)
    with pytest.raises(ProviderApiError, match="kilojoule"):
        reader.page("activity", end - timedelta(days=3), end, None)
