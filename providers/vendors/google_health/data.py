"""Reading the Google Health API: steps, heart rate, HRV (RMSSD), SpO2, weight and sleep from
`users.dataTypes.dataPoints.list` (GET /v4/users/me/dataTypes/{type}/dataPoints;
https://developers.google.com/health/reference/rest/v4/users.dataTypes.dataPoints, and the
API's discovery document, health.v4.json, as google-api-python-client 2.202.0 ships it).

A window is asked for with an AIP-160 `filter` on physical time (RFC 3339 instants, `>=` start
and `<` end), and read a page at a time: each answer's `nextPageToken` is the cursor, empty or
absent on the last page. `list` keeps each source's points apart (a watch and a phone both
counting steps are two sources, as Vital keeps them); `reconcile` would merge them into one
stream. int64 values come as JSON strings, UTC offsets as durations ("3600s"). Each point
carries the user's offset at that moment (`utcOffset`, `startUtcOffset`), kept as the sample's
time zone; weight comes in grams, stored in kilograms. A sleep is one session point, with its
stages' minutes summed in `summary` (int64 strings, proto3 leaving zeros out); Vital's
durations are seconds. Classic (non-stage) sleeps count ASLEEP and RESTLESS, which have no
light/REM/deep split, so those stay 0 for them."""

import re
from datetime import datetime, timedelta

from ...data import Page, SampleRecord, SummaryRecord, VendorData
from ...errors import ProviderError

# Vital's source type for a device's form factor (DataSource.Device.FormFactor).
SOURCE_TYPES = {
    "WATCH": "watch",
    "FITNESS_BAND": "watch",
    "RING": "ring",
    "SCALE": "scale",
    "CHEST_STRAP": "chest_strap",
    "PHONE": "phone",
}
_DURATION = re.compile(r"(-?\d+)(?:\.\d+)?s")


def _instant(raw) -> datetime:
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise ValueError(f"{raw!r} has no offset")
    return moment


def _seconds(raw) -> int:
    match = _DURATION.fullmatch(raw)
    if match is None:
        raise ValueError(f"{raw!r} is not a duration")
    return int(match[1])


def _sampled(point: dict, value: float) -> dict:
    """The fields of a sample taken at one moment (`sampleTime`)."""
    when = point["sampleTime"]
    return {
        "timestamp": _instant(when["physicalTime"]),
        "value": value,
        "timezone_offset": _seconds(when["utcOffset"]),
    }


def _steps(point: dict) -> dict:
    interval = point["interval"]
    return {
        "timestamp": _instant(interval["startTime"]),
        "end": _instant(interval["endTime"]),
        "value": int(point["count"]),
        "timezone_offset": _seconds(interval["startUtcOffset"]),
    }


# Link's resource -> (data type in the URL, its filter field, its member of the DataPoint
# union, the sample's fields from that member).
DATA_TYPES = {
    "steps": ("steps", "steps.interval.start_time", "steps", _steps),
    "heartrate": (
        "heart-rate",
        "heart_rate.sample_time.physical_time",
        "heartRate",
        lambda point: _sampled(point, int(point["beatsPerMinute"])),
    ),
    "weight": (
        "weight",
        "weight.sample_time.physical_time",
        "weight",
        lambda point: _sampled(point, float(point["weightGrams"]) / 1000),
    ),
    "hrv": (
        "heart-rate-variability",
        "heart_rate_variability.sample_time.physical_time",
        "heartRateVariability",
        lambda point: _sampled(
            point, float(point["rootMeanSquareOfSuccessiveDifferencesMilliseconds"])
        ),
    ),
    "blood_oxygen": (
        "oxygen-saturation",
        "oxygen_saturation.sample_time.physical_time",
        "oxygenSaturation",
        lambda point: _sampled(point, float(point["percentage"])),
    ),
    "sleep": ("sleep", "sleep.interval.end_time", "sleep", None),
}
# Vital's sleep `type` by how long the sleep was: "long_sleep: >=3 hours of sleep".
_LONG_SLEEP_MINUTES = 180


class GoogleHealthData(VendorData):
    resources = tuple(DATA_TYPES)

    def page(self, resource, start, end, cursor):
        data_type, field, member, fields_of = DATA_TYPES[resource]
        params = {"filter": f'{field} >= "{start.isoformat()}" AND {field} < "{end.isoformat()}"'}
        if cursor:
            params["pageToken"] = cursor
        answer = self.get(f"/v4/users/me/dataTypes/{data_type}/dataPoints", params)
        points = answer.get("dataPoints", []) if isinstance(answer, dict) else None
        if not isinstance(points, list):
            raise ProviderError("Google Health's answer has no list of data points.")
        records = []
        for index, point in enumerate(points):
            try:
                record = _sleep(point) if resource == "sleep" else _sample(point, member, fields_of)
            except (TypeError, KeyError, ValueError, AttributeError) as exc:
                raise ProviderError(f"Google Health {data_type} point {index}: {exc!r}") from None
            if record is not None:
                records.append(record)
        return Page(records, answer.get("nextPageToken") or None)


def _source(point: dict) -> dict:
    device = (point.get("dataSource") or {}).get("device") or {}
    return {
        "source_type": SOURCE_TYPES.get(device.get("formFactor"), "unknown"),
        "device_id": str(device.get("displayName") or ""),
    }


def _sample(point: dict, member: str, fields_of) -> SampleRecord:
    return SampleRecord(**fields_of(point[member]), **_source(point))


def _sleep(point: dict) -> SummaryRecord | None:
    """One sleep session as Vital's sleep; None while Google is still working out its stages
    (`metadata.processed` false: no summary yet; a later pull reads it again)."""
    sleep = point["sleep"]
    if not (sleep.get("metadata") or {}).get("processed"):
        return None
    interval, summary = sleep["interval"], sleep["summary"]
    start, end = _instant(interval["startTime"]), _instant(interval["endTime"])
    offset = _seconds(interval["endUtcOffset"])
    stages = {s["type"]: int(s["minutes"]) for s in summary.get("stagesSummary", [])}
    asleep = int(summary.get("minutesAsleep", 0))
    fields = {
        # Vital's calendar date "generally matches the sleep end date": the local one.
        "calendar_date": (end + timedelta(seconds=offset)).date(),
        "bedtime_start": start,
        "bedtime_stop": end,
        "timezone_offset": offset,
        "type": "long_sleep" if asleep >= _LONG_SLEEP_MINUTES else "short_sleep",
        "duration": int(summary.get("minutesInSleepPeriod", 0)) * 60,
        "total": asleep * 60,
        "awake": int(summary.get("minutesAwake", 0)) * 60,
        "light": stages.get("LIGHT", 0) * 60,
        "rem": stages.get("REM", 0) * 60,
        "deep": stages.get("DEEP", 0) * 60,
        "latency": int(summary.get("minutesToFallAsleep", 0)) * 60,
    }
    return SummaryRecord(point["name"].rsplit("/", 1)[-1], fields, raw=point, **_source(point))
