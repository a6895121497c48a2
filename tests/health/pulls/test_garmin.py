"""Garmin, from connect to the SDK's data calls: the backfill reads the dailies and sleeps the
emulator says were uploaded in the window, a day of upload time a request (activity, the days'
heart-rate samples, sleeps and runs, with the watch's Berlin offsets); a re-pull changes nothing;
Garmin's ping makes one incremental pull per resource its summary type feeds, and a ping
without one of our apps' client id makes none."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from svix.webhooks import Webhook

from health.models import PullState
from providers.errors import ProviderApiError
from providers.vendors.garmin import emulator
from providers.vendors.garmin.data import GarminData

from .conftest import (
    assert_repull_changes_nothing,
    connect_oauth,
    connection_of,
    pull_state,
    window,
)

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "user_good"


def uploaded(kind: str, state: PullState) -> list[dict]:
    start, end = state.historical_start, state.historical_end
    return emulator.uploaded_between(ACCOUNT, kind, int(start.timestamp()), int(end.timestamp()))


def berlin_offset(seconds: int) -> int:
    moment = datetime.fromtimestamp(seconds, UTC).astimezone(emulator.BERLIN)
    return int(moment.utcoffset().total_seconds())


def test_the_backfill_serves_garmin_summaries_and_a_repull_changes_nothing(
    vital, receiver, endpoint
):
    user_id = connect_oauth(vital, "garmin")
    span = window(33)

    dailies = {
        d["calendarDate"]: d for d in uploaded("dailies", pull_state(user_id, "garmin", "activity"))
    }
    assert len(dailies) >= 28
    days = vital.activity.get(user_id, **span).activity
    assert {d.calendar_date for d in days} == set(dailies)
    for day in days:
        daily = dailies[day.calendar_date]
        assert (day.steps, day.calories_active, day.floors_climbed) == (
            daily["steps"],
            daily["activeKilocalories"],
            daily["floorsClimbed"],
        )
        assert day.calories_total == daily["activeKilocalories"] + daily["bmrKilocalories"]
        assert day.high == daily["vigorousIntensityDurationInSeconds"] / 60
        assert day.timezone_offset == berlin_offset(daily["startTimeInSeconds"])

    beats = {
        datetime.fromtimestamp(d["startTimeInSeconds"] + int(after), UTC): (
            bpm,
            berlin_offset(d["startTimeInSeconds"]),  # the day's offset, on each of its samples
        )
        for d in uploaded("dailies", pull_state(user_id, "garmin", "heartrate"))
        for after, bpm in d["timeOffsetHeartRateSamples"].items()
    }
    held = vital.vitals.heartrate(user_id, **span)
    assert {s.timestamp: (s.value, s.timezone_offset) for s in held} == beats

    nights = {
        n["calendarDate"]: n for n in uploaded("sleeps", pull_state(user_id, "garmin", "sleep"))
    }
    sleeps = vital.sleep.get(user_id, **span).sleep
    assert {s.calendar_date for s in sleeps} == set(nights) and len(nights) >= 28
    for sleep in sleeps:
        night = nights[sleep.calendar_date]
        start = night["startTimeInSeconds"]
        assert sleep.bedtime_start == datetime.fromtimestamp(start, UTC)
        assert sleep.bedtime_stop == datetime.fromtimestamp(start + night["durationInSeconds"], UTC)
        assert (sleep.deep, sleep.light, sleep.rem, sleep.awake) == (
            night["deepSleepDurationInSeconds"],
            night["lightSleepDurationInSeconds"],
            night["remSleepInSeconds"],
            night["awakeDurationInSeconds"],
        )
        assert sleep.total == sleep.deep + sleep.light + sleep.rem
        assert sleep.timezone_offset == berlin_offset(start)

    runs = {
        a["summaryId"]: a for a in uploaded("activities", pull_state(user_id, "garmin", "workouts"))
    }
    workouts = vital.workouts.get(user_id, **span).workouts
    assert {w.provider_id for w in workouts} == set(runs) and len(runs) >= 14
    for workout in workouts:
        run = runs[workout.provider_id]
        start = run["startTimeInSeconds"]
        assert (workout.time_start, workout.time_end) == (
            datetime.fromtimestamp(start, UTC),
            datetime.fromtimestamp(start + run["durationInSeconds"], UTC),
        )
        assert (workout.title, workout.calories, workout.distance, workout.max_hr) == (
            run["activityName"],
            run["activeKilocalories"],
            run["distanceInMeters"],
            run["maxHeartRateInBeatsPerMinute"],
        )
        assert workout.timezone_offset == berlin_offset(start)
        local_day = datetime.fromtimestamp(start, UTC).astimezone(emulator.BERLIN).date()
        assert workout.calendar_date == local_day.isoformat()

    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request["body"], request["headers"])
    kinds = {json.loads(r["body"])["event_type"] for r in receiver.requests}
    assert {f"historical.data.{r}.created" for r in GarminData.resources} <= kinds

    assert_repull_changes_nothing(user_id, "garmin", receiver)


def test_a_ping_pulls_once_per_resource_and_a_stranger_s_ping_not_at_all(
    vital, sandbox, watch_pulls
):
    user_id = connect_oauth(vital, "garmin")
    pulls = watch_pulls()
    sent = requests.post(
        f"{sandbox.url}/sandbox/garmin/ping", data={"summary": "dailies"}, timeout=60
    ).json()
    (item,) = sent["sent"]["dailies"]
    assert sent["status"] == 200
    assert item["userId"] == connection_of(user_id, "garmin").external_user_id
    assert sorted(pulls) == ["activity", "heartrate"]

    # The ping's callbackURL works too: the pull token it carries reads the same dailies.
    callback = item["callbackURL"].replace("https://", f"{sandbox.url}/sandbox/")
    assert requests.get(callback, timeout=30).status_code == 200

    pulls.clear()
    stranger = requests.post(
        f"{sandbox.url}/push/garmin",
        json={"sleeps": [item]},
        headers={"garmin-client-id": "someone-else"},
        timeout=30,
    )
    unnamed = requests.post(f"{sandbox.url}/push/garmin", json={"sleeps": [item]}, timeout=30)
    assert (stranger.status_code, unnamed.status_code) == (401, 401) and pulls == []


def test_the_emulator_refuses_more_than_a_day_and_a_missing_token(vital, sandbox):
    user_id = connect_oauth(vital, "garmin")
    token = connection_of(user_id, "garmin").credentials["access_token"]
    url = f"{sandbox.url}/sandbox/apis.garmin.com/wellness-api/rest/dailies"
    now = int(datetime.now(UTC).timestamp())
    day = {"uploadStartTimeInSeconds": now - 86400, "uploadEndTimeInSeconds": now}
    longer = {**day, "uploadStartTimeInSeconds": now - 86401}
    bearer = {"Authorization": f"Bearer {token}"}
    answers = [
        requests.get(url, params=day, headers=bearer, timeout=30),
        requests.get(url, params=longer, headers=bearer, timeout=30),
        requests.get(url, params=day, timeout=30),
    ]
    assert [a.status_code for a in answers] == [200, 400, 401]
    assert answers[0].json() == emulator.uploaded_between(ACCOUNT, "dailies", now - 86400, now)


def test_a_summary_out_of_shape_refuses_the_page_whole():
    reader = GarminData(adapter=None, credentials={})
    end = datetime.now(UTC)
    start = end - timedelta(days=1)
    day = emulator.daily_of(ACCOUNT, start.date())
    reader.get = lambda path, params=None: [day]
    assert len(reader.page("heartrate", start, end, None).records) == len(
        day["timeOffsetHeartRateSamples"]
    )
    reader.get = lambda path, params=None: [{k: v for k, v in day.items() if k != "steps"}]
    with pytest.raises(ProviderApiError):
        reader.page("activity", start, end, None)
    reader.get = lambda path, params=None: {"errorMessage": "not a list"}
    with pytest.raises(ProviderApiError):
        reader.page("sleep", start, end, None)
