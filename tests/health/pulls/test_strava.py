"""Strava, from connect to the SDK's data calls: the backfill pages through the athlete's
activities and reads the athlete; the SDK's workouts and profile hold what the emulator served
(Paris offsets kept); a re-pull changes nothing; Strava's subscription check is answered only
with Link's verify token; an activity event makes exactly one incremental pull of workouts and a
deauthorization none; and stravalib reads the same activities from the emulator."""

from datetime import datetime, timedelta

import pytest
import requests

from health import pulling
from providers.sandbox.data import days_between
from providers.vendors.strava import emulator
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


def served(start: datetime, end: datetime) -> dict[str, dict]:
    """The emulator's activities that started in (start, end), by id, oldest first."""
    days = days_between(start.date() - timedelta(days=1), end.date() + timedelta(days=1))
    activities = (emulator.activity_of(ACCOUNT, day) for day in days)
    return {
        str(a["id"]): a
        for a in activities
        if a
        and start.timestamp() < datetime.fromisoformat(a["start_date"]).timestamp()
        and datetime.fromisoformat(a["start_date"]).timestamp() < end.timestamp()
    }


def test_the_backfill_holds_what_strava_served_and_a_repull_changes_nothing(
    vital, receiver, endpoint
):
    user_id = connect_oauth(vital, "strava")
    backfill = pull_state(user_id, "strava", "workouts")
    assert backfill.historical_status == "success"
    expected = served(backfill.historical_start, backfill.historical_end)
    assert len(expected) > 10  # more than one 7-a-page witness page, many days

    workouts = vital.workouts.get(user_id, **window(33)).workouts
    assert {w.provider_id for w in workouts} == set(expected)
    for workout in workouts:
        activity = expected[workout.provider_id]
        start = datetime.fromisoformat(activity["start_date"])
        assert workout.time_start == start
        assert workout.time_end == start + timedelta(seconds=activity["elapsed_time"])
        assert workout.timezone_offset == activity["utc_offset"] == 3600  # Paris in winter
        assert workout.calendar_date == activity["start_date_local"][:10]
        assert (workout.title, workout.distance, workout.moving_time) == (
            activity["name"],
            activity["distance"],
            activity["moving_time"],
        )
        assert (workout.average_speed, workout.max_speed) == (
            activity["average_speed"],
            activity["max_speed"],
        )
        assert workout.total_elevation_gain == activity["total_elevation_gain"]
        assert (workout.average_hr, workout.max_hr) == (
            round(activity["average_heartrate"]),
            round(activity["max_heartrate"]),
        )
        assert workout.average_watts == activity.get("average_watts")
    assert any(w.average_watts for w in workouts)  # the rides' power came through

    profile = vital.profile.get(user_id)
    sex = emulator.athlete_of(ACCOUNT)["sex"]
    assert profile.sex == {"M": "male", "F": "female"}[sex]

    assert_repull_changes_nothing(user_id, "strava", receiver)


def test_strava_events_pull_once_and_the_subscription_check_needs_our_token(
    vital, sandbox, watch_pulls
):
    user_id = connect_oauth(vital, "strava")
    pulls = watch_pulls()
    checked = requests.post(f"{sandbox.url}/sandbox/strava/subscribe", timeout=30).json()
    assert checked == {"status": 200, "verified": True}
    refused = requests.get(
        f"{sandbox.url}/push/strava",
        params={"hub.mode": "subscribe", "hub.challenge": "c", "hub.verify_token": "guess"},
        timeout=30,
    )
    assert refused.status_code == 403

    sent = requests.post(f"{sandbox.url}/sandbox/strava/push", timeout=60).json()
    assert sent["status"] == 200
    assert str(sent["sent"]["owner_id"]) == connection_of(user_id, "strava").external_user_id
    assert pulls == ["workouts"]

    deauthorized = requests.post(
        f"{sandbox.url}/sandbox/strava/push", data={"object_type": "athlete"}, timeout=60
    ).json()
    garbled = requests.post(f"{sandbox.url}/push/strava", data=b"{}", timeout=30)
    assert (deauthorized["status"], garbled.status_code) == (200, 400)
    assert pulls == ["workouts"]


def test_stravalib_reads_the_emulators_activities(vital, sandbox):
    user_id = connect_oauth(vital, "strava")
    connection = connection_of(user_id, "strava")
    backfill = pull_state(user_id, "strava", "workouts")
    start, end = backfill.historical_start, backfill.historical_end
    seen = run_witness(
        "stravalib",
        "stravalib_reads_activities.py",
        sandbox.url,
        connection.credentials["access_token"],
        str(int(start.timestamp())),
        str(int(end.timestamp())),
    )
    athlete = emulator.athlete_of(ACCOUNT)
    assert seen["athlete"] == {"id": athlete["id"], "sex": athlete["sex"]}
    expected = served(start, end)
    newest_first = list(reversed(expected))  # `served` goes day by day
    assert [str(a["id"]) for a in seen["activities"]] == newest_first
    for read in seen["activities"]:
        activity = expected[str(read["id"])]
        assert datetime.fromisoformat(read["start_date"]) == datetime.fromisoformat(
            activity["start_date"]
        )
        assert (read["name"], read["distance"], read["moving_time"]) == (
            activity["name"],
            activity["distance"],
            activity["moving_time"],
        )
        assert (read["sport_type"], read["utc_offset"]) == (
            activity["sport_type"],
            activity["utc_offset"],
        )


def test_a_429_mid_backfill_resumes_at_the_page_it_stopped_to_the_same_workouts(vital, sandbox):
    armed = requests.post(f"{sandbox.url}/sandbox/strava/rate_limit", data={"after": 1}, timeout=30)
    assert armed.json() == {"armed": True}
    user_id = connect_oauth(vital, "strava")
    cut = pull_state(user_id, "strava", "workouts")
    # The first page (all of the month, 200 a page) went through; the empty page that ends the
    # listing was refused, so the backfill waits to ask for page 2 again.
    assert (cut.historical_status, cut.cursor) == ("retrying", "2")
    expected = served(cut.historical_start, cut.historical_end)
    held = {w.provider_id for w in vital.workouts.get(user_id, **window(33)).workouts}
    assert held == set(expected)

    connection = connection_of(user_id, "strava")
    outcome = pulling.pull_run(connection_id=connection.pk, resource="workouts", historical=True)
    done = pull_state(user_id, "strava", "workouts")
    assert (outcome, done.historical_status, done.cursor) == ("pulled", "success", "")
    assert {w.provider_id for w in vital.workouts.get(user_id, **window(33)).workouts} == held
