"""Google's OAuth server and the Health API's identity, as a Google Health app meets them:
client credentials in the body or as HTTP Basic (Google's own client library sends Basic and
PKCE), a refresh answer without a new refresh token (Google's do not rotate), and
`users/me/identity` giving `healthUserId` and the Fitbit id the sandbox account had.

And three data types of `users.dataTypes.dataPoints.list`
(GET /v4/users/me/dataTypes/{steps|heart-rate|weight}/dataPoints), in the shapes of the API's
discovery document (health.v4.json, revision 20261030, as google-api-python-client 2.202.0
ships it): `{dataPoints: [...], nextPageToken}`, where a data point holds `dataSource` and one
member of the data union: `steps {count, interval}`, `heartRate {beatsPerMinute, sampleTime}`,
`weight {weightGrams, sampleTime}`. int64 values are JSON strings and offsets durations such as
"3600s" (proto3's JSON mapping). A sample time is `{physicalTime, utcOffset, civilTime}`, an
interval `{startTime, startUtcOffset, endTime, endUtcOffset, civilStartTime, civilEndTime}`:
physical time is the instant, civil time the user's wall clock (the account lives in Berlin).
`filter` takes the physical-time fields of the AIP-160 grammar the method documents
(`steps.interval.start_time`, `{type}.sample_time.physical_time`; `>=`, `<`, `AND`); the civil
forms are not served here. `pageSize` defaults to 1440 and stops at 10000, as documented.
Errors are Google's JSON errors (https://google.aip.dev/193).

Not verified, so kept simple: the order of the points (oldest first here), whether zero-step
intervals are listed (they are not here), and which scope each data type needs (not checked)."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, account_id, exempt, sign, unsign
from ...sandbox.data import HISTORY, days_between, grid, seeded
from ..fitbit.emulator import fitbit_user_id
from .adapter import GoogleHealthAdapter

ZONE = ZoneInfo("Europe/Berlin")  # where the sandbox account lives
DEFAULT_PAGE, MAX_PAGE = 1440, 10000
HEART_EVERY, STEPS_EVERY = timedelta(minutes=5), timedelta(minutes=15)
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


def heart_rate_points(account: str, start: datetime, end: datetime) -> list[dict]:
    return [
        {
            "dataSource": WATCH,
            "heartRate": {
                "beatsPerMinute": str(heart_rate_at(account, at)),
                "sampleTime": sample_time(at),
            },
        }
        for at in synced(start, end, HEART_EVERY)
    ]


def steps_points(account: str, start: datetime, end: datetime) -> list[dict]:
    points = []
    for at in synced(start, end, STEPS_EVERY):
        if count := steps_from(account, at):
            until = at + STEPS_EVERY
            interval = {
                "startTime": rfc3339(at),
                "startUtcOffset": utc_offset(at),
                "endTime": rfc3339(until),
                "endUtcOffset": utc_offset(until),
                "civilStartTime": civil(at),
                "civilEndTime": civil(until),
            }
            points.append(
                {"dataSource": WATCH, "steps": {"count": str(count), "interval": interval}}
            )
    return points


def weight_points(account: str, start: datetime, end: datetime) -> list[dict]:
    days = days_between(start.astimezone(ZONE).date(), end.astimezone(ZONE).date())
    weighings = [w for day in days if (w := weighing_on(account, day))]
    return [
        {"dataSource": SCALE, "weight": {"weightGrams": grams, "sampleTime": sample_time(at)}}
        for at, grams in weighings
        if start <= at < min(end, served_until())
    ]


# Data type (as in the URL) -> its physical-time filter field and its points in [start, end).
DATA_TYPES = {
    "heart-rate": ("heart_rate.sample_time.physical_time", heart_rate_points),
    "steps": ("steps.interval.start_time", steps_points),
    "weight": ("weight.sample_time.physical_time", weight_points),
}


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
        try:
            size = min(int(request.GET.get("pageSize") or DEFAULT_PAGE), MAX_PAGE)
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
        points = points_of(account, *window)
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
