"""Oura, from connect to the SDK's data calls: the backfill reads sleep periods (and their HRV),
daily activity, workouts, heart rate and the profile from the emulator (units converted, the user's
Berlin offsets kept); a re-pull changes nothing; Oura's signed webhook makes one incremental pull
per resource it names, a forged one none; a 429 mid-backfill leaves it `retrying` and resumable to
the same data and one historical webhook; and Oura's own client reads the same documents."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from svix.webhooks import Webhook

from health import pulling
from health.models import PullState
from providers.errors import ProviderApiError
from providers.sandbox.data import days_between
from providers.vendors.oura import emulator
from providers.vendors.oura.adapter import OuraAdapter
from providers.vendors.oura.data import OuraData
from tests.providers.test_witness import run_witness

from .conftest import connect_oauth, connection_of, window

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "user_good"
BERLIN_WINTER = 3600  # the backfill's month (November) is all CET


def states(user_id) -> dict[str, tuple]:
    rows = PullState.objects.filter(connection=connection_of(user_id, "oura"))
    return {r.resource: (r.created_count, r.updated_count) for r in rows}


def served(documents_of, state) -> list[dict]:
    """What the emulator served for the days the reader asked for (the window's dates and the
    day after its end, under which a night is filed)."""
    first, last = state.historical_start.date(), state.historical_end.date() + timedelta(days=1)
    return [doc for day in days_between(first, last) for doc in documents_of(ACCOUNT, day)]


def heartrate_served(start: datetime, end: datetime) -> dict[datetime, float]:
    days = days_between(start.date(), end.date())
    samples = [s for day in days for s in emulator.heartrate_of(ACCOUNT, day)]
    at = {datetime.fromisoformat(s["timestamp"]): float(s["bpm"]) for s in samples}
    return {moment: bpm for moment, bpm in at.items() if start <= moment < end}


def heartrate_held(vital, user_id, start: datetime, end: datetime) -> dict[datetime, float]:
    samples = vital.vitals.heartrate(user_id, **window())
    return {s.timestamp: s.value for s in samples if start <= s.timestamp < end}


def backfill_of(user_id, resource) -> PullState:
    return PullState.objects.get(connection=connection_of(user_id, "oura"), resource=resource)


@pytest.fixture
def held(monkeypatch):
    """The ring's last sync held still: its heart rate grows by a sample every five minutes,
    which a re-pull would rightly find."""
    until = datetime.now(UTC)
    monkeypatch.setattr(emulator, "served_until", lambda: until)


def test_the_backfill_serves_what_oura_sent_and_a_repull_changes_nothing(
    vital, receiver, endpoint, held
):
    user_id = connect_oauth(vital, "oura")
    sleep_state = backfill_of(user_id, "sleep")
    assert sleep_state.historical_status == "success"

    nights = {n["day"]: n for n in served(emulator.sleep_of, sleep_state)}  # one a day
    held = vital.sleep.get(user_id, **window(33)).sleep
    assert {s.calendar_date for s in held} == set(nights) and len(nights) > 20
    for sleep in held:
        night = nights[sleep.calendar_date]
        assert sleep.bedtime_start == datetime.fromisoformat(night["bedtime_start"])
        assert sleep.bedtime_stop == datetime.fromisoformat(night["bedtime_end"])
        assert sleep.timezone_offset == BERLIN_WINTER
        assert (sleep.total, sleep.deep, sleep.rem, sleep.light, sleep.awake) == (
            night["total_sleep_duration"],
            night["deep_sleep_duration"],
            night["rem_sleep_duration"],
            night["light_sleep_duration"],
            night["awake_time"],
        )
        assert (sleep.hr_lowest, sleep.average_hrv) == (
            night["lowest_heart_rate"],
            night["average_hrv"],
        )
        assert sleep.respiratory_rate == night["average_breath"]
        assert sleep.hr_average == round(night["average_heart_rate"])

    rmssd = {
        datetime.fromisoformat(night["hrv"]["timestamp"]) + n * timedelta(minutes=5): float(ms)
        for night in served(emulator.sleep_of, backfill_of(user_id, "hrv"))
        for n, ms in enumerate(night["hrv"]["items"])
        if ms is not None
    }
    hrv = vital.vitals.hrv(user_id, **window(33))
    assert {s.timestamp: s.value for s in hrv} == rmssd and len(rmssd) > 1000
    assert {s.unit for s in hrv} == {"rmssd"}

    days = {
        d["day"]: d for d in served(emulator.daily_activity_of, backfill_of(user_id, "activity"))
    }
    activity = vital.activity.get(user_id, **window(33)).activity
    assert {a.calendar_date for a in activity} == set(days)
    for day in activity:
        doc = days[day.calendar_date]
        assert (day.steps, day.calories_active, day.calories_total) == (
            doc["steps"],
            doc["active_calories"],
            doc["total_calories"],
        )
        assert day.high == pytest.approx(doc["high_activity_time"] / 60)
        assert day.timezone_offset == BERLIN_WINTER

    trips = {w["id"]: w for w in served(emulator.workouts_of, backfill_of(user_id, "workouts"))}
    workouts = vital.workouts.get(user_id, **window(33)).workouts
    assert {w.provider_id for w in workouts} == set(trips) and trips
    for workout in workouts:
        trip = trips[workout.provider_id]
        assert workout.time_start == datetime.fromisoformat(trip["start_datetime"])
        assert (workout.title, workout.calories, workout.distance) == (
            trip["activity"],
            trip["calories"],
            trip["distance"],
        )
        assert workout.timezone_offset == BERLIN_WINTER

    beats = backfill_of(user_id, "heartrate")
    start, end = beats.historical_start, beats.historical_end
    expected = heartrate_served(start, end)
    assert heartrate_held(vital, user_id, start, end) == expected and len(expected) > 8000

    profile = vital.profile.get(user_id)
    info = emulator.personal_info_of(ACCOUNT)
    assert (profile.height, profile.sex) == (round(info["height"] * 100), info["biological_sex"])

    counts, receiver.requests[:] = states(user_id), []
    connection = connection_of(user_id, "oura")
    for resource in counts:
        outcome = pulling.pull_run(connection_id=connection.pk, resource=resource)
        assert outcome == "pulled"
    assert states(user_id) == counts and receiver.requests == []


def test_a_signed_webhook_pulls_once_and_a_forged_one_not_at_all(vital, sandbox, watch_pulls):
    user_id = connect_oauth(vital, "oura")
    pulls = watch_pulls()
    checked = requests.post(f"{sandbox.url}/sandbox/oura/subscribe", timeout=30).json()
    assert checked == {"status": 200, "verified": True}

    sent = requests.post(
        f"{sandbox.url}/sandbox/oura/push", data={"data_type": "workout"}, timeout=60
    ).json()
    assert (
        sent["status"] == 200
        and sent["sent"]["user_id"] == connection_of(user_id, "oura").external_user_id
    )
    assert pulls == ["workouts"]

    body = json.dumps({**sent["sent"], "data_type": "sleep"}).encode()
    forged = requests.post(
        f"{sandbox.url}/push/oura",
        data=body,
        headers={"x-oura-signature": "00" * 32, "x-oura-timestamp": "1"},
        timeout=30,
    )
    refused = requests.get(
        f"{sandbox.url}/push/oura",
        params={"verification_token": "guess", "challenge": "c"},
        timeout=30,
    )
    assert (forged.status_code, refused.status_code) == (401, 401) and pulls == ["workouts"]
    pulls.clear()
    requests.post(f"{sandbox.url}/sandbox/oura/push", data={"data_type": "sleep"}, timeout=60)
    assert pulls == ["sleep", "hrv"]  # a sleep period holds both


def test_a_page_not_in_ouras_shape_is_refused_whole(monkeypatch):
    reader = OuraData(OuraAdapter(base_urls=OuraAdapter.hosts), {"access_token": "t"})
    today = datetime.now(UTC).date()
    nights = (n for ago in range(1, 30) for n in emulator.sleep_of(ACCOUNT, today - timedelta(ago)))
    night = next(nights)
    broken = {key: value for key, value in night.items() if key != "deep_sleep_duration"}
    answer = {"data": [night, broken], "next_token": None}
    monkeypatch.setattr(reader, "get", lambda path, params=None: answer)
    end = datetime.now(UTC)
    with pytest.raises(ProviderApiError, match="deep_sleep_duration"):
        reader.page("sleep", end - timedelta(days=3), end, None)


def test_a_429_mid_backfill_resumes_to_the_same_data_and_one_webhook(
    vital, sandbox, receiver, endpoint
):
    requests.post(
        f"{sandbox.url}/sandbox/oura/rate_limit",
        data={"collection": "heartrate", "after": 1},
        timeout=30,
    ).raise_for_status()
    user_id = connect_oauth(vital, "oura")
    cut = backfill_of(user_id, "heartrate")
    assert cut.historical_status == "retrying"
    assert cut.cursor and cut.next_pull_at > datetime.now(UTC) + timedelta(seconds=50)
    start, end = cut.historical_start, cut.historical_end
    first_day = heartrate_held(vital, user_id, start, end)
    assert 0 < len(first_day) <= 288  # the page before the 429

    def heartrate_events():
        return [
            json.loads(r["body"])
            for r in receiver.requests
            if json.loads(r["body"])["event_type"] == "historical.data.heartrate.created"
        ]

    assert heartrate_events() == []
    connection = connection_of(user_id, "oura")
    assert (
        pulling.pull_run(connection_id=connection.pk, resource="heartrate", historical=True)
        == "pulled"
    )
    done = backfill_of(user_id, "heartrate")
    assert (done.historical_status, done.cursor) == ("success", "")
    assert heartrate_held(vital, user_id, start, end) == heartrate_served(start, end)
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request["body"], request["headers"])
    (event,) = heartrate_events()
    assert event["data"]["user_id"] == user_id
    assert event["data"]["start_date"] == start.isoformat()


def test_the_oura_ring_client_reads_the_emulators_sleep_and_heart_rate(vital, sandbox):
    user_id = connect_oauth(vital, "oura")
    token = connection_of(user_id, "oura").credentials["access_token"]
    last = datetime.now(UTC).date()
    first = last - timedelta(days=3)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = start + timedelta(days=2, hours=6)  # three UTC days, so three pages
    seen = run_witness(
        "oura-ring",
        "oura_ring_reads_sleep_and_heart_rate.py",
        sandbox.url,
        token,
        first.isoformat(),
        last.isoformat(),
        start.isoformat(),
        end.isoformat(),
    )
    nights = [n for day in days_between(first, last) for n in emulator.sleep_of(ACCOUNT, day)]
    assert seen["sleep"] == nights
    assert {datetime.fromisoformat(s["timestamp"]): float(s["bpm"]) for s in seen["heartrate"]} == (
        heartrate_served(start, end)
    )
    assert len(seen["heartrate"]) == 2 * 288 + 72
    assert date.fromisoformat(seen["sleep"][-1]["day"]) <= last
