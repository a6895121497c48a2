"""Polar's OAuth server and AccessLink's user registration: the one scope, a token answer with
`x_user_id` and no refresh token (there is no refresh grant), registration that answers 409 the
second time, the registered user's information (`GET /v3/users/<id>`: birthdate, gender, weight
in kg, height in cm), and deregistration that ends the access. The data Link reads: exercises
(`GET /v3/exercises`, the last 30 days, a bare JSON array), nights (`GET /v3/users/sleep`,
`{"nights": [...]}`), their Nightly Recharge (`GET /v3/users/nightly-recharge`, the last 28
days, `{"recharges": [...]}`; RMSSD in ms, breaths a minute) and daily activity
(`GET /v3/users/activities?from&to`, at most 28 days a call, none older than 365 days); and
AccessLink's webhook, signed as Polar signs it.

Shapes from https://www.polar.com/accesslink-api/ (List exercises: `start_time` local with
`start_time_utc_offset` in minutes, `duration` ISO 8601, `distance` metres, `calories` kcal,
`heart_rate` {average, maximum}; List activities for given date range: local `start_time` and
`end_time` with no offset, kcal, steps, `distance_from_steps` in metres; List nights: `date`
the day the sleep ended, start and end with their offset, stage durations in seconds; webhooks:
a JSON POST with `event`, `user_id`, `entity_id` or `date`, `timestamp`, `url`, headers
Polar-Webhook-Event and Polar-Webhook-Signature, the hex HMAC-SHA256 of the body under the
webhook's signature_secret_key). `from`/`to` on the sleep list are StuMason/polar-flow's (the
reference lists none: unverified there). The sandbox user lives in Berlin."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.urls import path

from ...sandbox.base import (
    OAuthEmulator,
    Refusal,
    exempt,
    grant_revoke,
    link_push,
    numeric_id,
    sandbox_client,
)
from ...sandbox.data import days_between, seeded, today
from .adapter import PolarAdapter
from .data import sandbox_signature_key, signature

ZONE = ZoneInfo("Europe/Berlin")
_API = PolarAdapter.hosts["api"]
_EXERCISE_DAYS, _SLEEP_DAYS, _RECHARGE_DAYS = 30, 28, 28  # what each list holds undated
_ACTIVITY_RANGE, _ACTIVITY_HISTORY = 28, 365  # days: the most one call spans, the oldest
# (sport, detailed_sport_info, speed in m/s) of the sandbox user's sessions.
_SPORTS = (("RUNNING", "RUNNING", 2.9), ("CYCLING", "ROAD_BIKING", 7.0), ("OTHER", "YOGA", 0.0))


def user_of(account: str, member_id: str) -> dict:
    """AccessLink's user: the registration's answer and `GET /v3/users/<id>`'s (kg, cm)."""
    rng = seeded(account, "polar.user")
    return {
        "polar-user-id": numeric_id(account),
        "member-id": member_id,
        "registration-date": "2026-12-01T00:00:00.000Z",
        "first-name": "Sandbox",
        "last-name": "User",
        "birthdate": date(
            rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28)
        ).isoformat(),
        "gender": rng.choice(("MALE", "FEMALE")),
        "weight": round(rng.uniform(52, 95), 1),
        "height": round(rng.uniform(155, 195), 1),
        "extra-info": [],
    }


def _iso_duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"PT{hours}H{rest // 60}M{rest % 60}S"


def exercise_of(account: str, day: date) -> dict | None:
    """The user's training session that local day, if any (List exercises' item)."""
    rng = seeded(account, "polar.exercise", day)
    if rng.random() < 0.4:
        return None
    sport, detail, speed = _SPORTS[rng.randrange(len(_SPORTS))]
    seconds = rng.randint(25, 80) * 60 + rng.randint(0, 59)
    local = datetime(day.year, day.month, day.day, rng.choice((7, 17, 19)), rng.randint(0, 59))
    offset = int(local.replace(tzinfo=ZONE).utcoffset().total_seconds()) // 60
    uploaded = local.replace(tzinfo=ZONE) + timedelta(seconds=seconds + 600)
    entity = f"{numeric_id(account) % 10**4:X}{day.toordinal():X}"
    return {
        "id": entity,
        "upload_time": uploaded.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "polar_user": f"{_API}/v3/users/{numeric_id(account)}",
        "device": "Polar Vantage V3",
        "device_id": "1111AAAA",
        "start_time": local.isoformat(),
        "start_time_utc_offset": offset,
        "duration": _iso_duration(seconds),
        "calories": rng.randint(6, 11) * seconds // 60,
        "heart_rate": {"average": rng.randint(110, 150), "maximum": rng.randint(160, 185)},
        "training_load": round(rng.uniform(40, 180), 2),
        "sport": sport,
        "has_route": bool(speed),
        "detailed_sport_info": detail,
        "fat_percentage": rng.randint(20, 60),
        "carbohydrate_percentage": 38,
        "protein_percentage": 2,
        # A session without GPS or a foot pod has no distance.
        **({"distance": round(speed * seconds * rng.uniform(0.9, 1.1))} if speed else {}),
    }


def exercises_listed(account: str) -> list[dict]:
    """What `GET /v3/exercises` lists: the sessions uploaded in the last 30 days, by now."""
    days = days_between(today() - timedelta(days=_EXERCISE_DAYS - 1), today())
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return [e for d in days if (e := exercise_of(account, d)) and e["upload_time"] <= now]


def activity_day_of(account: str, day: date) -> dict:
    """The user's daily activity summary for that local day."""
    rng = seeded(account, "polar.activity", day)
    steps, active = rng.randint(3000, 16000), rng.randint(150, 900)
    start = datetime(day.year, day.month, day.day, 0, rng.randint(0, 30), rng.randint(0, 59))
    active_seconds = rng.randint(60, 240) * 60
    return {
        "start_time": start.isoformat(),
        "end_time": f"{day.isoformat()}T23:59:59",
        "active_duration": _iso_duration(active_seconds),
        "inactive_duration": _iso_duration(86399 - active_seconds - start.minute * 60),
        "daily_activity": round(rng.uniform(40, 140), 1),
        "calories": 1600 + active,
        "active_calories": active,
        "steps": steps,
        "inactivity_alert_count": rng.randint(0, 3),
        "distance_from_steps": round(steps * rng.uniform(0.68, 0.78), 2),
    }


def recharge_of(account: str, day: date) -> dict:
    """The Nightly Recharge of the night that ended on `day` (its first four hours' averages);
    Link reads the averages, so the samples are left out."""
    rng = seeded(account, "polar.recharge", day)
    heart_rate = rng.randint(48, 64)
    return {
        "polar_user": f"{_API}/v3/users/{numeric_id(account)}",
        "date": day.isoformat(),
        "heart_rate_avg": heart_rate,
        "beat_to_beat_avg": round(60000 / heart_rate),
        "heart_rate_variability_avg": rng.randint(25, 80),
        "breathing_rate_avg": round(rng.uniform(12, 17), 1),
        "nightly_recharge_status": rng.randint(1, 6),
        "ans_charge": round(rng.uniform(-10, 10), 1),
        "ans_charge_status": rng.randint(1, 5),
        "hrv_samples": {},
        "breathing_samples": {},
    }


def nights_between(account: str, first: date, last: date) -> list[dict]:
    """The nights that ended on those days (both included), as far as they have ended."""
    nights = (night_of(account, day) for day in days_between(first, last))
    now = datetime.now(UTC)
    return [n for n in nights if datetime.fromisoformat(n["sleep_end_time"]) <= now]


def night_of(account: str, day: date) -> dict:
    """The night that ended on `day` (List nights' item)."""
    rng = seeded(account, "polar.sleep", day)
    start = datetime(day.year, day.month, day.day, tzinfo=ZONE) - timedelta(
        minutes=rng.randint(30, 120)
    )
    light, deep, rem = (rng.randint(*span) * 60 for span in ((180, 260), (50, 100), (60, 110)))
    unrecognized, awake = rng.randint(0, 10) * 60, rng.randint(10, 40) * 60
    end = start + timedelta(seconds=light + deep + rem + unrecognized + awake)
    return {
        "polar_user": f"{_API}/v3/users/{numeric_id(account)}",
        "date": day.isoformat(),
        "sleep_start_time": start.isoformat(),
        "sleep_end_time": end.isoformat(),
        "device_id": "1111AAAA",
        "continuity": round(rng.uniform(2, 4.5), 1),
        "continuity_class": rng.randint(2, 4),
        "light_sleep": light,
        "deep_sleep": deep,
        "rem_sleep": rem,
        "unrecognized_sleep_stage": unrecognized,
        "sleep_score": rng.randint(60, 95),
        "total_interruption_duration": awake,
        "sleep_charge": rng.randint(1, 5),
        "sleep_goal": 28800,
        "sleep_rating": 0,
        "short_interruption_duration": awake // 2,
        "long_interruption_duration": awake - awake // 2,
        "sleep_cycles": rng.randint(3, 6),
    }


_REGISTERED = "sandbox:polar:registered:{}:{}"


class PolarEmulator(OAuthEmulator):
    vendor = PolarAdapter
    pkce = "none"
    access_ttl = 10 * 365 * 86400  # long-lived; Polar does not publish the figure

    def grant_type(self, params):
        grant_type = super().grant_type(params)
        if grant_type != "authorization_code":
            raise Refusal("unsupported_grant_type", grant_type)
        return grant_type

    def token_response(self, tokens, grant):
        return JsonResponse(
            {
                "access_token": tokens["access_token"],
                "token_type": "bearer",
                "expires_in": tokens["expires_in"],
                "x_user_id": numeric_id(grant.account),
            }
        )

    def register(self, request):
        access = self.bearer_claims(request)
        if access is None:
            return HttpResponse(status=401)
        member_id = (_json(request) or {}).get("member-id")
        if request.method != "POST" or not isinstance(member_id, str) or not member_id:
            return JsonResponse({"error": "member-id is required"}, status=400)
        user_id = numeric_id(access["account"])
        if not cache.add(_REGISTERED.format(access["client_id"], user_id), member_id, None):
            return HttpResponse(status=409)
        return JsonResponse(user_of(access["account"], member_id))

    def user(self, request, user_id: int):
        """`GET /v3/users/<id>`: the registered user's information; `DELETE`: deregistration,
        which ends the access."""
        access = self.bearer_claims(request)
        if access is None or numeric_id(access["account"]) != user_id:
            return HttpResponse(status=401 if access is None else 403)
        registered = _REGISTERED.format(access["client_id"], user_id)
        if request.method == "GET":
            member_id = cache.get(registered)
            if member_id is None:  # unverified: what Polar answers for an unregistered user
                return HttpResponse(status=404)
            return JsonResponse(user_of(access["account"], member_id))
        cache.delete(registered)
        grant_revoke(access["client_id"], user_id)
        return HttpResponse(status=204)

    def exercises(self, request):
        """`GET /v3/exercises`: the sessions uploaded in the last 30 days."""
        account = self.bearer_account(request)
        if account is None:
            return HttpResponse(status=401)
        return JsonResponse(exercises_listed(account), safe=False)

    def nights(self, request):
        """`GET /v3/users/sleep[?from&to]`: the nights that ended on those days (inclusive),
        else in the last 28."""
        account = self.bearer_account(request)
        if account is None:
            return HttpResponse(status=401)
        try:
            last = date.fromisoformat(request.GET.get("to") or today().isoformat())
            first = date.fromisoformat(
                request.GET.get("from") or (last - timedelta(days=_SLEEP_DAYS - 1)).isoformat()
            )
        except ValueError:
            return JsonResponse({"error": "from and to must be dates"}, status=400)
        return JsonResponse({"nights": nights_between(account, first, last)})

    def recharges(self, request):
        """`GET /v3/users/nightly-recharge`: the last 28 nights' Nightly Recharge."""
        account = self.bearer_account(request)
        if account is None:
            return HttpResponse(status=401)
        days = days_between(today() - timedelta(days=_RECHARGE_DAYS - 1), today())
        return JsonResponse({"recharges": [recharge_of(account, d) for d in days]})

    def activities(self, request):
        """`GET /v3/users/activities?from&to`: one summary a day, both ends included; a range
        over 28 days or a `from` over 365 days old is refused."""
        account = self.bearer_account(request)
        if account is None:
            return HttpResponse(status=401)
        try:
            first = date.fromisoformat(request.GET["from"])
            last = date.fromisoformat(request.GET.get("to") or today().isoformat())
        except (KeyError, ValueError):
            return JsonResponse({"error": "from must be a date"}, status=400)
        too_long = (last - first).days >= _ACTIVITY_RANGE
        if too_long or first < today() - timedelta(days=_ACTIVITY_HISTORY):
            return JsonResponse({"error": "Invalid or too old date"}, status=400)
        days = days_between(first, last)
        return JsonResponse([activity_day_of(account, d) for d in days], safe=False)

    def hosts(self):
        hosts = PolarAdapter.hosts
        return {
            hosts["flow"]: [path("oauth2/authorization", exempt(self.authorize))],
            hosts["remote"]: [path("v2/oauth2/token", exempt(self.token))],
            hosts["api"]: [
                path("v3/users", exempt(self.register)),
                path("v3/users/<int:user_id>", exempt(self.user)),
                path("v3/users/sleep", exempt(self.nights)),
                path("v3/users/activities", exempt(self.activities)),
                path("v3/users/nightly-recharge", exempt(self.recharges)),
                path("v3/exercises", exempt(self.exercises)),
            ],
        }

    def controls(self):
        return [path("push", exempt(push))]


def push(request):
    """POST account and event (EXERCISE, SLEEP, ACTIVITY_SUMMARY or PING): AccessLink's
    webhook message for today, signed with the sandbox webhook's key, to Link."""
    account = request.POST.get("account", "user_good")
    event = request.POST.get("event", "EXERCISE")
    day, user = today(), numeric_id(account)
    message = {"event": event, "timestamp": datetime.now(UTC).isoformat()}
    if event == "EXERCISE":
        entity = (exercise_of(account, day) or {"id": f"{user:X}"})["id"]
        url = f"{_API}/v3/exercises/{entity}"
        message.update(user_id=user, entity_id=entity, url=url)
    elif event != "PING":
        kind = {"SLEEP": "sleep", "ACTIVITY_SUMMARY": "activities"}[event]
        url = f"{_API}/v3/users/{kind}/{day.isoformat()}"
        message.update(user_id=user, date=day.isoformat(), url=url)
    body = json.dumps(message).encode()
    key = sandbox_signature_key(sandbox_client(PolarAdapter.slug))
    headers = {"Polar-Webhook-Event": event, "Polar-Webhook-Signature": signature(key, body)}
    answer = link_push(PolarAdapter.slug, body, headers)
    return JsonResponse({"status": answer.status_code, "sent": message})


def _json(request) -> dict | None:
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
