"""Polar, from connect (with AccessLink registration) to the SDK's data calls: the backfill reads
exercises, nights and daily activity; the SDK's workouts, sleep and activity hold what the
emulator served (minutes of offset made seconds, Berlin's offset kept); a re-pull changes
nothing; a signed AccessLink webhook makes exactly one incremental pull of what it names (whose
news goes out as Svix-signed data webhooks), a PING none, and a forged one is refused; and
polar-flow-api reads the same exercises and nights from the emulator."""

import json
from datetime import date, datetime, timedelta

import pytest
import requests
from svix.webhooks import Webhook

from health.models import Sleep
from providers.sandbox.data import days_between, today
from providers.vendors.polar import emulator
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
BERLIN_WINTER = 3600


def exercises_served(start: datetime, end: datetime) -> dict[str, dict]:
    """The emulator's exercises of the last 30 days that started in [start, end], by id."""
    exercises = emulator.exercises_listed(ACCOUNT)
    return {e["id"]: e for e in exercises if start <= _start_of(e) <= end}


def _start_of(exercise: dict) -> datetime:
    local = datetime.fromisoformat(exercise["start_time"])
    return local.replace(tzinfo=emulator.ZONE)


def test_the_backfill_holds_what_polar_served_and_a_repull_changes_nothing(
    vital, receiver, endpoint
):
    user_id = connect_oauth(vital, "polar")
    backfill = pull_state(user_id, "polar", "workouts")
    assert backfill.historical_status == "success"
    expected = exercises_served(backfill.historical_start, backfill.historical_end)
    assert len(expected) > 10

    workouts = vital.workouts.get(user_id, **window(33)).workouts
    assert {w.provider_id for w in workouts} == set(expected)
    for workout in workouts:
        exercise = expected[workout.provider_id]
        start = _start_of(exercise)
        assert workout.time_start == start
        assert workout.timezone_offset == exercise["start_time_utc_offset"] * 60 == BERLIN_WINTER
        hours, rest = divmod(int((workout.time_end - start).total_seconds()), 3600)
        assert exercise["duration"] == f"PT{hours}H{rest // 60}M{rest % 60}S"
        assert (workout.distance, workout.calories) == (
            exercise.get("distance"),
            exercise["calories"],
        )
        assert (workout.average_hr, workout.max_hr) == (
            exercise["heart_rate"]["average"],
            exercise["heart_rate"]["maximum"],
        )
        assert workout.title == exercise["detailed_sport_info"]

    sleep_state = pull_state(user_id, "polar", "sleep")
    first, last = sleep_state.historical_start.date(), sleep_state.historical_end.date()
    nights = {n["date"]: n for n in emulator.nights_between(ACCOUNT, first, last)}
    held = vital.sleep.get(user_id, **window(33)).sleep
    assert {str(s.calendar_date) for s in held} == set(nights) and len(nights) > 20
    for sleep in held:
        night = nights[str(sleep.calendar_date)]
        assert sleep.bedtime_start == datetime.fromisoformat(night["sleep_start_time"])
        assert sleep.bedtime_stop == datetime.fromisoformat(night["sleep_end_time"])
        assert sleep.timezone_offset == BERLIN_WINTER
        assert (sleep.light, sleep.deep, sleep.rem, sleep.awake) == (
            night["light_sleep"],
            night["deep_sleep"],
            night["rem_sleep"],
            night["total_interruption_duration"],
        )
        assert sleep.total == (
            night["light_sleep"]
            + night["deep_sleep"]
            + night["rem_sleep"]
            + night["unrecognized_sleep_stage"]
        )
        assert sleep.score == night["sleep_score"]
        recharged = date.fromisoformat(night["date"]) > today() - timedelta(days=28)
        recharge = emulator.recharge_of(ACCOUNT, date.fromisoformat(night["date"]))
        assert (sleep.average_hrv, sleep.respiratory_rate) == (
            (recharge["heart_rate_variability_avg"], recharge["breathing_rate_avg"])
            if recharged
            else (None, None)  # older than Polar's 28 nights of Nightly Recharge
        )

    profile = vital.profile.get(user_id)
    user = emulator.user_of(ACCOUNT, "unused")
    assert (profile.height, str(profile.birth_date), profile.sex) == (
        round(user["height"]),
        user["birthdate"],
        user["gender"].lower(),
    )

    activity_state = pull_state(user_id, "polar", "activity")
    first, last = activity_state.historical_start.date(), activity_state.historical_end.date()
    assert (last - first).days > 28  # so the backfill asked in two ranges
    summaries = {d: emulator.activity_day_of(ACCOUNT, d) for d in days_between(first, last)}
    activity = vital.activity.get(user_id, **window(33)).activity
    assert {date.fromisoformat(str(a.calendar_date)) for a in activity} == set(summaries)
    for day in activity:
        summary = summaries[date.fromisoformat(str(day.calendar_date))]
        assert (day.steps, day.calories_active, day.calories_total, day.distance) == (
            summary["steps"],
            summary["active_calories"],
            summary["calories"],
            summary["distance_from_steps"],
        )
        assert day.timezone_offset is None  # Polar's daily times carry none

    assert_repull_changes_nothing(user_id, "polar", receiver)


def test_a_signed_webhook_pulls_once_a_ping_not_and_a_forged_one_is_refused(
    vital, sandbox, monkeypatch, receiver, endpoint, watch_pulls
):
    user_id = connect_oauth(vital, "polar")
    pulls = watch_pulls()
    # Link forgets the last night, so the SLEEP webhook's pull has something new to send on.
    last = emulator.nights_between(ACCOUNT, today() - timedelta(days=1), today())[-1]
    Sleep.objects.filter(user_id=user_id, provider_id=last["date"]).delete()
    receiver.requests[:] = []
    ping = requests.post(f"{sandbox.url}/sandbox/polar/push", data={"event": "PING"}, timeout=60)
    assert ping.json()["status"] == 200 and pulls == []

    sent = requests.post(f"{sandbox.url}/sandbox/polar/push", timeout=60).json()
    assert sent["status"] == 200 and sent["sent"]["event"] == "EXERCISE"
    assert str(sent["sent"]["user_id"]) == connection_of(user_id, "polar").external_user_id
    assert pulls == ["workouts"]
    sent = requests.post(
        f"{sandbox.url}/sandbox/polar/push", data={"event": "SLEEP"}, timeout=60
    ).json()
    assert sent["status"] == 200 and pulls == ["workouts", "sleep"]
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request["body"], request["headers"])
    events = [json.loads(r["body"]) for r in receiver.requests]
    (created,) = [e for e in events if e["event_type"] == "daily.data.sleep.created"]
    assert created["data"]["calendar_date"] == last["date"]
    assert created["data"]["total"] == sum(
        last[stage]
        for stage in ("light_sleep", "deep_sleep", "rem_sleep", "unrecognized_sleep_stage")
    )
    summary = requests.post(
        f"{sandbox.url}/sandbox/polar/push", data={"event": "ACTIVITY_SUMMARY"}, timeout=60
    ).json()
    assert summary["status"] == 200 and pulls == ["workouts", "sleep", "activity"]

    forged = requests.post(
        f"{sandbox.url}/push/polar",
        data=json.dumps(sent["sent"]).encode(),
        headers={"Content-Type": "application/json", "Polar-Webhook-Signature": "00" * 32},
        timeout=30,
    )
    unsigned = requests.post(
        f"{sandbox.url}/push/polar", data=json.dumps(sent["sent"]).encode(), timeout=30
    )
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert pulls == ["workouts", "sleep", "activity"]


def test_polar_flow_api_reads_the_emulators_exercises_and_nights(vital, sandbox):
    user_id = connect_oauth(vital, "polar")
    token = connection_of(user_id, "polar").credentials["access_token"]
    seen = run_witness(
        "polar-flow-api", "polar_flow_api_reads_exercises_and_sleep.py", sandbox.url, token
    )
    exercises = emulator.exercises_listed(ACCOUNT)
    assert [e["id"] for e in seen["exercises"]] == [e["id"] for e in exercises]
    for read, exercise in zip(seen["exercises"], exercises, strict=True):
        assert datetime.fromisoformat(read["start_time"]).replace(tzinfo=None) == (
            datetime.fromisoformat(exercise["start_time"])
        )
        assert (read["distance"], read["calories"]) == (
            exercise.get("distance"),
            exercise["calories"],
        )
    nights = emulator.nights_between(ACCOUNT, today() - timedelta(days=27), today())
    by_date = sorted(seen["nights"], key=lambda n: n["date"])
    assert [date.fromisoformat(n["date"]) for n in by_date] == [
        date.fromisoformat(n["date"]) for n in nights
    ]
    for read, night in zip(by_date, nights, strict=True):
        assert datetime.fromisoformat(read["sleep_start_time"]) == datetime.fromisoformat(
            night["sleep_start_time"]
        )
        assert read["total_sleep_seconds"] == (
            night["light_sleep"] + night["deep_sleep"] + night["rem_sleep"]
        )
