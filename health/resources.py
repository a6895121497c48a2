"""The health data Link keeps, named as Vital names it (the official `vital` SDK's models are the
schema): five summaries, one row per sleep, day, workout, body measurement or profile, and ten
time series of samples. This table is the one place that says which resource is which."""

from dataclasses import dataclass

SUMMARIES = ("sleep", "activity", "workouts", "body", "profile")


@dataclass(frozen=True)
class Series:
    slug: str  # Vital's resource name: webhook events, introspection
    path: str  # GET /v2/timeseries/{user_id}/<path>: weight and fat are spelt body_* there
    code: int  # stored in Sample.resource (never reuse one)
    unit: str  # the canonical unit every sample is stored and served in
    interval: bool = False  # a sample covers [start, end), not an instant
    pair: bool = False  # systolic and diastolic, not one value


SERIES = (
    Series("heartrate", "heartrate", 1, "bpm"),
    Series("hrv", "hrv", 2, "rmssd"),  # RMSSD, in milliseconds
    Series("glucose", "glucose", 3, "mmol/L"),
    Series("steps", "steps", 4, "count", interval=True),
    Series("calories_active", "calories_active", 5, "kcal", interval=True),
    Series("blood_oxygen", "blood_oxygen", 6, "%"),
    Series("blood_pressure", "blood_pressure", 7, "mmHg", pair=True),
    Series("weight", "body_weight", 8, "kg"),
    Series("fat", "body_fat", 9, "%"),
    Series("respiratory_rate", "respiratory_rate", 10, "bpm"),  # breaths per minute
)
SERIES_BY_SLUG = {s.slug: s for s in SERIES}
SERIES_BY_CODE = {s.code: s for s in SERIES}

RESOURCES = (*SUMMARIES, *SERIES_BY_SLUG)

# What a sleep's stream is made of: these series' samples of the same provider in its bedtime.
SLEEP_STREAM = ("heartrate", "hrv", "respiratory_rate")
