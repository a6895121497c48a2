"""Dexcom API v3 from connect to the SDK: the backfill reads the sensor's readings 30 days a
request, and `vital.vitals.glucose` answers them in mmol/L with the Berlin offset, whether the
day's readings came from the phone app (times with offsets) or a receiver (local clock, a little
off); a re-pull changes nothing. Dexcom does not push: incremental pulls are scheduled."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from health.models import PullState, Sample
from health.pulling import pull_run
from providers.errors import ProviderError
from providers.http import sandbox_url
from providers.vendors.dexcom_v3 import emulator
from providers.vendors.dexcom_v3.adapter import DexcomV3Adapter
from providers.vendors.dexcom_v3.data import DexcomV3Data
from webhooks.models import WebhookMessage

from .conftest import connect_oauth, connection_of

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "user_good"
BERLIN = ZoneInfo("Europe/Berlin")
# Glucose's molar mass is 180.156 g/mol: 1 mmol/L is 18.0156 mg/dL.
MG_DL_PER_MMOL_L = 180.156 / 10


@pytest.fixture
def held(monkeypatch):
    """The emulator's newest reading held still, so that a re-pull finds nothing new."""
    until = datetime.now(UTC) - emulator.DELAY
    monkeypatch.setattr(emulator, "served_until", lambda: until)
    return until


def day_start(days_ago: int) -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days_ago)


def served_on(day: datetime) -> list[tuple]:
    """(time, mmol/L, offset) of each reading the emulator serves on a UTC day."""
    times = emulator.reading_times(day, day + timedelta(days=1))
    return [
        (
            at,
            emulator.egv_of(ACCOUNT, at)["value"] / MG_DL_PER_MMOL_L,
            int(at.astimezone(BERLIN).utcoffset().total_seconds()),
        )
        for at in times
    ]


def test_glucose_comes_back_in_mmol_per_litre_with_berlin_offsets(vital, settings, held):
    settings.LINK_BACKFILL_DAYS = 45  # two requests of at most 30 days
    user_id = connect_oauth(vital, "dexcom_v3")
    connection = connection_of(user_id, "dexcom_v3")

    state = PullState.objects.get(connection=connection, resource="glucose")
    # Dexcom takes whole seconds: the first request starts at the second the window does.
    first = state.historical_start.replace(microsecond=0)
    all_times = emulator.reading_times(first, state.historical_end)
    assert Sample.objects.filter(user_id=connection.user_id).count() == len(all_times)

    devices = {emulator.display_device(ACCOUNT, day_start(n).date()): n for n in range(2, 40)}
    assert set(devices) == {"iOS", "receiver"}  # both ways of telling the time are read
    for days_ago in devices.values():
        day = day_start(days_ago).date().isoformat()
        samples = vital.vitals.glucose(user_id, start_date=day, end_date=day)
        expected = served_on(day_start(days_ago))
        assert len(samples) == len(expected) == 288
        for sample, (at, value, offset) in zip(samples, expected, strict=True):
            assert sample.timestamp == at
            assert sample.value == pytest.approx(value, abs=1e-9)
            assert (sample.unit, sample.timezone_offset) == ("mmol/L", offset)
            assert sample.type == "automatic"


def test_a_re_pull_changes_nothing(vital, held, endpoint, receiver):
    user_id = connect_oauth(vital, "dexcom_v3")
    connection = connection_of(user_id, "dexcom_v3")
    stored = Sample.objects.filter(user_id=connection.user_id)
    before = sorted(stored.values_list("ts", "value", "timezone_offset", "updated_at"))
    messages = WebhookMessage.objects.count()
    receiver.requests.clear()

    result = pull_run(connection_id=connection.pk, resource="glucose", historical=False)

    assert result == "pulled"
    assert sorted(stored.values_list("ts", "value", "timezone_offset", "updated_at")) == before
    assert WebhookMessage.objects.count() == messages and receiver.requests == []


def test_the_readings_need_a_token_and_a_window_of_30_days_at_most(vital, held):
    user_id = connect_oauth(vital, "dexcom_v3")
    token = connection_of(user_id, "dexcom_v3").credentials["access_token"]
    egvs = sandbox_url(f"{DexcomV3Adapter.hosts['us']}/v3/users/self/egvs")
    window = {"startDate": "2026-11-01T00:00:00", "endDate": "2026-12-01T00:00:00"}
    assert requests.get(egvs, params=window, timeout=10).status_code == 401
    bearer = {"Authorization": f"Bearer {token}"}
    assert requests.get(egvs, params=window, headers=bearer, timeout=10).status_code == 200
    too_long = {**window, "endDate": "2026-12-01T00:00:01"}
    assert requests.get(egvs, params=too_long, headers=bearer, timeout=10).status_code == 400
    with_offset = {**window, "endDate": "2026-11-02T00:00:00+00:00"}
    assert requests.get(egvs, params=with_offset, headers=bearer, timeout=10).status_code == 400


def reader_of(answer: dict) -> DexcomV3Data:
    reader = DexcomV3Data(DexcomV3Adapter(base_urls={}), {"access_token": "t"})
    reader.get = lambda path, params=None: answer
    return reader


def record(**fields) -> dict:
    base = {
        "systemTime": "2026-11-20T10:00:00+00:00",
        "displayTime": "2026-11-20T02:00:00-08:00",
        "value": 7,
        "unit": "mmol/L",
    }
    return base | fields


def test_mmol_values_are_kept_empty_readings_skipped_and_unknown_units_refused():
    start = datetime(2026, 11, 20, tzinfo=UTC)
    page = reader_of({"records": [record(), record(value=None)]}).page(
        "glucose", start, start + timedelta(days=1), None
    )
    (sample,) = page.records
    assert (sample.value, sample.timezone_offset) == (7, -8 * 3600) and page.cursor is None
    assert sample.timestamp == datetime(2026, 11, 20, 10, tzinfo=UTC)
    for bad in (record(unit="unknown"), record(value="7"), {"value": 7}):
        with pytest.raises(ProviderError):
            reader_of({"records": [bad]}).page("glucose", start, start, None)
