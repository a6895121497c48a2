"""Reading Polar AccessLink v3 (https://www.polar.com/accesslink-api/): exercises
(`GET /v3/exercises`, the non-transactional list of the last 30 days' uploads; `start_time` is
local with `start_time_utc_offset` in minutes, `duration` ISO 8601, metres, kcal) as workouts,
nights (`GET /v3/users/sleep` with `from`/`to` as StuMason/polar-flow sends them; `date` is the
day the sleep ended, stages in seconds) as sleeps, with their Nightly Recharge
(`GET /v3/users/nightly-recharge`, the last 28 nights: RMSSD in ms, breaths a minute) where there
is one, and daily activity (`GET /v3/users/activities`, at most 28 days a call) as activity
days. Exercises come from the last 30 days' uploads only, so a longer backfill finds none older.
A daily activity's times carry no offset: its offset is left unknown. The registered user's
information (`GET /v3/users/<id>`: birthdate, gender, height in cm) is the profile.

AccessLink's webhook (one per Polar client) POSTs JSON {event, user_id, entity_id or date,
timestamp, url} with `Polar-Webhook-Signature`, the hex HMAC-SHA256 of the body under the
webhook's own `signature_secret_key` (not the client secret; Polar returns it once, when the
webhook is created): Link's is LINK_POLAR_WEBHOOK_SECRET. The sandbox's Polar signs with
`sandbox_signature_key(app)`, derived from the sandbox app's secret [Link's choice]. A PING
(sent when the webhook is created, before its creator can know the key) is answered 200 unread."""

import hashlib
import hmac
import json
import re
from datetime import date, datetime, timedelta, timezone

from django.conf import settings
from django.http import HttpResponse
from django.utils.crypto import constant_time_compare

from ...base import AppCredentials
from ...data import Notice, Page, SummaryRecord, VendorData, vendor_shapes
from .adapter import POLAR_USER_ID

_SOURCE = "watch"
_EVENTS = {"EXERCISE": ("workouts",), "SLEEP": ("sleep",), "ACTIVITY_SUMMARY": ("activity",)}
_ACTIVITY_RANGE = timedelta(days=27)  # one call spans at most 28 days, both ends included
_DURATION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?")


def sandbox_signature_key(app: AppCredentials) -> str:
    """The signing key of the sandbox's Polar webhook for one app, derived from the app's
    secret (a real webhook's key is Polar's own: LINK_POLAR_WEBHOOK_SECRET)."""
    key = app.client_secret.encode()
    return hmac.new(key, b"link polar webhook signature key", hashlib.sha256).hexdigest()


def signature(key: str, body: bytes) -> str:
    """Polar-Webhook-Signature: the hex HMAC-SHA256 of the body."""
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def seconds_of(duration: str) -> int:
    """An ISO 8601 duration as Polar writes them (PT1H2M3.5S), in whole seconds."""
    hours, minutes, seconds = _DURATION.fullmatch(duration).groups()
    return round(int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0))


def workout_record(exercise: dict) -> SummaryRecord:
    offset = exercise["start_time_utc_offset"] * 60
    local = datetime.fromisoformat(exercise["start_time"])
    start = local.replace(tzinfo=timezone(timedelta(seconds=offset)))
    duration = seconds_of(exercise["duration"])
    heart_rate = exercise.get("heart_rate") or {}
    fields = {
        "calendar_date": local.date(),
        "title": exercise.get("detailed_sport_info") or exercise["sport"],
        "time_start": start,
        "time_end": start + timedelta(seconds=duration),
        "timezone_offset": offset,
        "moving_time": duration,
        "distance": exercise.get("distance"),
        "calories": exercise.get("calories"),
        "average_hr": heart_rate.get("average"),
        "max_hr": heart_rate.get("maximum"),
    }
    device = exercise.get("device_id") or ""
    return SummaryRecord(
        exercise["id"], fields, raw=exercise, source_type=_SOURCE, device_id=device
    )


def sleep_record(night: dict, recharge: dict) -> SummaryRecord:
    """A night, with its Nightly Recharge's averages ({} when Polar has none for it)."""
    start = datetime.fromisoformat(night["sleep_start_time"])
    end = datetime.fromisoformat(night["sleep_end_time"])
    stages = night["light_sleep"], night["deep_sleep"], night["rem_sleep"]
    fields = {
        "calendar_date": date.fromisoformat(night["date"]),
        "bedtime_start": start,
        "bedtime_stop": end,
        "timezone_offset": int(start.utcoffset().total_seconds()),
        "type": "long_sleep",  # Polar's night is the main sleep [Link's reading]
        "duration": int((end - start).total_seconds()),
        # Unrecognised time was asleep, in a stage Polar could not tell.
        "total": sum(stages) + night["unrecognized_sleep_stage"],
        "awake": night["total_interruption_duration"],
        "light": stages[0],
        "deep": stages[1],
        "rem": stages[2],
        "score": night.get("sleep_score"),
        "average_hrv": recharge.get("heart_rate_variability_avg"),
        "respiratory_rate": recharge.get("breathing_rate_avg"),
    }
    device = night.get("device_id") or ""
    return SummaryRecord(night["date"], fields, raw=night, source_type=_SOURCE, device_id=device)


def activity_record(day: dict) -> SummaryRecord:
    local_day = datetime.fromisoformat(day["start_time"]).date()
    fields = {
        "calendar_date": local_day,
        "calories_total": day["calories"],
        "calories_active": day["active_calories"],
        "steps": day["steps"],
        "distance": day.get("distance_from_steps"),
    }
    return SummaryRecord(local_day.isoformat(), fields, raw=day, source_type=_SOURCE)


def profile_record(user: dict) -> SummaryRecord:
    height, birthdate = user.get("height"), user.get("birthdate")
    fields = {
        "height": round(height) if height else None,
        "birth_date": date.fromisoformat(birthdate) if birthdate else None,
        "sex": {"MALE": "male", "FEMALE": "female"}.get(user.get("gender")),
    }
    return SummaryRecord(str(user["polar-user-id"]), fields, raw=user, source_type=_SOURCE)


def _signing_keys(apps: list[AppCredentials]) -> list[str]:
    configured = [settings.LINK_POLAR_WEBHOOK_SECRET] if settings.LINK_POLAR_WEBHOOK_SECRET else []
    return configured + [sandbox_signature_key(app) for app in apps]


class PolarData(VendorData):
    resources = ("workouts", "sleep", "activity", "profile")
    pushes = True

    def page(self, resource, start, end, cursor):
        if resource == "profile":
            user = self.get(f"/v3/users/{self.credentials['extra'][POLAR_USER_ID]}")
            with vendor_shapes():
                return Page([profile_record(user)])
        if resource == "activity":
            first = date.fromisoformat(cursor) if cursor else start.date()
            last = min(first + _ACTIVITY_RANGE, end.date())
            params = {"from": first.isoformat(), "to": last.isoformat()}
            days = self.get("/v3/users/activities", params)
            following = last + timedelta(days=1)
            with vendor_shapes():
                records = [activity_record(day) for day in days]
            return Page(records, following.isoformat() if following <= end.date() else None)
        if resource == "sleep":
            params = {"from": start.date().isoformat(), "to": end.date().isoformat()}
            nights = self.get("/v3/users/sleep", params)["nights"]
            recharges = self.get("/v3/users/nightly-recharge")["recharges"]
            with vendor_shapes():
                by_date = {recharge["date"]: recharge for recharge in recharges}
                return Page([sleep_record(n, by_date.get(n["date"], {})) for n in nights])
        listed = self.get("/v3/exercises")  # no dates: all of the last 30 days
        with vendor_shapes():
            records = [workout_record(exercise) for exercise in listed]
        return Page([r for r in records if start <= r.fields["time_start"] <= end])

    @classmethod
    def notice(cls, request, apps):
        if request.method != "POST":
            return HttpResponse(status=405), []
        try:
            message = json.loads(request.body)
            event = message["event"]
        except (ValueError, KeyError, TypeError):
            return HttpResponse(status=400), []
        if event == "PING":
            return HttpResponse(status=200), []
        signed = request.headers.get("Polar-Webhook-Signature", "")
        expected = (signature(key, request.body) for key in _signing_keys(apps))
        if not any(constant_time_compare(signed, e) for e in expected):
            return HttpResponse(status=401), []
        try:
            user = str(int(message["user_id"]))
        except (KeyError, TypeError, ValueError):
            return HttpResponse(status=400), []
        resources = _EVENTS.get(event)
        return HttpResponse(status=200), [Notice(user, resources)] if resources else []
