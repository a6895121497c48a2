"""The official `vital` SDK's data calls against a live server, over a week of data put in
through the ingestion service: the values, units and time zones come back as they went in, and
every answer is checked strictly against the model the SDK's own signature names
(tests/conformance/strict.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from vital.activity.raw_client import RawActivityClient
from vital.body.raw_client import RawBodyClient
from vital.core.api_error import ApiError
from vital.introspect.raw_client import RawIntrospectClient
from vital.profile.raw_client import RawProfileClient
from vital.sleep.raw_client import RawSleepClient
from vital.vitals.raw_client import RawVitalsClient
from vital.workouts.raw_client import RawWorkoutsClient

from health.pulls import historical_pull_schedule, pull_claim, pull_release
from health.resources import SERIES
from teams.services import api_key_create
from tests.conformance.recorder import Recorder

from .conftest import CET, DAYS, WORKOUT_START, midnight

pytestmark = pytest.mark.django_db(transaction=True)

RAW_CLIENTS = {
    "sleep": RawSleepClient,
    "activity": RawActivityClient,
    "workouts": RawWorkoutsClient,
    "body": RawBodyClient,
    "profile": RawProfileClient,
    "introspect": RawIntrospectClient,
    "vitals": RawVitalsClient,
}
# Of `vitals`, the series Link stores (the SDK has 39 more).
VITALS = {f"vitals.{s.path}" for s in SERIES} | {f"vitals.{s.path}_grouped" for s in SERIES}


def sdk_methods() -> set[str]:
    methods = {
        f"{group}.{name}"
        for group, raw in RAW_CLIENTS.items()
        for name in vars(raw)
        if not name.startswith("_")
    }
    return {m for m in methods if not m.startswith("vitals.")} | VITALS


@pytest.fixture
def sdk(sandbox, team):
    return Recorder(sandbox.url, api_key_create(team=team)[0], RAW_CLIENTS)


WEEK = {"start_date": "2026-11-01", "end_date": "2026-11-07"}


def summaries_come_back_as_they_went_in(sdk, week):
    uid = str(week.user.user_id)
    sleep = sdk("sleep.get", uid, **WEEK).sleep
    assert [s.calendar_date for s in sleep] == [d.isoformat() for d in DAYS]
    first = sleep[0]
    assert first.bedtime_start == datetime(2026, 10, 31, 22, 30, tzinfo=UTC)
    assert first.bedtime_stop == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert first.date == midnight(DAYS[0])
    assert (first.duration, first.total, first.deep, first.score) == (28800, 25200, 5400, 80)
    assert (first.hr_average, first.efficiency, first.timezone_offset) == (56, 87.5, CET)
    assert (first.source.provider, first.source.type, first.source.slug) == ("oura", "ring", "oura")
    assert len(sdk("sleep.get", uid, start_date="2026-11-03", end_date="2026-11-04").sleep) == 2
    assert sdk("sleep.get", uid, **WEEK, provider="freestyle_libre").sleep == []

    raw = sdk("sleep.get_raw", uid, **WEEK).sleep
    assert raw[0].data == {"id": "oura-sleep-2026-11-01", "score": 80}
    assert raw[0].provider_id == "oura-sleep-2026-11-01" and raw[0].source.name == "Oura"

    stream = sdk("sleep.get_stream_by_sleep_id", first.id)
    # Heart rate starts at midnight: the sleep's stream holds 00:00 to 06:30 of it, inclusive.
    assert len(stream.heartrate) == 6 * 60 + 31 and stream.hrv == []
    assert stream.heartrate[-1].timestamp == first.bedtime_stop

    activity = sdk("activity.get", uid, **WEEK).activity
    assert [a.steps for a in activity] == [8000 + 100 * n for n in range(7)]
    assert activity[0].time_zone == "Europe/Berlin" and activity[0].heart_rate.resting_bpm == 52
    assert sdk("activity.get_raw", uid, **WEEK).activity[3].data == {
        "day": "2026-11-04",
        "steps": 8300,
    }

    (workout,) = sdk("workouts.get", uid, **WEEK).workouts
    assert workout.time_start == WORKOUT_START and workout.average_hr == 142
    assert workout.sport.slug == "running" and workout.provider_id == "oura-workout-1"
    assert sdk("workouts.get_raw", uid, **WEEK).workouts[0].sport.name == "Running"
    stream = sdk("workouts.get_by_workout_id", workout.id)
    start = int(WORKOUT_START.timestamp())
    assert stream.time == [start, start + 1, start + 2] and stream.heartrate == [120, 121, None]

    (body,) = sdk("body.get", uid, **WEEK).body
    assert (body.weight, body.fat, body.source.type) == (70.2, 21.0, "scale")
    assert sdk("body.get_raw", uid, **WEEK).body[0].data == {}

    profile = sdk("profile.get", uid)
    assert (profile.height, profile.birth_date, profile.sex) == (180, "1990-12-10", "female")
    assert sdk("profile.get_raw", uid).profile.data == {"height": 1.804}


def time_series_keep_their_units_and_time_zones(sdk, week, monkeypatch):
    uid = str(week.user.user_id)
    day = {"start_date": "2026-11-01", "end_date": "2026-11-01"}
    heartrate = sdk("vitals.heartrate", uid, **day)
    assert len(heartrate) == 1440
    assert heartrate[0].timestamp == midnight(DAYS[0]) and heartrate[0].value == 60
    assert {s.unit for s in heartrate} == {"bpm"} and {s.timezone_offset for s in heartrate} == {
        CET
    }
    # A date-time with an offset is that instant: 10:00 in Berlin is 09:00 UTC.
    late = sdk(
        "vitals.heartrate", uid, start_date="2026-11-01T10:00:00+01:00", end_date="2026-11-02"
    )
    assert late[0].timestamp == midnight(DAYS[0]) + timedelta(hours=9) and len(late) == 900

    steps = sdk("vitals.steps", uid, **day)
    assert (steps[3].start, steps[3].end) == (
        midnight(DAYS[0]) + timedelta(hours=3),
        midnight(DAYS[0]) + timedelta(hours=4),
    )
    assert (steps[3].value, steps[3].unit) == (300, "count")
    (pressure,) = sdk("vitals.blood_pressure", uid, **WEEK)
    assert (pressure.systolic, pressure.diastolic, pressure.unit) == (120, 80, "mmHg")
    glucose = sdk("vitals.glucose", uid, **day)
    assert (glucose[1].value, glucose[1].unit, glucose[1].type) == (5.1, "mmol/L", "automatic")
    assert glucose[1].timezone_offset is None  # FreeStyle Libre's time floats, as at Vital
    for name in ("hrv", "calories_active", "blood_oxygen", "body_weight", "body_fat"):
        assert sdk(f"vitals.{name}", uid, **WEEK) == []
        assert sdk(f"vitals.{name}_grouped", uid, **WEEK).groups == {}
    assert sdk("vitals.respiratory_rate", uid, **WEEK) == []
    assert sdk("vitals.respiratory_rate_grouped", uid, **WEEK).groups == {}

    monkeypatch.setattr("api.data.timeseries.PAGE", 500)
    seen, cursor = [], None
    while True:
        page = sdk("vitals.heartrate_grouped", uid, **day, next_cursor=cursor)
        (group,) = page.groups["oura"]
        assert group.source.provider == "oura" and group.source.type == "ring"
        seen += [s.value for s in group.data]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [s.value for s in heartrate]
    for name in ("glucose", "steps", "calories_active", "blood_pressure"):
        sdk(f"vitals.{name}_grouped", uid, **WEEK)
    assert (
        sdk("vitals.glucose_grouped", uid, **day).groups["freestyle_libre"][0].data[1].value == 5.1
    )


def introspection_shows_the_pulls(sdk, week):
    uid = str(week.user.user_id)
    historical_pull_schedule(
        connection=week.oura, resources=["sleep"], start=midnight(DAYS[0]), end=midnight(DAYS[6])
    )
    pull_release(state=pull_claim(connection=week.oura, resource="sleep", historical=True))
    resources = sdk("introspect.get_user_resources", user_id=uid).data
    (mine,) = resources
    sleep = mine.provider["oura"]["sleep"]
    assert sleep.sent_count == 7 and sleep.last_attempt.status == "success"
    assert (sleep.oldest_data, sleep.newest_data) == (midnight(DAYS[0]), midnight(DAYS[6]))
    assert mine.provider["freestyle_libre"]["glucose"].sent_count == 96
    pulls = sdk("introspect.get_user_historical_pulls").data
    oura = pulls[0].provider["oura"]
    assert oura.pulled["sleep"].status == "success" and oura.pulled["sleep"].days_with_data == 7
    assert "activity" in oura.not_pulled and "sleep" not in oura.not_pulled


def test_the_sdk_reads_back_what_was_ingested_in_its_own_models(sdk, week, monkeypatch):
    summaries_come_back_as_they_went_in(sdk, week)
    time_series_keep_their_units_and_time_zones(sdk, week, monkeypatch)
    introspection_shows_the_pulls(sdk, week)
    assert {name: found for name, found in sdk.problems.items() if found} == {}
    assert sdk_methods() - set(sdk.problems) == set()


def test_a_user_without_a_profile_is_a_404(sdk, person):
    with pytest.raises(ApiError) as missing:
        sdk.vital.profile.get(str(person.user.user_id))
    assert missing.value.status_code == 404 and "profile" in missing.value.body["detail"]
