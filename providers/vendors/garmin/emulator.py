"""Garmin's OAuth 2 server: PKCE required, tokens from a separate host, no scope parameter, the
user id only from /user/id, and deregistration instead of revocation.

And its Health and Activity APIs' summaries (sources in providers/vendors/garmin/data.py):
`dailies`, `sleeps` and `activities` at /wellness-api/rest/…, chosen by upload time
(`uploadStartTimeInSeconds` to `uploadEndTimeInSeconds`, at most 24 hours), as JSON lists; a
request is authorised by the connection's Bearer token or by the pull `token` a ping's
callbackURL carries. The sandbox user wears a watch set to Berlin time, so every summary's
`startTimeOffsetInSeconds` is Berlin's.
Its ping, sent by the sandbox control POST /sandbox/garmin/ping, is Garmin's: JSON lists of
{userId, callbackURL} under the summary type, with the app's `garmin-client-id` header.

Its consent page offers every permission of the sandbox app (PERMISSIONS), each of which the
user may untick, as Garmin's does; `/wellness-api/rest/user/permissions` answers the ones left
ticked, as a bare list (see adapter.py). What Garmin's token response says in `scope` is
unverified, so the emulator's says nothing: the permissions come only from that endpoint.

Unverified (Garmin's documents are behind its developer login): the status and body of a
refused range, and when a summary is uploaded (here an hour or two after its period ends)."""

import hashlib
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import (
    OAuthEmulator,
    account_id,
    bearer,
    exempt,
    sandbox_client,
    sign,
    unsign,
)
from ...sandbox.data import days_between, seeded
from .adapter import GarminAdapter

BERLIN = ZoneInfo("Europe/Berlin")
# The permissions a Garmin app may hold, as Garmin's example answer lists them.
PERMISSIONS = ("ACTIVITY_EXPORT", "WORKOUT_IMPORT", "HEALTH_EXPORT", "COURSE_IMPORT", "MCT_EXPORT")
_MAX_RANGE = 86400  # seconds of upload time one request may cover
_HEART_RATE_EVERY = 900  # seconds between a daily's heart-rate samples


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=BERLIN)


def _offset(moment: datetime) -> int:
    return int(moment.utcoffset().total_seconds())


def _summary_id(account: str, kind: str, day: date) -> str:
    digest = hashlib.sha256(f"{account}|{kind}|{day}".encode()).hexdigest()
    return f"{kind[0]}{digest[:8]}-{digest[8:16]}"


def daily_of(account: str, day: date) -> dict:
    """The daily summary of one local day, as Garmin's Health API reports it, and when it was
    uploaded (`_uploaded`, the emulator's own; dropped from answers)."""
    rng = seeded(account, "garmin.dailies", day)
    start = local_midnight(day)
    beats = {str(s): rng.randint(52, 118) for s in range(0, 86400, _HEART_RATE_EVERY)}
    active = rng.randint(250, 900)
    return {
        "userId": account_id(account),
        "summaryId": _summary_id(account, "dailies", day),
        "calendarDate": day.isoformat(),
        "activityType": "WALKING",
        "activeKilocalories": active,
        "bmrKilocalories": rng.randint(1600, 1800),
        "steps": rng.randint(3000, 16000),
        "distanceInMeters": round(rng.uniform(2000, 12000), 1),
        "durationInSeconds": 86400,
        "activeTimeInSeconds": rng.randint(3600, 14400),
        "startTimeInSeconds": int(start.timestamp()),
        "startTimeOffsetInSeconds": _offset(start),
        "moderateIntensityDurationInSeconds": rng.randint(600, 3600),
        "vigorousIntensityDurationInSeconds": rng.randint(0, 1800),
        "floorsClimbed": rng.randint(0, 20),
        "minHeartRateInBeatsPerMinute": min(beats.values()),
        "averageHeartRateInBeatsPerMinute": round(sum(beats.values()) / len(beats)),
        "maxHeartRateInBeatsPerMinute": max(beats.values()),
        "restingHeartRateInBeatsPerMinute": rng.randint(50, 60),
        "timeOffsetHeartRateSamples": beats,
        "_uploaded": int(start.timestamp()) + 86400 + rng.randint(600, 7200),
    }


def sleep_of(account: str, day: date) -> dict:
    """The night that ends on the local `day` (its calendarDate), and when it was uploaded."""
    rng = seeded(account, "garmin.sleeps", day)
    start = local_midnight(day) - timedelta(minutes=rng.randint(30, 120))
    deep, light = rng.randint(3600, 7200), rng.randint(10800, 16200)
    rem, awake = rng.randint(3600, 6300), rng.randint(300, 2400)
    duration = deep + light + rem + awake
    return {
        "userId": account_id(account),
        "summaryId": _summary_id(account, "sleeps", day),
        "calendarDate": day.isoformat(),
        "durationInSeconds": duration,
        "startTimeInSeconds": int(start.timestamp()),
        "startTimeOffsetInSeconds": _offset(start),
        "unmeasurableSleepInSeconds": 0,
        "deepSleepDurationInSeconds": deep,
        "lightSleepDurationInSeconds": light,
        "remSleepInSeconds": rem,
        "awakeDurationInSeconds": awake,
        "validation": "DEVICE",
        "_uploaded": int(start.timestamp()) + duration + rng.randint(600, 3600),
    }


def activities_of(account: str, day: date) -> list[dict]:
    """The runs started on the local `day`: one every other day, in the evening."""
    if day.toordinal() % 2:
        return []
    rng = seeded(account, "garmin.activities", day)
    start = local_midnight(day) + timedelta(hours=18, minutes=rng.randint(0, 59))
    duration = rng.randint(1800, 4200)
    summary_id = _summary_id(account, "activities", day)
    return [
        {
            "userId": account_id(account),
            "summaryId": summary_id,
            "activityId": int(summary_id[1:9], 16),
            "activityName": "Evening Run",
            "activityType": "RUNNING",
            "startTimeInSeconds": int(start.timestamp()),
            "startTimeOffsetInSeconds": _offset(start),
            "durationInSeconds": duration,
            "averageHeartRateInBeatsPerMinute": rng.randint(130, 155),
            "maxHeartRateInBeatsPerMinute": rng.randint(160, 185),
            "activeKilocalories": rng.randint(250, 700),
            "distanceInMeters": round(duration * rng.uniform(2.6, 3.3), 1),
            "totalElevationGainInMeters": round(rng.uniform(5, 120), 1),
            "deviceName": "Forerunner 265",
            "_uploaded": int(start.timestamp()) + duration + rng.randint(300, 1800),
        }
    ]


# Summary type -> the summaries of one local day.
SUMMARIES = {
    "dailies": lambda account, day: [daily_of(account, day)],
    "sleeps": lambda account, day: [sleep_of(account, day)],
    "activities": activities_of,
}


def uploaded_between(account: str, kind: str, start: int, end: int) -> list[dict]:
    """The account's `kind` summaries uploaded in [start, end), as Garmin answers them."""
    first = datetime.fromtimestamp(start, UTC).date() - timedelta(days=2)
    last = datetime.fromtimestamp(end, UTC).date()
    summaries = [s for day in days_between(first, last) for s in SUMMARIES[kind](account, day)]
    return [
        {k: v for k, v in s.items() if k != "_uploaded"}
        for s in summaries
        if start <= s["_uploaded"] < min(end, time.time())
    ]


class GarminEmulator(OAuthEmulator):
    vendor = GarminAdapter
    pkce = "required"
    access_ttl = 86400

    def authorize(self, request):
        # Garmin's authorize URL names no scope: the page offers all of the app's permissions.
        if request.method == "GET":
            request.GET = request.GET.copy()
            request.GET[self.scope_param] = self.scope_separator.join(PERMISSIONS)
        return super().authorize(request)

    def token_response(self, tokens, grant):
        tokens.pop("scope")
        return JsonResponse(tokens)

    def permissions(self, request):
        """`GET /wellness-api/rest/user/permissions`: what the user left ticked."""
        claims = self.bearer_claims(request)
        if claims is None:
            return JsonResponse({"errorMessage": "Unauthorized"}, status=401)
        return JsonResponse(claims["scopes"], safe=False)

    def summaries(self, request, kind: str):
        pulled = unsign(request.GET.get("token"), "garmin.pull")
        account = self.bearer_account(request) or (pulled and pulled["account"])
        if account is None:
            return JsonResponse({"errorMessage": "Unauthorized"}, status=401)
        try:
            start = int(request.GET["uploadStartTimeInSeconds"])
            end = int(request.GET["uploadEndTimeInSeconds"])
        except (KeyError, ValueError):
            return JsonResponse(
                {
                    "errorMessage": "uploadStartTimeInSeconds and "
                    "uploadEndTimeInSeconds are required"
                },
                status=400,
            )
        if not 0 < end - start <= _MAX_RANGE:
            return JsonResponse(
                {"errorMessage": "The time range must be at most 86400 seconds"}, status=400
            )
        return JsonResponse(uploaded_between(account, kind, start, end), safe=False)

    def hosts(self):
        hosts = GarminAdapter.hosts
        return {
            hosts["connect"]: [path("oauth2Confirm", exempt(self.authorize))],
            hosts["diauth"]: [path("di-oauth2-service/oauth/token", exempt(self.token))],
            hosts["apis"]: [
                path(
                    "wellness-api/rest/user/id",
                    self.profile_view(lambda account: {"userId": account_id(account)}),
                ),
                path("wellness-api/rest/user/permissions", exempt(self.permissions)),
                path("wellness-api/rest/user/registration", self.revoke_view(bearer, 204)),
                *(
                    path(f"wellness-api/rest/{kind}", exempt(self.summaries), {"kind": kind})
                    for kind in SUMMARIES
                ),
            ],
        }

    def controls(self):
        return [path("ping", exempt(ping))]


def ping(request):
    """POST account, summary (dailies, sleeps or activities): Garmin's ping of the last hour's
    uploads, to Link's receiver, with the sandbox app's client id."""
    account = request.POST.get("account", "user_good")
    kind = request.POST.get("summary", "dailies")
    if kind not in SUMMARIES:
        return JsonResponse({"detail": f"summary is one of {', '.join(SUMMARIES)}."}, status=400)
    end = int(time.time())
    query = {
        "uploadStartTimeInSeconds": end - 3600,
        "uploadEndTimeInSeconds": end,
        "token": sign({"account": account}, "garmin.pull"),
    }
    callback = f"{GarminAdapter.hosts['apis']}/wellness-api/rest/{kind}?{urlencode(query)}"
    notification = {kind: [{"userId": account_id(account), "callbackURL": callback}]}
    answer = requests.post(
        f"{settings.LINK_PUBLIC_URL}/push/garmin",
        json=notification,
        headers={
            "garmin-client-id": sandbox_client(GarminAdapter.slug).client_id,
            "user-agent": "Garmin Health API",
        },
        timeout=60,
    )
    return JsonResponse({"status": answer.status_code, "sent": notification})
