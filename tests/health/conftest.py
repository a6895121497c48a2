"""A week of a sandbox user's health data, put in through the ingestion service as a vendor
pull will: an Oura ring (UTC+1) with every summary and most series, and a FreeStyle Libre with
glucose. Values are deterministic, so tests can assert exactly what comes back."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from connections.models import Connection
from health.ingest import ingest
from providers.data import SampleRecord, SummaryRecord
from teams.services import end_user_create

DAYS = [date(2026, 11, 1) + timedelta(days=n) for n in range(7)]
CET = 3600  # the ring's wearer is in Berlin: UTC+1 in November
WORKOUT_START = datetime(2026, 11, 3, 17, 0, tzinfo=UTC)


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def connect(user, provider: str) -> Connection:
    return Connection.objects.create(
        user=user, provider=provider, status="connected", external_user_id=f"{provider}-1"
    )


def sleeps() -> list[SummaryRecord]:
    return [
        SummaryRecord(
            provider_id=f"oura-sleep-{day}",
            fields={
                "calendar_date": day.isoformat(),
                "bedtime_start": midnight(day) - timedelta(hours=1, minutes=30),
                "bedtime_stop": midnight(day) + timedelta(hours=6, minutes=30),
                "timezone_offset": CET,
                "type": "long_sleep",
                "duration": 28800,
                "total": 25200.4,  # a vendor's float: Vital's model wants an int
                "awake": 3600,
                "light": 14400,
                "rem": 5400,
                "deep": 5400,
                "score": 80 + n,
                "hr_average": 55.6,
                "efficiency": 87.5,
                "average_hrv": 48.0,
            },
            raw={"id": f"oura-sleep-{day}", "score": 80 + n},
            source_type="ring",
        )
        for n, day in enumerate(DAYS)
    ]


def activities() -> list[SummaryRecord]:
    return [
        SummaryRecord(
            provider_id=day.isoformat(),
            fields={
                "calendar_date": day.isoformat(),
                "timezone_offset": CET,
                "time_zone": "Europe/Berlin",
                "steps": 8000 + 100 * n,
                "calories_active": 400.5,
                "calories_total": 2300.0,
                "distance": 6100.0,
                "heart_rate": {"avg_bpm": 68.0, "resting_bpm": 52.0},
            },
            raw={"day": day.isoformat(), "steps": 8000 + 100 * n},
            source_type="ring",
        )
        for n, day in enumerate(DAYS)
    ]


def workouts() -> list[SummaryRecord]:
    start = int(WORKOUT_START.timestamp())
    return [
        SummaryRecord(
            provider_id="oura-workout-1",
            fields={
                "calendar_date": "2026-11-03",
                "title": "Evening run",
                "time_start": WORKOUT_START,
                "time_end": WORKOUT_START + timedelta(minutes=45),
                "timezone_offset": CET,
                "sport": {"id": 1, "name": "Running", "slug": "running"},
                "average_hr": 142.4,
                "distance": 7500.0,
                "calories": 520.0,
                "stream": {
                    "time": [start, start + 1, start + 2],
                    "heartrate": [120, 121, None],
                    "distance": [0.0, 3.1, 6.3],
                },
            },
            raw={"activity": "running"},
            source_type="ring",
        )
    ]


def bodies() -> list[SummaryRecord]:
    return [
        SummaryRecord(
            provider_id="weigh-in-1",
            fields={"calendar_date": "2026-11-02", "weight": 70.2, "fat": 21.0},
            source_type="scale",
        )
    ]


def profiles() -> list[SummaryRecord]:
    return [
        SummaryRecord(
            provider_id="oura-1",
            fields={"height": 180.4, "birth_date": "1990-12-10", "sex": "female"},
            raw={"height": 1.804},
        )
    ]


def heartrate() -> list[SampleRecord]:
    """A sample a minute on the first day."""
    return [
        SampleRecord(
            timestamp=midnight(DAYS[0]) + timedelta(minutes=m),
            value=60.0 + m % 30,
            timezone_offset=CET,
            source_type="ring",
        )
        for m in range(24 * 60)
    ]


def steps() -> list[SampleRecord]:
    """An hour at a time through the first day."""
    return [
        SampleRecord(
            timestamp=midnight(DAYS[0]) + timedelta(hours=h),
            end=midnight(DAYS[0]) + timedelta(hours=h + 1),
            value=float(100 * h),
            timezone_offset=CET,
            source_type="ring",
        )
        for h in range(24)
    ]


def blood_pressure() -> list[SampleRecord]:
    return [
        SampleRecord(
            timestamp=midnight(DAYS[1]) + timedelta(hours=8),
            value=120.0,
            diastolic=80.0,
            timezone_offset=CET,
            source_type="cuff",
        )
    ]


def glucose() -> list[SampleRecord]:
    """Every 15 minutes of the first day, in mmol/L; FreeStyle Libre's time floats (no
    offset), as Vital serves it."""
    return [
        SampleRecord(
            timestamp=midnight(DAYS[0]) + timedelta(minutes=15 * q),
            value=round(5.0 + (q % 8) / 10, 1),
            source_type="automatic",
        )
        for q in range(96)
    ]


OURA = {
    "sleep": sleeps,
    "activity": activities,
    "workouts": workouts,
    "body": bodies,
    "profile": profiles,
    "heartrate": heartrate,
    "steps": steps,
    "blood_pressure": blood_pressure,
}


def put_week(oura: Connection, libre: Connection) -> None:
    for resource, records in OURA.items():
        ingest(connection=oura, resource=resource, records=records())
    ingest(connection=libre, resource="glucose", records=glucose())


@pytest.fixture
def person(team):
    user = end_user_create(team=team, client_user_id="data-alice")
    return SimpleNamespace(
        user=user, oura=connect(user, "oura"), libre=connect(user, "freestyle_libre")
    )


@pytest.fixture
def week(person):
    put_week(person.oura, person.libre)
    return person
