"""WHOOP's OAuth server (Ory Hydra-like): client credentials in the body, `state` of at least 8
characters, a refresh token only when `offline` was granted and single use, the basic profile
with an integer `user_id`, and revocation by DELETE /developer/v2/user/access (204).

Data (https://developer.whoop.com/api, the shapes in hedgertronic/whoop's client docstrings and
https://developer.whoop.com/docs/developing/user-data/cycle): `/v2/activity/sleep`,
`/v2/activity/workout`, `/v2/cycle` and `/v2/recovery` (resting heart rate, HRV as RMSSD in
milliseconds, per main sleep), each filtered by `start` (inclusive) and `end`
(exclusive), newest first, `limit` at most 25 (default 10), paged with `nextToken` (answered as
`next_token`); times in UTC with the user's `timezone_offset` beside them ("-05:00"), durations
in milliseconds, energy in kilojoules; `/v2/user/measurement/body` (height in metres). The sandbox
user lives in America/New_York. How WHOOP builds its tokens is not published: here a signed
offset.

Webhooks (https://developer.whoop.com/docs/developing/webhooks): a POST of {user_id, id, type,
trace_id}, signed in X-WHOOP-Signature = base64(HMAC-SHA256(client secret,
X-WHOOP-Signature-Timestamp + raw body)); the timestamp is in milliseconds (api-evangelist's
whoop-co example delivery). The sandbox lever POST /sandbox/whoop_v2/push sends one."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import partial
from zoneinfo import ZoneInfo

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import (
    OAuthEmulator,
    bearer,
    exempt,
    link_push,
    numeric_id,
    sandbox_client,
    sign,
    unsign,
)
from ...sandbox.data import days_between, seeded
from .adapter import WhoopV2Adapter

MIN_STATE = 8
ZONE = ZoneInfo("America/New_York")  # the sandbox user's home
MAX_LIMIT, DEFAULT_LIMIT = 25, 10
_SPORTS = ("running", "cycling", "functional-fitness", "yoga")


def _utc(moment: datetime) -> str:
    """WHOOP's spelling of an instant: UTC, milliseconds, Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _offset(moment: datetime) -> str:
    return moment.astimezone(ZONE).isoformat()[-6:]  # "-05:00"


def _sleep_start(account: str, day: date) -> datetime:
    """When the night that ends on local `day` began."""
    rng = seeded(account, "whoop.sleep_start", day)
    evening = datetime.combine(day - timedelta(days=1), clock(22, 0), ZONE)
    return evening + timedelta(minutes=rng.randint(0, 90), seconds=rng.randint(0, 59))


def sleep_of(account: str, day: date) -> list[dict]:
    """The sleep that ends on local `day`."""
    rng = seeded(account, "whoop.sleep", day)
    start = _sleep_start(account, day)
    light, deep, rem = (
        rng.randint(a, b) * 1000 for a, b in ((9000, 15000), (3000, 7000), (4000, 8000))
    )
    awake, no_data = rng.randint(300, 3000) * 1000, 0
    in_bed = light + deep + rem + awake + no_data
    end = start + timedelta(milliseconds=in_bed)
    return [
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"whoop:{account}:sleep:{day}")),
            "cycle_id": _cycle_id(account, day),
            "user_id": numeric_id(account),
            "created_at": _utc(end + timedelta(minutes=5)),
            "updated_at": _utc(end + timedelta(minutes=30)),
            "start": _utc(start),
            "end": _utc(end),
            "timezone_offset": _offset(start),
            "nap": False,
            "score_state": "SCORED",
            "score": {
                "stage_summary": {
                    "total_in_bed_time_milli": in_bed,
                    "total_awake_time_milli": awake,
                    "total_no_data_time_milli": no_data,
                    "total_light_sleep_time_milli": light,
                    "total_slow_wave_sleep_time_milli": deep,
                    "total_rem_sleep_time_milli": rem,
                    "sleep_cycle_count": rng.randint(3, 6),
                    "disturbance_count": rng.randint(2, 15),
                },
                "sleep_needed": {
                    "baseline_milli": 27000000,
                    "need_from_sleep_debt_milli": rng.randint(0, 900000),
                    "need_from_recent_strain_milli": rng.randint(0, 600000),
                    "need_from_recent_nap_milli": 0,
                },
                "respiratory_rate": round(rng.uniform(13, 17), 6),
                "sleep_performance_percentage": rng.randint(60, 100),
                "sleep_consistency_percentage": rng.randint(50, 99),
                "sleep_efficiency_percentage": round(100 * (in_bed - awake) / in_bed, 6),
            },
        }
    ]


def _cycle_id(account: str, day: date) -> int:
    return numeric_id(f"{account}:cycle:{day}")


def cycle_of(account: str, day: date) -> list[dict]:
    """The cycle that opens with the night ending on local `day` and lasts until the next one;
    the current cycle has no end yet."""
    rng = seeded(account, "whoop.cycle", day)
    start = _sleep_start(account, day)
    end = _sleep_start(account, day + timedelta(days=1))
    return [
        {
            "id": _cycle_id(account, day),
            "user_id": numeric_id(account),
            "created_at": _utc(start),
            "updated_at": _utc(start + timedelta(hours=12)),
            "start": _utc(start),
            **({"end": _utc(end)} if end <= datetime.now(UTC) else {}),
            "timezone_offset": _offset(start),
            "score_state": "SCORED",
            "score": {
                "strain": round(rng.uniform(4, 18), 6),
                "kilojoule": round(rng.uniform(7000, 13000), 3),
                "average_heart_rate": rng.randint(58, 80),
                "max_heart_rate": rng.randint(120, 185),
            },
        }
    ]


def workout_of(account: str, day: date) -> list[dict]:
    """Most days, one workout in the local early evening."""
    rng = seeded(account, "whoop.workout", day)
    if rng.random() < 0.3:
        return []
    start = datetime.combine(day, clock(18, 0), ZONE) + timedelta(seconds=rng.randint(0, 5400))
    minutes = rng.randint(25, 95)
    zones = [rng.randint(0, minutes * 12) * 1000 for _ in range(6)]
    names = ("zero", "one", "two", "three", "four", "five")
    return [
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"whoop:{account}:workout:{day}")),
            "v1_id": numeric_id(f"{account}:workout:{day}"),
            "user_id": numeric_id(account),
            "created_at": _utc(start + timedelta(minutes=minutes + 2)),
            "updated_at": _utc(start + timedelta(minutes=minutes + 10)),
            "start": _utc(start),
            "end": _utc(start + timedelta(minutes=minutes)),
            "timezone_offset": _offset(start),
            "sport_name": rng.choice(_SPORTS),
            "score_state": "SCORED",
            "score": {
                "strain": round(rng.uniform(3, 16), 6),
                "average_heart_rate": rng.randint(110, 150),
                "max_heart_rate": rng.randint(150, 190),
                "kilojoule": round(rng.uniform(600, 3500), 6),
                "percent_recorded": 100,
                "distance_meter": round(rng.uniform(1000, 30000), 6),
                "altitude_gain_meter": round(rng.uniform(0, 300), 6),
                "altitude_change_meter": round(rng.uniform(-20, 20), 6),
                "zone_durations": {f"zone_{n}_milli": z for n, z in zip(names, zones, strict=True)},
            },
        }
    ]


def recovery_of(account: str, sleep: dict) -> dict:
    """The recovery WHOOP scores from a (main) sleep."""
    rng = seeded(account, "whoop.recovery", sleep["id"])
    return {
        "cycle_id": sleep["cycle_id"],
        "sleep_id": sleep["id"],
        "user_id": numeric_id(account),
        "created_at": sleep["updated_at"],
        "updated_at": sleep["updated_at"],
        "score_state": "SCORED",
        "score": {
            "user_calibrating": False,
            "recovery_score": rng.randint(20, 99),
            "resting_heart_rate": rng.randint(44, 62),
            "hrv_rmssd_milli": round(rng.uniform(25, 110), 6),
            "spo2_percentage": round(rng.uniform(94, 99), 4),
            "skin_temp_celsius": round(rng.uniform(33, 35), 2),
        },
    }


def recoveries_between(account: str, start: datetime, end: datetime) -> list[dict]:
    """The recoveries of the sleeps that start in [start, end), in the sleeps' order (WHOOP
    sorts recoveries by their sleep's start; that it also filters by it is unverified)."""
    sleeps = records_between(sleep_of, account, start, end)
    return [recovery_of(account, sleep) for sleep in sleeps if not sleep["nap"]]


def body_of(account: str) -> dict:
    return {"height_meter": 1.7272, "weight_kilogram": 68.9, "max_heart_rate": 192}


def records_between(documents_of, account: str, start: datetime, end: datetime) -> list[dict]:
    """The account's records that start in [start, end) and have happened, newest first."""
    days = days_between(start.date() - timedelta(days=1), end.date() + timedelta(days=1))
    now = datetime.now(UTC)
    found = [
        doc
        for day in days
        for doc in documents_of(account, day)
        if start <= _at(doc["start"]) < end and _at(doc.get("end", doc["start"])) <= now
    ]
    return sorted(found, key=lambda doc: doc["start"], reverse=True)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def push(request):
    """POST account and type (sleep.updated…): WHOOP's webhook, signed, to Link."""
    account = request.POST.get("account", "user_good")
    body = json.dumps(
        {
            "user_id": numeric_id(account),
            "id": str(uuid.uuid4()),
            "type": request.POST.get("type", "sleep.updated"),
            "trace_id": str(uuid.uuid4()),
        }
    ).encode()
    stamp = str(int(time.time() * 1000))
    secret = sandbox_client(WhoopV2Adapter.slug).client_secret.encode()
    digest = hmac.new(secret, stamp.encode() + body, hashlib.sha256).digest()
    headers = {
        "X-WHOOP-Signature": base64.b64encode(digest).decode(),
        "X-WHOOP-Signature-Timestamp": stamp,
    }
    answer = link_push(WhoopV2Adapter.slug, body, headers)
    return JsonResponse({"status": answer.status_code, "sent": json.loads(body)})


_COLLECTIONS = {
    "activity/sleep": partial(records_between, sleep_of),
    "activity/workout": partial(records_between, workout_of),
    "cycle": partial(records_between, cycle_of),
    "recovery": recoveries_between,
}


class WhoopV2Emulator(OAuthEmulator):
    vendor = WhoopV2Adapter
    pkce = "optional"
    refresh_single_use = True

    def _check_authorize(self, query):
        if len(query.get("state", "")) < MIN_STATE:
            return "The state is missing or does not have enough characters."
        return super()._check_authorize(query)

    def token_response(self, tokens, grant):
        if "offline" not in grant.scopes:
            tokens.pop("refresh_token")
        return super().token_response(tokens, grant)

    def collection(self, between):
        """A collection endpoint: start and end (ISO 8601), limit, nextToken; `between(account,
        start, end)` finds its records, newest first."""

        def view(request):
            account = self.bearer_account(request)
            if account is None:
                return JsonResponse({"error": "unauthorized"}, status=401)
            try:
                start = _at(request.GET.get("start") or "1970-01-01T00:00:00Z")
                end = _at(request.GET["end"]) if "end" in request.GET else datetime.now(UTC)
                limit = int(request.GET.get("limit", DEFAULT_LIMIT))
            except ValueError:
                return JsonResponse({"error": "start, end or limit is malformed"}, status=400)
            if start.tzinfo is None or end.tzinfo is None or not 0 < limit <= MAX_LIMIT:
                return JsonResponse({"error": "start, end or limit is out of range"}, status=400)
            skip = 0
            if "nextToken" in request.GET:
                page = unsign(request.GET["nextToken"], "whoop.page")
                if page is None:
                    return JsonResponse({"error": "nextToken is not valid"}, status=400)
                skip = page["skip"]
            found = between(account, start, end)
            shown = found[skip : skip + limit]
            more = skip + limit < len(found)
            token = sign({"skip": skip + limit}, "whoop.page") if more else None
            return JsonResponse({"records": shown, "next_token": token})

        return exempt(view)

    def hosts(self):
        return {
            WhoopV2Adapter.hosts["api"]: [
                path("oauth/oauth2/auth", exempt(self.authorize)),
                path("oauth/oauth2/token", exempt(self.token)),
                path(
                    "developer/v2/user/profile/basic",
                    self.profile_view(
                        lambda account: {
                            "user_id": numeric_id(account),
                            "email": f"{account}@example.com",
                            "first_name": "Sandbox",
                            "last_name": "User",
                        }
                    ),
                ),
                path("developer/v2/user/measurement/body", self.profile_view(body_of)),
                path(
                    "developer/v2/activity/sleep",
                    self.collection(partial(records_between, sleep_of)),
                ),
                path(
                    "developer/v2/activity/workout",
                    self.collection(partial(records_between, workout_of)),
                ),
                path("developer/v2/cycle", self.collection(partial(records_between, cycle_of))),
                path("developer/v2/recovery", self.collection(recoveries_between)),
                path("developer/v2/user/access", self.revoke_view(bearer, 204)),
            ]
        }

    def controls(self):
        return [path("push", exempt(push))]
