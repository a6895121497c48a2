"""Google Health from connect to the SDK: the backfill pages through steps, heart rate and weight
with the API's nextPageToken, and the SDK answers them in Vital's units (weight in kg) with the
offset Google gave each point (Berlin, summer time included); a re-pull changes nothing. Google
Health is polled here: incremental pulls are scheduled."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from health.models import PullState, Sample
from health.pulling import pull_run
from health.resources import SERIES_BY_SLUG
from providers.errors import ProviderError
from providers.http import sandbox_url
from providers.vendors.google_health import emulator
from providers.vendors.google_health.adapter import GoogleHealthAdapter
from providers.vendors.google_health.data import GoogleHealthData
from providers.vendors.google_health.emulator import rfc3339
from tests.providers.test_witness import run_witness
from webhooks.models import WebhookMessage

from .conftest import connect_oauth, connection_of

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "user_good"
BERLIN = ZoneInfo("Europe/Berlin")
HRV_FIELD = "rootMeanSquareOfSuccessiveDifferencesMilliseconds"
RESOURCES = ("steps", "heartrate", "hrv", "blood_oxygen", "weight", "sleep")


@pytest.fixture
def held(monkeypatch):
    """The account's last sync held still, so that a re-pull finds nothing new."""
    until = datetime.now(UTC)
    monkeypatch.setattr(emulator, "served_until", lambda: until)
    return until


@pytest.fixture
def connected(vital, settings, held):
    settings.LINK_BACKFILL_DAYS = 40  # back into summer time
    user_id = connect_oauth(vital, "google_health")
    return user_id, connection_of(user_id, "google_health")


def berlin_offset(at: datetime) -> int:
    return int(at.astimezone(BERLIN).utcoffset().total_seconds())


def utc_day(days_ago: int) -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days_ago)


def stored(connection, resource: str):
    return Sample.objects.filter(user_id=connection.user_id, resource=SERIES_BY_SLUG[resource].code)


@pytest.mark.parametrize("days_ago", [3, 38])  # winter time, then summer time
def test_heart_rate_and_steps_keep_their_values_and_offsets(vital, connected, days_ago):
    user_id, _ = connected
    start = utc_day(days_ago)
    day = start.date().isoformat()

    heartrate = vital.vitals.heartrate(user_id, start_date=day, end_date=day)
    served = emulator.heart_rate_points(ACCOUNT, start, start + timedelta(days=1))
    assert len(heartrate) == len(served) == 288
    for sample, point in zip(heartrate, served, strict=True):
        at = datetime.fromisoformat(point["heartRate"]["sampleTime"]["physicalTime"])
        assert sample.timestamp == at
        assert sample.value == int(point["heartRate"]["beatsPerMinute"])
        assert (sample.unit, sample.timezone_offset) == ("bpm", berlin_offset(at))

    steps = vital.vitals.steps(user_id, start_date=day, end_date=day)
    served = emulator.steps_points(ACCOUNT, start, start + timedelta(days=1))
    assert len(steps) == len(served) > 0
    for sample, point in zip(steps, served, strict=True):
        at = datetime.fromisoformat(point["steps"]["interval"]["startTime"])
        assert (sample.timestamp, sample.end) == (at, at + timedelta(minutes=15))
        assert sample.value == int(point["steps"]["count"])
        assert (sample.unit, sample.timezone_offset) == ("count", berlin_offset(at))


@pytest.mark.parametrize(
    ("call", "served_by", "member", "field", "unit"),
    [
        ("hrv", emulator.hrv_points, "heartRateVariability", HRV_FIELD, "rmssd"),
        ("blood_oxygen", emulator.spo2_points, "oxygenSaturation", "percentage", "%"),
    ],
)
def test_night_samples_keep_their_values(vital, connected, call, served_by, member, field, unit):
    user_id, _ = connected
    start = utc_day(5)
    day = start.date().isoformat()
    samples = getattr(vital.vitals, call)(user_id, start_date=day, end_date=day)
    served = served_by(ACCOUNT, start, start + timedelta(days=1))
    assert len(samples) == len(served) > 0
    for sample, point in zip(samples, served, strict=True):
        at = datetime.fromisoformat(point[member]["sampleTime"]["physicalTime"])
        assert (sample.timestamp, sample.value) == (at, point[member][field])
        assert (sample.unit, sample.timezone_offset) == (unit, berlin_offset(at))


def test_sleep_comes_back_in_seconds_on_its_wake_up_day(vital, connected):
    user_id, connection = connected
    state = PullState.objects.get(connection=connection, resource="sleep")
    served = emulator.sleep_points(ACCOUNT, state.historical_start, state.historical_end)
    window = {"start_date": (state.historical_start - timedelta(days=1)).date().isoformat()}
    sleeps = vital.sleep.get(user_id, **window).sleep
    assert len(sleeps) == len(served) > 30
    for sleep, point in zip(sleeps, served, strict=True):
        stages = point["sleep"]["stages"]
        bed = datetime.fromisoformat(stages[0]["startTime"])
        up = datetime.fromisoformat(stages[-1]["endTime"])
        seconds = {}
        for stage in stages:
            length = datetime.fromisoformat(stage["endTime"]) - datetime.fromisoformat(
                stage["startTime"]
            )
            seconds[stage["type"]] = seconds.get(stage["type"], 0) + length.total_seconds()
        assert (sleep.bedtime_start, sleep.bedtime_stop) == (bed, up)
        assert sleep.calendar_date == up.astimezone(BERLIN).date().isoformat()
        assert sleep.timezone_offset == berlin_offset(up)
        assert sleep.duration == (up - bed).total_seconds()
        assert sleep.awake == seconds["AWAKE"] and sleep.total == sleep.duration - sleep.awake
        assert (sleep.light, sleep.deep, sleep.rem) == (
            seconds["LIGHT"],
            seconds["DEEP"],
            seconds["REM"],
        )
        assert sleep.latency == (datetime.fromisoformat(stages[0]["endTime"]) - bed).total_seconds()
        assert sleep.type == "long_sleep"


def test_weight_comes_back_in_kilograms(vital, connected):
    user_id, connection = connected
    state = PullState.objects.get(connection=connection, resource="weight")
    served = emulator.weight_points(ACCOUNT, state.historical_start, state.historical_end)
    window = {"start_date": state.historical_start.date().isoformat()}
    weights = vital.vitals.body_weight(user_id, **window)
    assert len(weights) == len(served) > 20
    for sample, point in zip(weights, served, strict=True):
        at = datetime.fromisoformat(point["weight"]["sampleTime"]["physicalTime"])
        assert sample.timestamp == at
        assert sample.value == pytest.approx(point["weight"]["weightGrams"] / 1000)
        assert (sample.unit, sample.timezone_offset) == ("kg", berlin_offset(at))


def test_the_backfill_reads_every_page_and_keeps_the_devices(connected):
    _, connection = connected
    state = PullState.objects.get(connection=connection, resource="heartrate")
    served = emulator.heart_rate_points(ACCOUNT, state.historical_start, state.historical_end)
    assert len(served) > 5 * emulator.DEFAULT_PAGE  # several pages
    assert stored(connection, "heartrate").count() == len(served)
    for resource, kind, source in (
        ("heartrate", "watch", emulator.WATCH),
        ("weight", "scale", emulator.SCALE),
    ):
        sources = stored(connection, resource).values_list("source__type", "source__device_id")
        assert set(sources) == {(kind, source["device"]["displayName"])}


def test_a_re_pull_changes_nothing(connected, endpoint, receiver):
    _, connection = connected
    fields = ("resource", "ts", "value", "timezone_offset", "updated_at")
    everything = Sample.objects.filter(user_id=connection.user_id)
    before = sorted(everything.values_list(*fields))
    messages = WebhookMessage.objects.count()
    receiver.requests.clear()

    for resource in RESOURCES:
        assert pull_run(connection_id=connection.pk, resource=resource) == "pulled"

    assert sorted(everything.values_list(*fields)) == before
    assert WebhookMessage.objects.count() == messages and receiver.requests == []


def test_the_data_points_need_a_token_a_filter_it_knows_and_its_own_page_token(connected):
    _, connection = connected
    url = sandbox_url(f"{GoogleHealthAdapter.hosts['health']}/v4/users/me/dataTypes/weight")
    points = f"{url}/dataPoints"
    bearer = {"Authorization": f"Bearer {connection.credentials['access_token']}"}
    since = {"filter": 'weight.sample_time.physical_time >= "2026-11-01T00:00:00Z"'}
    assert requests.get(points, params=since, timeout=10).json()["error"]["code"] == 401
    first = requests.get(points, params={**since, "pageSize": 5}, headers=bearer, timeout=10)
    assert len(first.json()["dataPoints"]) == 5
    token = first.json()["nextPageToken"]
    civil = {"filter": 'weight.sample_time.civil_time >= "2026-11-01"'}
    for params in (civil, {"filter": since["filter"] + " ", "pageToken": token}):
        refused = requests.get(points, params=params, headers=bearer, timeout=10)
        assert refused.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_googles_own_client_lists_the_emulators_points(sandbox, connected):
    _, connection = connected
    end = utc_day(0)
    start = end - timedelta(days=40)
    seen = run_witness(
        "google-api-python-client",
        "google_api_python_client_lists_data_points.py",
        sandbox.url,
        connection.credentials["access_token"],
        rfc3339(start),
        rfc3339(end),
    )
    for data_type, page in (("heart-rate", emulator.DEFAULT_PAGE), ("sleep", 25)):
        _, points_of = emulator.DATA_TYPES[data_type]
        served = points_of(ACCOUNT, start, end)[::-1]  # newest first
        assert seen[data_type]["points"] == served
        assert seen[data_type]["pages"] == -(-len(served) // page) > 1


def reader_answering(answer) -> GoogleHealthData:
    reader = GoogleHealthData(GoogleHealthAdapter(base_urls={}), {"access_token": "t"})
    reader.get = lambda path, params=None: answer
    return reader


def test_a_malformed_point_refuses_the_page():
    start = datetime(2026, 11, 20, tzinfo=UTC)
    good = emulator.heart_rate_points(ACCOUNT, start, start + timedelta(minutes=10))
    page = reader_answering({"dataPoints": good}).page("heartrate", start, start, None)
    assert [r.value for r in page.records] == [int(p["heartRate"]["beatsPerMinute"]) for p in good]
    naive = {**good[0]["heartRate"]["sampleTime"], "physicalTime": "2026-11-20T00:00:00"}
    for bad in ({"heartRate": {"beatsPerMinute": "60"}}, {"heartRate": {"sampleTime": naive}}):
        with pytest.raises(ProviderError):
            reader_answering({"dataPoints": [*good, bad]}).page("heartrate", start, start, None)
