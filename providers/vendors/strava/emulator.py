"""Strava's OAuth server: comma scopes echoed in the redirect, no `redirect_uri` needed at the
code exchange (stravalib sends none), `expires_at` in epoch seconds, and the `athlete` on the code
exchange only; and one of its data endpoints, the athlete's activities
(`/api/v3/athlete/activities`), paged with `page` and `per_page`."""

import time
from datetime import UTC, datetime, timedelta

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, exempt, numeric_id
from ...sandbox.data import days_between, seeded, utc_day_start
from .adapter import StravaAdapter

_PER_PAGE, _MAX_PER_PAGE = 30, 200
# (sport_type, average speed in m/s, name): what the sandbox athlete does.
_SPORTS = (
    ("Run", 3.1, "Morning Run"),
    ("Ride", 7.4, "Evening Ride"),
    ("Walk", 1.4, "Lunch Walk"),
)
_UNAUTHORIZED = {
    "message": "Authorization Error",
    "errors": [{"resource": "Athlete", "field": "access_token", "code": "invalid"}],
}


def activity_of(account: str, day) -> dict | None:
    """The athlete's activity that day (SummaryActivity, resource_state 2): one on most days."""
    rng = seeded(account, "strava.activity", day)
    if rng.random() < 0.35:
        return None
    sport, speed, name = _SPORTS[rng.randrange(len(_SPORTS))]
    moving = rng.randint(20, 90) * 60
    hour, minute = rng.choice((6, 7, 12, 18)), rng.randint(0, 59)
    start = utc_day_start(day) + timedelta(hours=hour, minutes=minute)
    athlete = numeric_id(account)
    activity_id = int(f"{athlete % 10**5}{day.toordinal()}")
    heartrate = rng.randint(120, 155)
    lat, lng = 48.85 + rng.uniform(-0.05, 0.05), 2.35 + rng.uniform(-0.05, 0.05)
    return {
        "resource_state": 2,
        "athlete": {"id": athlete, "resource_state": 1},
        "name": name,
        "distance": round(moving * speed * rng.uniform(0.9, 1.1), 1),
        "moving_time": moving,
        "elapsed_time": moving + rng.randint(0, 600),
        "total_elevation_gain": round(rng.uniform(5, 250), 1),
        "type": sport,
        "sport_type": sport,
        "workout_type": None,
        "id": activity_id,
        "external_id": f"garmin_push_{activity_id}",
        "upload_id": activity_id * 10 + 1,
        "start_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "start_date_local": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timezone": "(GMT+01:00) Europe/Paris",
        "utc_offset": 3600.0,
        "location_city": None,
        "location_state": None,
        "location_country": "France",
        "achievement_count": rng.randint(0, 4),
        "kudos_count": rng.randint(0, 12),
        "comment_count": rng.randint(0, 2),
        "athlete_count": 1,
        "photo_count": 0,
        "map": {"id": f"a{activity_id}", "summary_polyline": "", "resource_state": 2},
        "trainer": False,
        "commute": False,
        "manual": False,
        "private": False,
        "visibility": "everyone",
        "flagged": False,
        "gear_id": None,
        "start_latlng": [round(lat, 6), round(lng, 6)],
        "end_latlng": [round(lat + 0.002, 6), round(lng - 0.002, 6)],
        "average_speed": speed,
        "max_speed": round(speed * 1.6, 1),
        "has_heartrate": True,
        "average_heartrate": float(heartrate),
        "max_heartrate": float(heartrate + rng.randint(15, 30)),
        "heartrate_opt_out": False,
        "display_hide_heartrate_option": True,
        "elev_high": round(rng.uniform(40, 400), 1),
        "elev_low": round(rng.uniform(0, 40), 1),
        "upload_id_str": str(activity_id * 10 + 1),
        "pr_count": 0,
        "total_photo_count": 0,
        "has_kudoed": False,
    }


class StravaEmulator(OAuthEmulator):
    vendor = StravaAdapter
    scope_separator = ","
    pkce = "none"
    access_ttl = 21600
    exchange_checks_redirect_uri = False

    def redirect_extra(self, granted):
        return {"scope": ",".join(granted)}

    def token_response(self, tokens, grant):
        tokens.pop("scope")  # Strava reports granted scopes on the redirect, not here
        tokens["expires_at"] = int(time.time()) + tokens["expires_in"]
        if grant.exchange:
            tokens["athlete"] = {"id": numeric_id(grant.account), "username": grant.account}
        return JsonResponse(tokens)

    def activities(self, request):
        """`GET /api/v3/athlete/activities?before&after&page&per_page`: newest first; an empty
        page ends the listing."""
        account = self.bearer_account(request)
        if account is None:
            return JsonResponse(_UNAUTHORIZED, status=401)
        try:
            before = int(request.GET.get("before") or time.time())
            after = int(request.GET.get("after") or 0)
            page = max(1, int(request.GET.get("page") or 1))
            per_page = min(_MAX_PER_PAGE, max(1, int(request.GET.get("per_page") or _PER_PAGE)))
            first, last = (datetime.fromtimestamp(t, UTC).date() for t in (after, before))
        except (ValueError, OverflowError, OSError):
            return JsonResponse(
                {
                    "message": "Bad Request",
                    "errors": [{"resource": "Application", "field": "page", "code": "invalid"}],
                },
                status=400,
            )
        listed = []
        for day in reversed(days_between(first, last)):
            activity = activity_of(account, day)
            if activity:
                started = datetime.fromisoformat(activity["start_date"]).timestamp()
                if after < started < before:
                    listed.append(activity)
        return JsonResponse(listed[(page - 1) * per_page : page * per_page], safe=False)

    def hosts(self):
        return {
            StravaAdapter.hosts["www"]: [
                path("oauth/authorize", exempt(self.authorize)),
                path("oauth/token", exempt(self.token)),
                path("oauth/deauthorize", self.revoke_view(lambda r: r.POST.get("access_token"))),
                path("api/v3/athlete/activities", exempt(self.activities)),
            ]
        }
