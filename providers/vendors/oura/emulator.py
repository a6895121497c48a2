"""Oura's OAuth server: `redirect_uri` optional (without it, the app's registered one; if sent at
authorize, it must be sent again at the exchange), client credentials in the body, single-use
refresh tokens, the user id from personal_info; its data endpoints, paged with `next_token`; and
its webhooks.

Data (Oura API v2, https://cloud.ouraring.com/v2/docs, and the shapes in hedgertronic/oura-ring's
client docstrings): `daily_sleep`, `sleep` (one document per sleep period: bedtime_start and
bedtime_end in the user's local offset, durations in seconds, average_hrv in ms, average_breath in
breaths per minute, `hrv` and `heart_rate` as five-minute series from bedtime_start),
`daily_activity` (times in seconds, distance in metres, calories in kcal; `timestamp` is the local 4
a.m. that starts Oura's activity day), `workout` (start and end in local offset), `heartrate`
(samples with `bpm`, `source` and a UTC `timestamp`; queried by `start_datetime`/`end_datetime`).
Oura's page size is not published: here a date-ranged collection pages every 50 days, heart rate
every UTC day (unverified, chosen so a backfill pages). The sandbox user lives in Europe/Berlin.

Webhooks: a notification is a POST of {event_type, data_type, object_id, event_time, user_id}
signed in `x-oura-signature` = upper-case hex HMAC-SHA256(client secret, x-oura-timestamp + raw
body); a subscription is verified by a GET with `verification_token` and `challenge`, answered
{"challenge": …} (hookdeck/webhook-skills' oura-webhooks skill, from Oura's API reference).

Sandbox levers, at /sandbox/oura/: `push` sends a signed notification to Link, `subscribe`
verifies Link's receiver as Oura does, `rate_limit` makes one data collection answer 429 once."""

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import (
    OAuthEmulator,
    account_id,
    exempt,
    lever_fires,
    lever_set,
    link_push,
    sandbox_client,
    sign,
    unsign,
)
from ...sandbox.data import days_between, seeded, today, utc_day_start
from .adapter import OuraAdapter
from .data import verification_token

ZONE = ZoneInfo("Europe/Berlin")  # the sandbox user's home
_PAGE_DAYS = 50
_HEARTRATE_STEP = timedelta(minutes=5)
_CONTRIBUTORS = (
    "deep_sleep",
    "efficiency",
    "latency",
    "rem_sleep",
    "restfulness",
    "timing",
    "total_sleep",
)
_WORKOUTS = ("walking", "running", "cycling")


def _doc_id(account: str, kind: str, key) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"oura:{account}:{kind}:{key}"))


def _local(day: date, at: clock) -> datetime:
    return datetime.combine(day, at, ZONE)


def daily_sleep_of(account: str, day: date) -> dict | None:
    """One night's daily_sleep document (None for a night the ring was not worn)."""
    rng = seeded(account, "oura.daily_sleep", day)
    if rng.random() < 0.05:
        return None
    contributors = {name: rng.randint(45, 99) for name in _CONTRIBUTORS}
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"oura:{account}:{day}")),
        "contributors": contributors,
        "day": day.isoformat(),
        "score": round(sum(contributors.values()) / len(contributors)),
        "timestamp": f"{day.isoformat()}T00:00:00+00:00",
    }


def sleep_of(account: str, day: date) -> list[dict]:
    """The sleep periods Oura files under `day` (the day the night ends): one long sleep, from
    the evening before, none when the ring was not worn."""
    if daily_sleep_of(account, day) is None:
        return []
    rng = seeded(account, "oura.sleep", day)
    start = _local(day - timedelta(days=1), clock(22, 0)) + timedelta(minutes=rng.randint(0, 90))
    deep, rem, light = rng.randint(3000, 6000), rng.randint(4000, 7000), rng.randint(9000, 14000)
    awake, latency = rng.randint(600, 3000), rng.randint(120, 1500)
    in_bed = deep + rem + light + awake
    end = start + timedelta(seconds=in_bed)
    beats = [rng.randint(46, 64) for _ in range(in_bed // 300)]
    # Five-minute RMSSD in ms; null where the ring could not tell (the first often is).
    rmssd = [None, *(rng.randint(20, 120) if rng.random() > 0.1 else None for _ in beats[1:])]
    return [
        {
            "id": _doc_id(account, "sleep", day),
            "average_breath": round(rng.uniform(12, 17), 3),
            "average_heart_rate": round(sum(beats) / len(beats), 3),
            "average_hrv": rng.randint(25, 90),
            "awake_time": awake,
            "bedtime_end": end.isoformat(),
            "bedtime_start": start.isoformat(),
            "day": day.isoformat(),
            "deep_sleep_duration": deep,
            "efficiency": round(100 * (in_bed - awake) / in_bed),
            "heart_rate": {"interval": 300, "items": beats, "timestamp": start.isoformat()},
            "hrv": {"interval": 300, "items": rmssd, "timestamp": start.isoformat()},
            "latency": latency,
            "light_sleep_duration": light,
            "lowest_heart_rate": min(beats),
            "period": 0,
            "rem_sleep_duration": rem,
            "time_in_bed": in_bed,
            "total_sleep_duration": in_bed - awake,
            "type": "long_sleep",
        }
    ]


def daily_activity_of(account: str, day: date) -> list[dict]:
    rng = seeded(account, "oura.daily_activity", day)
    active = rng.randint(150, 900)
    high, medium, low = rng.randint(0, 3600), rng.randint(600, 7200), rng.randint(3600, 18000)
    return [
        {
            "id": _doc_id(account, "daily_activity", day),
            "active_calories": active,
            "day": day.isoformat(),
            "equivalent_walking_distance": rng.randint(2000, 18000),
            "high_activity_time": high,
            "low_activity_time": low,
            "medium_activity_time": medium,
            "score": rng.randint(50, 99),
            "steps": rng.randint(2000, 18000),
            "timestamp": _local(day, clock(4, 0)).isoformat(),
            "total_calories": active + rng.randint(1500, 1900),
        }
    ]


def workouts_of(account: str, day: date) -> list[dict]:
    """Every other day or so, one workout in the late afternoon."""
    rng = seeded(account, "oura.workout", day)
    if rng.random() < 0.4:
        return []
    start = _local(day, clock(17, 0)) + timedelta(minutes=rng.randint(0, 120))
    activity = rng.choice(_WORKOUTS)
    return [
        {
            "id": _doc_id(account, "workout", day),
            "activity": activity,
            "calories": round(rng.uniform(120, 700), 1),
            "day": day.isoformat(),
            "distance": round(rng.uniform(2000, 25000), 1),
            "end_datetime": (start + timedelta(minutes=rng.randint(20, 90))).isoformat(),
            "intensity": rng.choice(("easy", "moderate", "hard")),
            "label": None,
            "source": "autodetected",
            "start_datetime": start.isoformat(),
        }
    ]


def served_until() -> datetime:
    """The newest moment the ring has synced (tests hold it still)."""
    return datetime.now(UTC)


def heartrate_of(account: str, day: date) -> list[dict]:
    """One UTC day's samples, every five minutes, up to the last sync."""
    rng = seeded(account, "oura.heartrate", day)
    now, samples = served_until(), []
    for n in range(24 * 60 // 5):
        at = utc_day_start(day) + n * _HEARTRATE_STEP
        bpm = rng.randint(48, 110)
        if at <= now:
            asleep = at.astimezone(ZONE).hour < 7
            samples.append(
                {"bpm": bpm, "source": "sleep" if asleep else "awake", "timestamp": at.isoformat()}
            )
    return samples


def personal_info_of(account: str) -> dict:
    return {
        "id": account_id(account),
        "age": 35,
        "weight": 71.5,
        "height": 1.78,
        "biological_sex": "female",
        "email": f"{account}@example.com",
    }


def _rate_limit_key(account: str, collection: str) -> str:
    return f"sandbox:oura:429:{account}:{collection}"


def _bad(detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=400)


def _resumed(request, start, parse):
    """Where a page starts: `start`, or where the request's next_token says (None if the token
    is not one of ours)."""
    if "next_token" not in request.GET:
        return start
    page = unsign(request.GET["next_token"], "oura.page")
    return None if page is None else parse(page["from"])


def _signed_post(body: bytes):
    """A notification to Link's receiver, signed as Oura signs one."""
    stamp = str(int(time.time()))
    secret = sandbox_client(OuraAdapter.slug).client_secret.encode()
    signature = hmac.new(secret, stamp.encode() + body, hashlib.sha256).hexdigest().upper()
    headers = {"x-oura-signature": signature, "x-oura-timestamp": stamp}
    return link_push(OuraAdapter.slug, body, headers)


def push(request):
    """POST account, data_type (sleep…), event_type (create): Oura's notification, to Link."""
    account = request.POST.get("account", "user_good")
    data_type = request.POST.get("data_type", "sleep")
    notification = {
        "event_type": request.POST.get("event_type", "create"),
        "data_type": data_type,
        "object_id": _doc_id(account, data_type, today()),
        "event_time": datetime.now(UTC).isoformat(),
        "user_id": account_id(account),
    }
    answer = _signed_post(json.dumps(notification).encode())
    return JsonResponse({"status": answer.status_code, "sent": notification})


def subscribe(request):
    """Oura's check of a new subscription: a GET with the verification token and a challenge,
    which the receiver must echo."""
    challenge = uuid.uuid4().hex
    answer = requests.get(
        f"{settings.LINK_PUBLIC_URL}/push/oura",
        params={
            "verification_token": verification_token(sandbox_client(OuraAdapter.slug)),
            "challenge": challenge,
        },
        timeout=30,
    )
    echoed = answer.ok and answer.json().get("challenge") == challenge
    return JsonResponse({"status": answer.status_code, "verified": echoed})


def rate_limit(request):
    """POST account, collection (heartrate, sleep…) and after (pages let through first): that
    collection answers 429 with Retry-After once."""
    account = request.POST.get("account", "user_good")
    collection = request.POST["collection"]
    lever_set(_rate_limit_key(account, collection), int(request.POST.get("after", 0)))
    return JsonResponse({"collection": collection})


def _dates(request) -> tuple[date, date] | None:
    """start_date (default: the day before end_date) and end_date (default: today), as Oura's
    API reference says; None when malformed."""
    try:
        end = date.fromisoformat(request.GET.get("end_date") or today().isoformat())
        start = date.fromisoformat(
            request.GET.get("start_date") or (end - timedelta(days=1)).isoformat()
        )
    except ValueError:
        return None
    return start, end


def _datetimes(request) -> tuple[datetime, datetime] | None:
    try:
        end = datetime.fromisoformat(request.GET["end_datetime"])
        start = datetime.fromisoformat(request.GET["start_datetime"])
    except (KeyError, ValueError):
        return None
    if start.tzinfo is None or end.tzinfo is None:
        return None  # Oura assumes UTC for a naive one (unverified); the sandbox refuses it
    return start, end


class OuraEmulator(OAuthEmulator):
    vendor = OuraAdapter
    refresh_single_use = True
    redirect_uri_optional = True
    access_ttl = 86400

    def collection(self, name: str, answer):
        """A data endpoint: 401 without a valid bearer, 429 when the lever says so, else
        `answer(request, account)`."""

        def view(request):
            account = self.bearer_account(request)
            if account is None:
                return JsonResponse({"error": "unauthorized"}, status=401)
            if lever_fires(_rate_limit_key(account, name)):
                return JsonResponse(
                    {"detail": "Rate limit exceeded."}, status=429, headers={"Retry-After": "60"}
                )
            return answer(request, account)

        return exempt(view)

    def by_day(self, documents_of):
        """A collection queried by start_date and end_date (both included), _PAGE_DAYS a page."""

        def answer(request, account):
            dates = _dates(request)
            if dates is None:
                return _bad("start_date and end_date are YYYY-MM-DD.")
            start, end = dates
            start = _resumed(request, start, date.fromisoformat)
            if start is None:
                return _bad("next_token is not valid.")
            wanted = days_between(start, end)
            shown, rest = wanted[:_PAGE_DAYS], wanted[_PAGE_DAYS:]
            token = sign({"from": rest[0].isoformat()}, "oura.page") if rest else None
            data = [doc for day in shown for doc in documents_of(account, day)]
            return JsonResponse({"data": data, "next_token": token})

        return answer

    def heartrate(self, request, account):
        """Samples in [start_datetime, end_datetime), a UTC day a page."""
        window = _datetimes(request)
        if window is None:
            return _bad("start_datetime and end_datetime are ISO 8601 with a time zone.")
        start, end = window
        start = _resumed(request, start, datetime.fromisoformat)
        if start is None:
            return _bad("next_token is not valid.")
        days = days_between(start.astimezone(UTC).date(), end.astimezone(UTC).date())
        if not days:
            return JsonResponse({"data": [], "next_token": None})
        data = [s for s in heartrate_of(account, days[0]) if start <= _at(s) < end]
        after = utc_day_start(days[0] + timedelta(days=1))
        token = sign({"from": after.isoformat()}, "oura.page") if len(days) > 1 else None
        return JsonResponse({"data": data, "next_token": token})

    def hosts(self):
        cloud, api = OuraAdapter.hosts["cloud"], OuraAdapter.hosts["api"]
        collections = {
            "daily_sleep": self.by_day(lambda a, d: [doc] if (doc := daily_sleep_of(a, d)) else []),
            "sleep": self.by_day(sleep_of),
            "daily_activity": self.by_day(daily_activity_of),
            "workout": self.by_day(workouts_of),
            "heartrate": self.heartrate,
        }
        return {
            cloud: [path("oauth/authorize", exempt(self.authorize))],
            api: [
                path("oauth/token", exempt(self.token)),
                path("v2/usercollection/personal_info", self.profile_view(personal_info_of)),
                *(
                    path(f"v2/usercollection/{name}", self.collection(name, answer))
                    for name, answer in collections.items()
                ),
                path("oauth/revoke", self.revoke_view(lambda r: r.GET.get("access_token"))),
            ],
        }

    def controls(self):
        return [
            path("push", exempt(push)),
            path("subscribe", exempt(subscribe)),
            path("rate_limit", exempt(rate_limit)),
        ]


def _at(sample: dict) -> datetime:
    return datetime.fromisoformat(sample["timestamp"])
