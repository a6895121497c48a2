"""Google's OAuth server and the Health API's identity, as a Google Health app meets them:
client credentials in the body or as HTTP Basic (Google's own client library sends Basic and
PKCE), a refresh answer without a new refresh token (Google's do not rotate), and
`users/me/identity` giving `healthUserId` and the Fitbit id the sandbox account had.

And six data types of `users.dataTypes.dataPoints.list`
(GET /v4/users/me/dataTypes/{type}/dataPoints: steps, heart-rate, heart-rate-variability,
oxygen-saturation, weight, sleep), in the shapes of the API's discovery document (health.v4.json,
revision 20261030, as google-api-python-client 2.202.0 ships it): `{dataPoints: [...],
nextPageToken}`, where a data point holds `dataSource` and one member of the data union:
`steps {count, interval}`, `heartRate {beatsPerMinute, sampleTime}`, `heartRateVariability
{rootMeanSquareOfSuccessiveDifferencesMilliseconds, sampleTime}`, `oxygenSaturation {percentage,
sampleTime}`, `weight {weightGrams, sampleTime}`, and `sleep {interval, type, stages, metadata,
summary}` under a `name` (sleep points are identifiable). int64 values are JSON strings and
offsets durations such as "3600s" (proto3's JSON mapping). A sample time is `{physicalTime,
utcOffset, civilTime}`, an interval `{startTime, startUtcOffset, endTime, endUtcOffset,
civilStartTime, civilEndTime}`: physical time is the instant, civil time the user's wall clock
(the account lives in Berlin). `filter` takes the physical-time fields of the AIP-160 grammar
the method documents (`steps.interval.start_time`, `{type}.sample_time.physical_time`,
`sleep.interval.end_time`; `>=`, `<`, `AND`); the civil forms are not served here. Points come
newest first ("ordered by the interval start time in descending order"). `pageSize` defaults to
1440 and stops at 10000, 25 for sleep, as documented. Errors are Google's JSON errors
(https://google.aip.dev/193).

Not verified, so kept simple: whether zero-step intervals are listed (they are not here), how
often HRV and SpO2 samples come (hourly at night here), what `name` holds for `users/me`, and
which scope each data type needs (not checked)."""

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, account_id, exempt, sign, unsign
from ...sandbox.data import HISTORY, days_between, grid, seeded
from ..fitbit.emulator import fitbit_user_id
from .adapter import GoogleHealthAdapter

ZONE = ZoneInfo("Europe/Berlin")  # where the sandbox account lives
DEFAULT_PAGE, MAX_PAGE = 1440, 10000
HEART_EVERY, STEPS_EVERY, NIGHTLY_EVERY = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
WATCH = {
    "device": {"displayName": "Pixel Watch 3", "formFactor": "WATCH", "manufacturer": "Google"},
    "recordingMethod": "PASSIVELY_MEASURED",
    "platform": "FITBIT",
}
SCALE = {
    "device": {"displayName": "Aria Air", "formFactor": "SCALE", "manufacturer": "Fitbit"},
    "recordingMethod": "PASSIVELY_MEASURED",
    "platform": "FITBIT",
}
_CLAUSE = re.compile(r'\s*(\S+)\s*(>=|<)\s*"([^"]+)"\s*')


def served_until() -> datetime:
    """The newest moment the account has synced (tests hold it still)."""
    return datetime.now(UTC)


def rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def utc_offset(at: datetime) -> str:
    return f"{int(at.astimezone(ZONE).utcoffset().total_seconds())}s"


def civil(at: datetime) -> dict:
    """proto3 JSON leaves zero fields out: midnight's time of day is {}."""
    local = at.astimezone(ZONE)
    clock = {"hours": local.hour, "minutes": local.minute, "seconds": local.second}
    return {
        "date": {"year": local.year, "month": local.month, "day": local.day},
        "time": {unit: n for unit, n in clock.items() if n},
    }


def sample_time(at: datetime) -> dict:
    return {"physicalTime": rfc3339(at), "utcOffset": utc_offset(at), "civilTime": civil(at)}


def synced(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """The times on a `step` grid in [start, end) that the account has: synced, and within
    its history."""
    return grid(max(start, datetime.now(UTC) - HISTORY), min(end, served_until()), step)


def awake(at: datetime) -> bool:
    return 7 <= at.astimezone(ZONE).hour < 23


def heart_rate_at(account: str, at: datetime) -> int:
    rng = seeded(account, "google_health.heart_rate", at.timestamp())
    return rng.randint(62, 96) if awake(at) else rng.randint(50, 60)


def hrv_at(account: str, at: datetime) -> float:
    """RMSSD in ms, measured hourly through the night."""
    return round(seeded(account, "google_health.hrv", at.timestamp()).uniform(20, 70), 1)


def spo2_at(account: str, at: datetime) -> float:
    """SpO2 in percent, measured hourly through the night."""
    return round(seeded(account, "google_health.spo2", at.timestamp()).uniform(93, 99), 1)


def steps_from(account: str, start: datetime) -> int:
    """Steps in the quarter hour from `start`: none asleep, often none at a desk."""
    if not awake(start):
        return 0
    rng = seeded(account, "google_health.steps", start.timestamp())
    return 0 if rng.random() < 0.3 else rng.randint(20, 1800)


def weighing_on(account: str, day: date) -> tuple[datetime, float] | None:
    """(when, grams) of the morning's weighing on a local day; None on days without one."""
    rng = seeded(account, "google_health.weight", day)
    if rng.random() < 0.3:
        return None
    at = datetime.combine(day, time(7, rng.randint(0, 59)), ZONE).astimezone(UTC)
    return at, round(72000 + rng.uniform(-1500, 1500), 1)


def _sampled(member: str, value_field: str, value_of, times: list[datetime], source: dict):
    return [
        {
            "dataSource": source,
            member: {value_field: value_of(at), "sampleTime": sample_time(at)},
        }
        for at in times
    ]


def heart_rate_points(account: str, start: datetime, end: datetime) -> list[dict]:
    def bpm(at):
        return str(heart_rate_at(account, at))  # an int64: a JSON string

    times = synced(start, end, HEART_EVERY)
    return _sampled("heartRate", "beatsPerMinute", bpm, times, WATCH)


def hrv_points(account: str, start: datetime, end: datetime) -> list[dict]:
    times = [at for at in synced(start, end, NIGHTLY_EVERY) if not awake(at)]
    rmssd = "rootMeanSquareOfSuccessiveDifferencesMilliseconds"
    return _sampled("heartRateVariability", rmssd, partial(hrv_at, account), times, WATCH)


def spo2_points(account: str, start: datetime, end: datetime) -> list[dict]:
    times = [at for at in synced(start, end, NIGHTLY_EVERY) if not awake(at)]
    return _sampled("oxygenSaturation", "percentage", partial(spo2_at, account), times, WATCH)


def interval(start: datetime, end: datetime, *, civil_times: bool = True) -> dict:
    """An observation's or a session's interval (a sleep stage's has no civil times)."""
    times = {
        "startTime": rfc3339(start),
        "startUtcOffset": utc_offset(start),
        "endTime": rfc3339(end),
        "endUtcOffset": utc_offset(end),
    }
    if civil_times:
        times |= {"civilStartTime": civil(start), "civilEndTime": civil(end)}
    return times


def steps_points(account: str, start: datetime, end: datetime) -> list[dict]:
    return [
        {
            "dataSource": WATCH,
            "steps": {"count": str(count), "interval": interval(at, at + STEPS_EVERY)},
        }
        for at in synced(start, end, STEPS_EVERY)
        if (count := steps_from(account, at))
    ]


def weight_points(account: str, start: datetime, end: datetime) -> list[dict]:
    days = days_between(start.astimezone(ZONE).date(), end.astimezone(ZONE).date())
    weighings = [w for day in days if (w := weighing_on(account, day))]
    return [
        {"dataSource": SCALE, "weight": {"weightGrams": grams, "sampleTime": sample_time(at)}}
        for at, grams in weighings
        if start <= at < min(end, served_until())
    ]


def night_stages(account: str, day: date) -> list[tuple[str, datetime, datetime]]:
    """(stage, start, end) of the night that begins on local `day`: awake while falling
    asleep, then cycles of light, deep, light and REM, and awake again at the end."""
    rng = seeded(account, "google_health.sleep", day)
    at = datetime.combine(day, time(22, 30), ZONE).astimezone(UTC)
    at += timedelta(minutes=rng.randint(0, 60))
    wake = datetime.combine(day + timedelta(days=1), time(6, 15), ZONE).astimezone(UTC)
    wake += timedelta(minutes=rng.randint(0, 60))
    stages = [("AWAKE", rng.randint(5, 20))]
    while sum(m for _, m in stages) < (wake - at).total_seconds() // 60 - 10:
        stages += [(kind, rng.randint(10, 35)) for kind in ("LIGHT", "DEEP", "LIGHT", "REM")]
    stages.append(("AWAKE", rng.randint(1, 5)))
    segments = []
    for kind, minutes in stages:
        segments.append((kind, at, at + timedelta(minutes=minutes)))
        at += timedelta(minutes=minutes)
    return segments


def sleep_point(account: str, day: date) -> dict:
    stages = night_stages(account, day)
    start, end = stages[0][1], stages[-1][2]
    minutes: dict[str, int] = {}
    counts: dict[str, int] = {}
    for kind, begin, until in stages:
        minutes[kind] = minutes.get(kind, 0) + int((until - begin).total_seconds() // 60)
        counts[kind] = counts.get(kind, 0) + 1
    period = int((end - start).total_seconds() // 60)
    summary = {
        "minutesInSleepPeriod": str(period),
        "minutesAsleep": str(period - minutes["AWAKE"]),
        "minutesAwake": str(minutes["AWAKE"]),
        "minutesToFallAsleep": str(int((stages[0][2] - stages[0][1]).total_seconds() // 60)),
        "minutesAfterWakeUp": str(int((stages[-1][2] - stages[-1][1]).total_seconds() // 60)),
        "stagesSummary": [
            {"type": kind, "minutes": str(minutes[kind]), "count": str(counts[kind])}
            for kind in minutes
        ],
    }
    sleep_id = uuid.uuid5(uuid.NAMESPACE_URL, f"google_health:{account}:sleep:{day}")
    return {
        "name": f"users/me/dataTypes/sleep/dataPoints/{sleep_id}",
        "dataSource": WATCH,
        "sleep": {
            "interval": interval(start, end),
            "type": "STAGES",
            "stages": [
                {"type": kind, **interval(begin, until, civil_times=False)}
                for kind, begin, until in stages
            ],
            "metadata": {"mainSleep": True, "processed": True, "stagesStatus": "SUCCEEDED"},
            "summary": summary,
            "createTime": rfc3339(end),
            "updateTime": rfc3339(end),
        },
    }


def sleep_points(account: str, start: datetime, end: datetime) -> list[dict]:
    """The nights that ended in [start, end) (the sleep filter is on the end time)."""
    first = start.astimezone(ZONE).date() - timedelta(days=1)
    points = [sleep_point(account, day) for day in days_between(first, end.astimezone(ZONE).date())]
    until = min(end, served_until())
    return [p for p in points if start <= _ended(p) < until]


def _ended(point: dict) -> datetime:
    return datetime.fromisoformat(point["sleep"]["interval"]["endTime"])


# Data type (as in the URL) -> its physical-time filter field, its points in [start, end),
# and its default and largest page sizes.
DATA_TYPES = {
    "heart-rate": ("heart_rate.sample_time.physical_time", heart_rate_points),
    "heart-rate-variability": (
        "heart_rate_variability.sample_time.physical_time",
        hrv_points,
    ),
    "oxygen-saturation": ("oxygen_saturation.sample_time.physical_time", spo2_points),
    "steps": ("steps.interval.start_time", steps_points),
    "weight": ("weight.sample_time.physical_time", weight_points),
    "sleep": ("sleep.interval.end_time", sleep_points),
}
# "For exercise and sleep the default page size is 25. The maximum page size for exercise and
# sleep is 25."
SESSION_PAGE = 25


def google_error(code: int, status: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message, "status": status}}, status=code
    )


def time_range(raw: str, field: str) -> tuple[datetime, datetime] | None:
    """[start, end) of a filter on `field` (missing bounds: all the history, up to now)."""
    start, end = datetime.now(UTC) - HISTORY, datetime.now(UTC)
    for clause in filter(None, re.split(r"\s+AND\s+", raw.strip())):
        match = _CLAUSE.fullmatch(clause)
        if match is None or match[1] != field:
            return None
        try:
            moment = datetime.fromisoformat(match[3])
        except ValueError:
            return None
        if moment.tzinfo is None:
            return None
        start, end = (moment, end) if match[2] == ">=" else (start, moment)
    return start, end


class GoogleHealthEmulator(OAuthEmulator):
    vendor = GoogleHealthAdapter
    access_ttl = 3599

    def token_response(self, tokens, grant):
        if not grant.exchange:
            tokens.pop("refresh_token")
        return JsonResponse(tokens)

    def data_points(self, request, data_type):
        """`users.dataTypes.dataPoints.list`, for `users/me`."""
        account = self.bearer_account(request)
        if account is None:
            return google_error(401, "UNAUTHENTICATED", "Request had invalid credentials.")
        if data_type not in DATA_TYPES:
            return google_error(
                400, "INVALID_ARGUMENT", f"The data type ID '{data_type}' is not supported."
            )
        field, points_of = DATA_TYPES[data_type]
        raw_filter = request.GET.get("filter", "")
        window = time_range(raw_filter, field)
        default, largest = (
            (SESSION_PAGE, SESSION_PAGE) if data_type == "sleep" else (DEFAULT_PAGE, MAX_PAGE)
        )
        try:
            size = min(int(request.GET.get("pageSize") or default), largest)
        except ValueError:
            size = 0
        offset = 0
        if request.GET.get("pageToken"):
            token = unsign(request.GET["pageToken"], "google_health.page")
            if not token or token["filter"] != raw_filter or token["type"] != data_type:
                return google_error(400, "INVALID_ARGUMENT", "Invalid page token.")
            offset = token["offset"]
        if window is None or size <= 0:
            return google_error(400, "INVALID_ARGUMENT", "Invalid filter or page size.")
        points = points_of(account, *window)[::-1]  # newest first, as documented
        shown = points[offset : offset + size]
        answer = {"dataPoints": shown}
        if offset + size < len(points):
            more = {"filter": raw_filter, "type": data_type, "offset": offset + size}
            answer["nextPageToken"] = sign(more, "google_health.page")
        return JsonResponse(answer)

    def hosts(self):
        hosts = GoogleHealthAdapter.hosts
        return {
            hosts["accounts"]: [path("o/oauth2/v2/auth", exempt(self.authorize))],
            hosts["oauth2"]: [
                path("token", exempt(self.token)),
                path(
                    "revoke",
                    self.revoke_view(lambda r: r.POST.get("token") or r.GET.get("token")),
                ),
            ],
            hosts["health"]: [
                path(
                    "v4/users/me/identity",
                    self.profile_view(
                        lambda account: {
                            "name": "users/me/identity",
                            "legacyUserId": fitbit_user_id(account),
                            "healthUserId": account_id(account).replace("-", "")[:24],
                        }
                    ),
                ),
                path(
                    "v4/users/me/dataTypes/<str:data_type>/dataPoints",
                    exempt(self.data_points),
                ),
            ],
        }
