"""Reading Strava's API v3 (https://developers.strava.com/docs/reference/): the athlete's
activities (`GET /athlete/activities` with `after`/`before` in epoch seconds, paged with `page`
and `per_page` until a page comes back empty) as Vital's workouts, and the athlete
(`GET /athlete`) as the profile. A SummaryActivity gives metres, seconds and m/s, Vital's units
already; `start_date` is UTC, `start_date_local` the local wall time and `utc_offset` its offset
in seconds, which Link keeps. Strava's list has no calories (only the detailed activity does)
and its athletes no height.

Strava's webhook events (https://developers.strava.com/docs/webhooks/) are not signed: a
subscription is validated once by a GET carrying the verify token the app chose when it
subscribed. Link's verify token is `verify_token(app)`, to give Strava when subscribing; the
events then name the athlete (`owner_id`) whose activity was created, updated or deleted."""

import hashlib
import hmac
import json
from datetime import datetime, timedelta

from django.http import HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare

from ...base import AppCredentials
from ...data import Notice, Page, SummaryRecord, VendorData, vendor_shapes

_PER_PAGE = 200  # Strava's most
_SEXES = {"M": "male", "F": "female"}


def verify_token(app: AppCredentials) -> str:
    """The verify token Link expects of Strava for one app, derived from its secret so Link
    stores nothing more."""
    key = app.client_secret.encode()
    return hmac.new(key, b"link strava webhook verify token", hashlib.sha256).hexdigest()


def _utc(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)  # "…Z" is UTC


def workout_record(activity: dict) -> SummaryRecord:
    start = _utc(activity["start_date"])
    heartrate = activity.get("average_heartrate")
    peak = activity.get("max_heartrate")
    fields = {
        # start_date_local is the wall time (its "Z" is not UTC): its date is the local day.
        "calendar_date": activity["start_date_local"][:10],
        "title": activity["name"],
        "time_start": start,
        "time_end": start + timedelta(seconds=activity["elapsed_time"]),
        "timezone_offset": int(activity["utc_offset"]),
        "distance": activity["distance"],
        "moving_time": activity["moving_time"],
        "total_elevation_gain": activity["total_elevation_gain"],
        "elev_high": activity.get("elev_high"),
        "elev_low": activity.get("elev_low"),
        "average_speed": activity["average_speed"],
        "max_speed": activity["max_speed"],
        "average_hr": round(heartrate) if heartrate is not None else None,
        "max_hr": round(peak) if peak is not None else None,
        "average_watts": activity.get("average_watts"),
        "max_watts": activity.get("max_watts"),
        "weighted_average_watts": activity.get("weighted_average_watts"),
        "map": {"summary_polyline": (activity.get("map") or {}).get("summary_polyline")},
    }
    return SummaryRecord(str(activity["id"]), fields, raw=activity)


def profile_record(athlete: dict) -> SummaryRecord:
    fields = {"sex": _SEXES.get(athlete.get("sex"))}
    return SummaryRecord(str(athlete["id"]), fields, raw=athlete)


class StravaData(VendorData):
    resources = ("workouts", "profile")
    pushes = True

    def page(self, resource, start, end, cursor):
        if resource == "profile":
            athlete = self.get("/athlete")
            with vendor_shapes():
                return Page([profile_record(athlete)])
        number = int(cursor or 1)
        params = {
            "after": int(start.timestamp()),
            "before": int(end.timestamp()),
            "page": number,
            "per_page": _PER_PAGE,
        }
        listed = self.get("/athlete/activities", params)
        with vendor_shapes():
            records = [workout_record(activity) for activity in listed]
        return Page(records, str(number + 1) if records else None)

    @classmethod
    def notice(cls, request, apps):
        if request.method == "GET":
            token = request.GET.get("hub.verify_token", "")
            known = any(constant_time_compare(token, verify_token(a)) for a in apps)
            if request.GET.get("hub.mode") != "subscribe" or not known:
                return HttpResponse(status=403), []
            return JsonResponse({"hub.challenge": request.GET.get("hub.challenge", "")}), []
        try:
            event = json.loads(request.body)
            owner, object_type = str(int(event["owner_id"])), event["object_type"]
        except (ValueError, KeyError, TypeError):
            return HttpResponse(status=400), []
        # An athlete event is a deauthorization (updates.authorized "false"): nothing to pull.
        notices = [Notice(owner, ("workouts",))] if object_type == "activity" else []
        return HttpResponse(status=200), notices
