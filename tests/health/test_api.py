"""The data API's boundaries: another team's user is as unknown as one that never was (on every
data operation), bad input is a clear 4xx in the API's usual shapes, and a provider's data
answers only when asked for it."""

from datetime import UTC, datetime, timedelta

import pytest

from health.ingest import ingest
from health.models import Sleep, Workout
from health.resources import SERIES
from providers.data import SampleRecord

from .conftest import DAYS

pytestmark = pytest.mark.django_db

WEEK = {"start_date": "2026-11-01", "end_date": "2026-11-07"}
SUMMARIES = ("sleep", "activity", "workouts", "body")


def data_paths(user_id) -> list[str]:
    """Every per-user data operation's path."""
    paths = [f"/v2/summary/{r}/{user_id}" for r in SUMMARIES]
    paths += [f"{p}/raw" for p in paths]
    paths += [f"/v2/summary/profile/{user_id}", f"/v2/summary/profile/{user_id}/raw"]
    series = [f"/v2/timeseries/{user_id}/{s.path}" for s in SERIES]
    return paths + series + [f"{p}/grouped" for p in series]


def test_another_teams_user_is_not_found_anywhere(week, api, other_api):
    paths = data_paths(week.user.user_id)
    assert len(paths) == 30
    for path in paths:
        assert api.get(path, WEEK).status_code == 200 or path.endswith("/profile")
        answer = other_api.get(path, WEEK)
        assert (answer.status_code, answer.json()) == (404, {"detail": "Not Found"}), path
    sleep, workout = Sleep.objects.first(), Workout.objects.get()
    for path in (
        f"/v2/timeseries/sleep/{sleep.pk}/stream",
        f"/v2/timeseries/workouts/{workout.pk}/stream",
    ):
        assert api.get(path).status_code == 200
        assert other_api.get(path).status_code == 404
    for path in ("/v2/introspect/resources", "/v2/introspect/historical_pull"):
        assert api.get(path).json()["data"] != []
        mine = {"user_id": str(week.user.user_id)}
        assert other_api.get(path, mine).json() == {"data": [], "next": None, "next_cursor": None}


def test_without_a_key_nothing_is_answered(week, client):
    for path in data_paths(week.user.user_id)[:3]:
        assert client.get(path, WEEK).status_code == 401


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ({}, 422, ["query", "start_date"]),
        ({"start_date": "yesterday"}, 422, ["query", "start_date"]),
        ({"start_date": "2026-11-01", "end_date": "2026-13-01"}, 422, ["query", "end_date"]),
        (
            {"start_date": "2026-11-02", "end_date": "2026-11-01"},
            400,
            "start_date is after end_date.",
        ),
        ({**WEEK, "next_cursor": "not-ours"}, 400, "next_cursor is not one this API gave."),
    ],
)
def test_bad_input_is_a_clear_4xx(week, api, query, status, detail):
    answer = api.get(f"/v2/timeseries/{week.user.user_id}/heartrate/grouped", query)
    assert answer.status_code == status
    if status == 422:
        assert answer.json()["detail"][0]["loc"] == detail
    else:
        assert answer.json() == {"detail": detail}


def test_a_user_id_must_be_a_uuid_and_a_series_one_we_serve(week, api):
    answer = api.get("/v2/summary/sleep/alice", WEEK)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["path", "user_id"]
    answer = api.get(f"/v2/timeseries/{week.user.user_id}/vo2_max", WEEK)
    assert (answer.status_code, answer.json()) == (404, {"detail": "Not Found"})


def test_a_date_time_with_a_bare_plus_is_read_as_its_offset(week, api):
    """curl sends `+01:00` unencoded; it reaches us as ` 01:00`."""
    path = f"/v2/timeseries/{week.user.user_id}/heartrate"
    answer = api.get(f"{path}?start_date=2026-11-01T10:00:00+01:00&end_date=2026-11-01")
    assert answer.status_code == 200
    assert answer.json()[0]["timestamp"] == "2026-11-01T09:00:00+00:00"


def test_the_window_and_the_provider_choose_the_data(week, api):
    uid = week.user.user_id
    one_day = {"start_date": "2026-11-03", "end_date": "2026-11-03"}
    assert [
        s["calendar_date"] for s in api.get(f"/v2/summary/sleep/{uid}", one_day).json()["sleep"]
    ] == ["2026-11-03"]
    assert api.get(f"/v2/timeseries/{uid}/glucose", {**WEEK, "provider": "oura"}).json() == []
    libre = api.get(f"/v2/timeseries/{uid}/glucose", {**WEEK, "provider": "freestyle_libre"})
    assert len(libre.json()) == 96
    assert api.get(f"/v2/timeseries/{uid}/heartrate", {"start_date": DAYS[3]}).json() == []


def test_times_are_written_as_vital_writes_them_fractions_too(person, api):
    """The database writes the times (health.selectors.IsoUtc), as Python's isoformat would."""
    moments = [
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 6, 31, 0, 250000, tzinfo=UTC),
    ]
    steps = [SampleRecord(m, 12.0, end=m + timedelta(seconds=30)) for m in moments]
    ingest(connection=person.oura, resource="steps", records=steps)
    answer = api.get(f"/v2/timeseries/{person.user.user_id}/steps", WEEK).json()
    assert [(s["timestamp"], s["start"], s["end"]) for s in answer] == [
        (m.isoformat(), m.isoformat(), (m + timedelta(seconds=30)).isoformat()) for m in moments
    ]
    assert answer[1]["timestamp"] == "2026-11-02T06:31:00.250000+00:00"
