"""Strava's OAuth server: comma scopes echoed in the redirect, no `redirect_uri` needed at the
code exchange (stravalib sends none), `expires_at` in epoch seconds, and the `athlete` on the code
exchange only; the data endpoints Link reads: the athlete's activities
(`/api/v3/athlete/activities`, SummaryActivity, newest first, `before`/`after` epoch seconds,
paged with `page` and `per_page` (default 30, at most 200) until a page comes back empty) and the
athlete (`/api/v3/athlete`, DetailedAthlete); and Strava's webhook events.

Sources: https://developers.strava.com/docs/reference/ (getLoggedInAthleteActivities,
getLoggedInAthlete, SummaryActivity: metres, seconds, m/s; `start_date` in UTC, `start_date_local`
the local wall time written with a "Z", `timezone` as "(GMT+01:00) Europe/Paris", `utc_offset` in
seconds), https://developers.strava.com/docs/#Pagination, and
https://developers.strava.com/docs/webhooks/ (a subscription is validated by a GET with
`hub.mode=subscribe`, `hub.challenge`, `hub.verify_token`, answered `{"hub.challenge": …}` within
two seconds; events are POSTed as JSON with object_type, object_id, aspect_type, updates,
owner_id, subscription_id, event_time, and are not signed), and
https://developers.strava.com/docs/rate-limits/ (over the limit: 429, with the limits and the
usage of the 15-minute and daily windows in X-RateLimit-Limit and X-RateLimit-Usage, and no
Retry-After). The sandbox athlete lives in Paris.

Two app-wide refusals, each a sandbox lever: the athlete capacity (POST
/sandbox/strava/athlete_limit): past it the code exchange of a new athlete answers 403 "Limit of
connected athletes exceeded"; and an inactive app (POST /sandbox/strava/inactive): every data
call answers 403 with Strava's Application Status Inactive error (sources in adapter.py)."""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import (
    Fault,
    OAuthEmulator,
    exempt,
    lever_fires,
    lever_set,
    link_push,
    numeric_id,
    sandbox_client,
    unsign,
)
from ...sandbox.data import days_between, seeded, today
from .adapter import StravaAdapter
from .data import verify_token

_PER_PAGE, _MAX_PER_PAGE = 30, 200
# (sport_type, average speed in m/s, name): what the sandbox athlete does.
_SPORTS = (
    ("Run", 3.1, "Morning Run"),
    ("Ride", 7.4, "Evening Ride"),
    ("Walk", 1.4, "Lunch Walk"),
)
ZONE = ZoneInfo("Europe/Paris")
_RATE_LIMITED = {
    "message": "Rate Limit Exceeded",
    "errors": [{"resource": "Application", "field": "rate limit", "code": "exceeded"}],
}
# The message is Strava's; the errors list is unverified (no source shows this body whole).
_ATHLETE_LIMIT = {
    "message": "Limit of connected athletes exceeded",
    "errors": [{"resource": "Application", "field": "athletes", "code": "limit exceeded"}],
}
_INACTIVE = {
    "message": "Forbidden",
    "errors": [{"resource": "Application", "field": "Status", "code": "Inactive"}],
}
_UNAUTHORIZED = {
    "message": "Authorization Error",
    "errors": [{"resource": "Athlete", "field": "access_token", "code": "invalid"}],
}


def activity_of(account: str, day) -> dict | None:
    """The athlete's activity on that local day (SummaryActivity, resource_state 2): one on most
    days."""
    rng = seeded(account, "strava.activity", day)
    if rng.random() < 0.35:
        return None
    sport, speed, name = _SPORTS[rng.randrange(len(_SPORTS))]
    moving = rng.randint(20, 90) * 60
    hour, minute = rng.choice((6, 7, 12, 18)), rng.randint(0, 59)
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)
    start, offset = local.astimezone(UTC), int(local.utcoffset().total_seconds())
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
        "start_date_local": local.strftime("%Y-%m-%dT%H:%M:%SZ"),  # local wall time, "Z" and all
        "timezone": f"(GMT{local.strftime('%:z')}) Europe/Paris",
        "utc_offset": float(offset),
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
        **(_power(rng, moving) if sport == "Ride" else {}),
    }


def _power(rng, moving: int) -> dict:
    """A ride's power figures (watts; the work in kilojoules), as a power meter records them."""
    watts = round(rng.uniform(140, 220), 1)
    return {
        "average_watts": watts,
        "weighted_average_watts": round(watts * 1.05),
        "max_watts": round(watts * 3),
        "kilojoules": round(watts * moving / 1000, 1),
        "device_watts": True,
    }


def athlete_of(account: str) -> dict:
    """The authenticated athlete (DetailedAthlete, resource_state 3)."""
    rng = seeded(account, "strava.athlete")
    return {
        "id": numeric_id(account),
        "username": account,
        "resource_state": 3,
        "firstname": "Sandbox",
        "lastname": account.replace("_", " ").title(),
        "bio": "",
        "city": "Paris",
        "state": "Île-de-France",
        "country": "France",
        "sex": rng.choice(("M", "F")),
        "premium": False,
        "summit": False,
        "created_at": "2019-03-04T08:15:00Z",
        "updated_at": "2026-11-01T10:00:00Z",
        "badge_type_id": 0,
        "weight": round(rng.uniform(55, 90), 1),
        "profile_medium": "avatar/athlete/medium.png",
        "profile": "avatar/athlete/large.png",
        "friend": None,
        "follower": None,
        "follower_count": 3,
        "friend_count": 5,
        "measurement_preference": "meters",
        "ftp": None,
        "clubs": [],
        "bikes": [],
        "shoes": [],
    }


class StravaEmulator(OAuthEmulator):
    vendor = StravaAdapter
    scope_separator = ","
    pkce = "none"
    access_ttl = 21600
    exchange_checks_redirect_uri = False

    def redirect_extra(self, granted):
        return {"scope": ",".join(granted)}

    def redeem(self, request, params):
        grant = super().redeem(request, params)
        if grant.exchange and not _athlete_admitted(grant.client_id, grant.account):
            raise Fault(JsonResponse(_ATHLETE_LIMIT, status=403))
        return grant

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
        if self.app_inactive(request):
            return JsonResponse(_INACTIVE, status=403)
        if lever_fires(_rate_limit_key(account)):
            usage = {"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "201,880"}
            return JsonResponse(_RATE_LIMITED, status=429, headers=usage)
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
        # A local day's activity may start on the UTC day before or after it.
        for day in reversed(days_between(first - timedelta(days=1), last + timedelta(days=1))):
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
                path("oauth/deauthorize", exempt(self.deauthorize)),
                path("api/v3/athlete", exempt(self.athlete)),
                path("api/v3/athlete/activities", exempt(self.activities)),
            ]
        }

    def athlete(self, request):
        """`GET /api/v3/athlete`: the athlete the token belongs to."""
        account = self.bearer_account(request)
        if account is None:
            return JsonResponse(_UNAUTHORIZED, status=401)
        if self.app_inactive(request):
            return JsonResponse(_INACTIVE, status=403)
        return JsonResponse(athlete_of(account))

    def app_inactive(self, request) -> bool:
        return bool(cache.get(_inactive_key(self.bearer_claims(request)["client_id"])))

    def deauthorize(self, request):
        """`POST /oauth/deauthorize`: the grant ends and its athlete's slot is free again."""
        claims = unsign(request.POST.get("access_token"), "access")
        if claims:
            _athlete_release(claims["client_id"], claims["account"])
        return self.revoke_view(lambda r: r.POST.get("access_token"))(request)

    def controls(self):
        return [
            path("subscribe", exempt(subscribe)),
            path("push", exempt(push)),
            path("rate_limit", exempt(rate_limit)),
            path("athlete_limit", exempt(athlete_limit)),
            path("inactive", exempt(inactive)),
        ]


def _capacity_key(client_id: str) -> str:
    return f"sandbox:strava:capacity:{client_id}"


def _athletes_key(client_id: str) -> str:
    return f"sandbox:strava:athletes:{client_id}"


def _inactive_key(client_id: str) -> str:
    return f"sandbox:strava:inactive:{client_id}"


def _athlete_admitted(client_id: str, account: str) -> bool:
    """Whether the app may connect this athlete: one already connected keeps its slot (which
    Strava does not document), a new one needs a free slot; without a capacity set, any may."""
    capacity = cache.get(_capacity_key(client_id))
    athletes = cache.get(_athletes_key(client_id), [])
    if capacity is None or account in athletes:
        return True
    if len(athletes) >= capacity:
        return False
    cache.set(_athletes_key(client_id), [*athletes, account], 3600)
    return True


def _athlete_release(client_id: str, account: str) -> None:
    """A deauthorized athlete no longer counts (Strava staff on its community hub, 2025-03-14,
    as integrators quote them; unverified here)."""
    athletes = cache.get(_athletes_key(client_id), [])
    cache.set(_athletes_key(client_id), [a for a in athletes if a != account], 3600)


def athlete_limit(request):
    """POST capacity (athletes the sandbox app may connect from now on; empty: no limit)."""
    client_id = sandbox_client(StravaAdapter.slug).client_id
    capacity = request.POST.get("capacity", "")
    if capacity and not capacity.isdigit():
        return JsonResponse({"detail": "capacity is a whole number, or empty."}, status=400)
    cache.delete(_athletes_key(client_id))
    if capacity:
        cache.set(_capacity_key(client_id), int(capacity), 3600)
    else:
        cache.delete(_capacity_key(client_id))
    return JsonResponse({"capacity": capacity or None})


def inactive(request):
    """POST active (0 or 1): Strava deactivates or reactivates the sandbox app."""
    key = _inactive_key(sandbox_client(StravaAdapter.slug).client_id)
    if request.POST.get("active", "0") == "1":
        cache.delete(key)
    else:
        cache.set(key, True, 3600)
    return JsonResponse({"active": not cache.get(key)})


def _rate_limit_key(account: str) -> str:
    return f"sandbox:strava:429:{account}"


def rate_limit(request):
    """POST account and after (pages let through first): then one activities page answers 429."""
    account = request.POST.get("account", "user_good")
    lever_set(_rate_limit_key(account), int(request.POST.get("after", 0)))
    return JsonResponse({"armed": True})


def subscribe(request):
    """Strava's validation of a new push subscription: a GET to the callback with the
    subscription's verify token and a challenge, which the callback must echo."""
    challenge = uuid.uuid4().hex
    answer = requests.get(
        f"{settings.LINK_PUBLIC_URL}/push/{StravaAdapter.slug}",
        params={
            "hub.mode": "subscribe",
            "hub.challenge": challenge,
            "hub.verify_token": verify_token(sandbox_client(StravaAdapter.slug)),
        },
        timeout=30,
    )
    echoed = answer.ok and answer.json().get("hub.challenge") == challenge
    return JsonResponse({"status": answer.status_code, "verified": echoed})


def push(request):
    """POST account, object_type (activity, or athlete for a deauthorization) and aspect_type
    (create): Strava's event, to Link. An activity event names today's activity (a made-up id
    on a rest day); an athlete event names the athlete, as Strava's do."""
    account = request.POST.get("account", "user_good")
    athlete = numeric_id(account)
    if request.POST.get("object_type") == "athlete":
        about = {"object_type": "athlete", "object_id": athlete, "aspect_type": "update"}
        about["updates"] = {"authorized": "false"}
    else:
        activity = activity_of(account, today())
        about = {
            "object_type": "activity",
            "object_id": activity["id"] if activity else athlete * 10,
            "aspect_type": request.POST.get("aspect_type", "create"),
            "updates": {},
        }
    event = {
        **about,
        "event_time": int(time.time()),
        "owner_id": athlete,
        "subscription_id": 120475,
    }
    answer = link_push(StravaAdapter.slug, json.dumps(event).encode(), {})
    return JsonResponse({"status": answer.status_code, "sent": event})
