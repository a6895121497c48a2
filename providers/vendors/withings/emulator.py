"""Withings' OAuth server: `action=requesttoken`, comma scopes, a 30-second code, always HTTP
200 with a `{status, body}` envelope (non-zero status = error), and signed revocation; its
measures, `measure?action=getmeas`, which refuses a bad token inside that envelope too (sources:
providers/vendors/withings/data.py); and its notifications: `notify?action=subscribe` checks the
callback URL with a HEAD request first, and the sandbox control POST /sandbox/withings/push sends
Link the form-encoded notification Withings would (userid, appli, startdate, enddate). Also its
nights (`v2/sleep?action=getsummary`) and days (`v2/measure?action=getactivity`), chosen by
`startdateymd`/`enddateymd` or `lastupdate`, paged like the measures.

The sandbox user lives in Europe/Paris (the `timezone` of every answer). Unverified: how many
groups, nights or days Withings puts on a page (here _PAGE, small enough that a month takes two)
and its status for a callback URL that fails the check (here 293, as remembered from its
reference's list of status codes)."""

import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, client_secret_for, exempt, grant_revoke, numeric_id
from ...sandbox.data import days_between, seeded, utc_day_start
from .adapter import WithingsAdapter

_INVALID_PARAMS = 503
_AUTH_FAILED = 100
_INVALID_TOKEN = 401
_PAGE = 20
_BAD_CALLBACK = 293
_ZONE = "Europe/Paris"
_DEFAULT_DAYS = 30
# Measure types, in Withings' numbering; a value is `value * 10**unit`.
_WEIGHT, _FAT_FREE, _FAT_RATIO, _FAT_MASS, _DIASTOLIC, _SYSTOLIC, _PULSE = 1, 5, 6, 8, 9, 10, 11
# (deviceid, modelid, model) of the sandbox user's scale and blood-pressure monitor.
_SCALE = ("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", 13, "Body+")
_MONITOR = ("0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6", 45, "BPM Connect")
_WATCH = "9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3"
_SLEEP_MONITOR = 32  # getsummary's model: 16 a tracker, 32 a sleep monitor


def measure_groups_of(account: str, day) -> list[dict]:
    """One day's measure groups: a morning weigh-in on a body-composition scale, and every
    third day a blood-pressure reading."""
    rng = seeded(account, "withings.getmeas", day)
    base = utc_day_start(day)
    user = numeric_id(account)
    weight = 72.0 + rng.uniform(-1.5, 1.5)
    fat_ratio = 21.0 + rng.uniform(-1.0, 1.0)
    groups = [
        (
            base + timedelta(hours=6, minutes=rng.randint(30, 90)),
            _SCALE,
            [
                (_WEIGHT, round(weight * 1000), -3),
                (_FAT_RATIO, round(fat_ratio * 1000), -3),
                (_FAT_MASS, round(weight * fat_ratio * 10), -3),
                (_FAT_FREE, round(weight * (100 - fat_ratio) * 10), -3),
            ],
        )
    ]
    if day.toordinal() % 3 == 0:
        groups.append(
            (
                base + timedelta(hours=19, minutes=rng.randint(0, 59)),
                _MONITOR,
                [
                    (_DIASTOLIC, rng.randint(70, 85), 0),
                    (_SYSTOLIC, rng.randint(110, 132), 0),
                    (_PULSE, rng.randint(58, 76), 0),
                ],
            )
        )
    return [
        {
            "grpid": int(f"{user % 10**6}{int(at.timestamp()) % 10**6}"),
            "attrib": 0,
            "date": int(at.timestamp()),
            "created": int(at.timestamp()) + 40,
            "modified": int(at.timestamp()) + 40,
            "category": 1,
            "deviceid": device,
            "hash_deviceid": device,
            "measures": [
                {"value": value, "type": kind, "unit": unit, "algo": 0, "fm": 3}
                for kind, value, unit in measures
            ],
            "modelid": modelid,
            "model": model,
            "comment": None,
        }
        for at, (device, modelid, model), measures in groups
    ]


def sleep_summary_of(account: str, day) -> dict:
    """The night that ends on the local `day`, as getsummary reports it (durations in
    seconds, rates per minute)."""
    rng = seeded(account, "withings.getsummary", day)
    wake = datetime(day.year, day.month, day.day, 6, tzinfo=ZoneInfo(_ZONE))
    wake += timedelta(minutes=rng.randint(0, 90))
    deep, light = rng.randint(3600, 7200), rng.randint(10800, 16200)
    rem, awake = rng.randint(3600, 6300), rng.randint(300, 2400)
    start = wake - timedelta(seconds=deep + light + rem + awake)
    return {
        "id": numeric_id(f"{account}|{day}") % 10**9,
        "timezone": _ZONE,
        "model": _SLEEP_MONITOR,
        "model_id": 63,
        "startdate": int(start.timestamp()),
        "enddate": int(wake.timestamp()),
        "date": day.isoformat(),
        "created": int(wake.timestamp()) + 600,
        "modified": int(wake.timestamp()) + 600,
        "data": {
            "deepsleepduration": deep,
            "lightsleepduration": light,
            "remsleepduration": rem,
            "wakeupduration": awake,
            "durationtosleep": rng.randint(300, 1500),
            "hr_average": rng.randint(52, 62),
            "hr_min": rng.randint(44, 51),
            "rr_average": rng.randint(12, 16),
            "sleep_score": rng.randint(60, 95),
        },
    }


def activity_of(account: str, day) -> dict:
    """One local day's activity, as getactivity reports it (seconds, metres, kcal)."""
    rng = seeded(account, "withings.getactivity", day)
    end = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(_ZONE)) + timedelta(days=1)
    active = round(rng.uniform(200, 700), 2)
    return {
        "date": day.isoformat(),
        "timezone": _ZONE,
        "deviceid": _WATCH,
        "hash_deviceid": _WATCH,
        "brand": 1,
        "is_tracker": True,
        "steps": rng.randint(3000, 15000),
        "distance": round(rng.uniform(2000, 11000), 1),
        "elevation": rng.randint(0, 15),
        "soft": rng.randint(1800, 7200),
        "moderate": rng.randint(600, 3600),
        "intense": rng.randint(0, 1800),
        "active": 0,
        "calories": active,
        "totalcalories": round(active + rng.uniform(1500, 1800), 2),
        "hr_average": rng.randint(65, 80),
        "hr_min": rng.randint(48, 56),
        "hr_max": rng.randint(120, 170),
        "modified": int(end.timestamp()) + 1800,
    }


class WithingsEmulator(OAuthEmulator):
    vendor = WithingsAdapter
    scope_separator = ","
    pkce = "none"
    code_ttl = 30
    access_ttl = 10800

    def oauth2(self, request):
        action = request.POST.get("action")
        if action == "requesttoken":
            return self.token(request)
        if action == "revoke":
            answer = self._signed_answer(request, {"nonce", "userid"})
            if json.loads(answer.content)["status"] == 0:
                grant_revoke(request.POST["client_id"], request.POST.get("userid", ""))
            return answer
        return _envelope(_INVALID_PARAMS, error="Invalid Params: unknown action")

    def signature(self, request):
        if request.POST.get("action") != "getnonce":
            return _envelope(_INVALID_PARAMS, error="Invalid Params: unknown action")
        return self._signed_answer(request, {"timestamp"}, {"nonce": secrets.token_hex(16)})

    def token_response(self, tokens, grant):
        return _envelope(0, userid=str(numeric_id(grant.account)), **tokens)

    def refusal_response(self, refusal):
        status = _AUTH_FAILED if refusal.error == "invalid_client" else _INVALID_PARAMS
        return _envelope(status, error=f"Invalid Params: {refusal.description}")

    def _signed_answer(self, request, fields: set[str], body: dict | None = None):
        params = {k: request.POST.get(k, "") for k in ("action", "client_id", *fields)}
        signed = {k: v for k, v in params.items() if k != "userid"}
        message = ",".join(signed[k] for k in sorted(signed))
        secret = client_secret_for(params["client_id"])
        expected = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.POST.get("signature", "")):
            return _envelope(_AUTH_FAILED, error="Invalid signature")
        return _envelope(0, **(body or {}))

    def measure(self, request):
        """`/measure` (GET or POST form): `action=getmeas` with `meastype` or `meastypes`,
        `category`, `startdate`/`enddate` (epoch seconds; the last 30 days by default) or
        `lastupdate` (the groups modified since), and `offset` for the next page while `more`
        is 1."""
        params = (request.POST if request.method == "POST" else request.GET).dict()
        account = self._account(request, params)
        if account is None:
            return _envelope(
                _INVALID_TOKEN,
                error="XRequestID: Not provided invalid_token: The access token provided is "
                "invalid",
            )
        if params.get("action") != "getmeas":
            return _envelope(_INVALID_PARAMS, error="Invalid Params: unknown action")
        now = int(time.time())
        try:
            since = int(params.get("lastupdate") or 0)
            end = now if since else int(params.get("enddate") or now)
            start = int(params.get("startdate") or end - _DEFAULT_DAYS * 86400)
            if since:  # a group is modified 40 s after it is taken, and never again
                start = since - 40
            offset = int(params.get("offset") or 0)
            types = params.get("meastypes") or params.get("meastype") or ""
            types = {int(t) for t in types.split(",") if t}
            first, last = (datetime.fromtimestamp(t, UTC).date() for t in (start, end))
        except (ValueError, OverflowError, OSError):
            return _envelope(_INVALID_PARAMS, error="Invalid Params")
        groups = []
        if params.get("category", "1") == "1":  # 2 (user objectives): none in the sandbox
            for day in days_between(first, last):
                for group in measure_groups_of(account, day):
                    measures = [m for m in group["measures"] if not types or m["type"] in types]
                    taken = start <= group["date"] <= end
                    if measures and taken and group["modified"] >= since:
                        groups.append({**group, "measures": measures})
        groups.sort(key=lambda group: group["date"], reverse=True)
        return _paged("measuregrps", groups, offset, int, updatetime=now, timezone=_ZONE)

    def daily(self, request, action: str, build, key: str):
        """`action` (`getsummary` of v2/sleep, `getactivity` of v2/measure): the account's
        documents of each local day from `startdateymd` to `enddateymd`, or those modified
        since `lastupdate`, `offset` paging on while `more` is true."""
        params = (request.POST if request.method == "POST" else request.GET).dict()
        account = self._account(request, params)
        if account is None:
            return _envelope(_INVALID_TOKEN, error="invalid_token")
        if params.get("action") != action:
            return _envelope(_INVALID_PARAMS, error="Invalid Params: unknown action")
        try:
            since = int(params.get("lastupdate") or 0)
            if since:
                first = datetime.fromtimestamp(since, UTC).date() - timedelta(days=2)
                last = datetime.now(UTC).date()
            else:
                first = date.fromisoformat(params["startdateymd"])
                last = date.fromisoformat(params["enddateymd"])
            offset = int(params.get("offset") or 0)
        except (KeyError, ValueError, OverflowError, OSError):
            return _envelope(_INVALID_PARAMS, error="Invalid Params")
        documents = [build(account, day) for day in days_between(first, last)]
        documents = [d for d in documents if d["modified"] >= since]
        return _paged(key, documents, offset)

    def notify(self, request):
        """`/notify?action=subscribe` (callbackurl, appli): Withings first sends the callback
        URL a HEAD request, which must answer 2xx. The sandbox checks only Link's own
        receiver, so it never calls an address a caller chose."""
        params = (request.POST if request.method == "POST" else request.GET).dict()
        if self._account(request, params) is None:
            return _envelope(_INVALID_TOKEN, error="invalid_token")
        if params.get("action") != "subscribe" or not params.get("appli", "").isdigit():
            return _envelope(_INVALID_PARAMS, error="Invalid Params")
        receiver = f"{settings.LINK_PUBLIC_URL}/push/withings"
        if params.get("callbackurl") != receiver or not _answers_head(receiver):
            return _envelope(_BAD_CALLBACK, error="The callback URL is either absent or incorrect")
        account = self._account(request, params)
        cache.set(subscribed_key(account), {*subscriptions(account), params["appli"]}, 86400)
        return _envelope(0)

    def _account(self, request, params: dict) -> str | None:
        """The account of the access token, sent as a Bearer header or as the `access_token`
        parameter (python_withings_api's OAuth2 session puts it in the query)."""
        claims = self.bearer_claims(request) or self.access_claims(params.get("access_token"))
        return claims and claims["account"]

    def controls(self):
        return [path("push", exempt(push))]

    def hosts(self):
        account, api = WithingsAdapter.hosts["account"], WithingsAdapter.hosts["api"]
        return {
            account: [path("oauth2_user/authorize2", exempt(self.authorize))],
            api: [
                path("v2/oauth2", exempt(self.oauth2)),
                path("v2/signature", exempt(self.signature)),
                path("measure", exempt(self.measure)),
                path("notify", exempt(self.notify)),
                path(
                    "v2/sleep",
                    exempt(self.daily),
                    {"action": "getsummary", "build": sleep_summary_of, "key": "series"},
                ),
                path(
                    "v2/measure",
                    exempt(self.daily),
                    {"action": "getactivity", "build": activity_of, "key": "activities"},
                ),
            ],
        }


def subscribed_key(account: str) -> str:
    return f"sandbox:withings:subscribed:{account}"


def subscriptions(account: str) -> set[str]:
    """The applis an account's notifications are subscribed to (by any app: one sandbox)."""
    return cache.get(subscribed_key(account)) or set()


def push(request):
    """POST account, appli (1: weight and body composition; 4: blood pressure and heart rate):
    Withings' notification of the account's new measures today, to Link's receiver."""
    account = request.POST.get("account", "user_good")
    appli = request.POST.get("appli", "1")
    if appli not in subscriptions(account):  # Withings notifies only what was subscribed to
        return JsonResponse({"status": None, "sent": None, "detail": "not subscribed"})
    start = int(utc_day_start(datetime.now(UTC).date()).timestamp())
    notification = {
        "userid": str(numeric_id(account)),
        "appli": appli,
        "startdate": str(start),
        "enddate": str(int(time.time())),
    }
    answer = requests.post(
        f"{settings.LINK_PUBLIC_URL}/push/withings", data=notification, timeout=60
    )
    return JsonResponse({"status": answer.status_code, "sent": notification})


def _paged(key: str, items: list, offset: int, more_as=bool, **extra) -> JsonResponse:
    """One page of `items` at `offset` in Withings' envelope: `more` (getmeas spells it 0 or
    1, the v2 services false or true) and the next `offset`."""
    page = items[offset : offset + _PAGE]
    more = offset + _PAGE < len(items)
    body = {key: page, "more": more_as(more), "offset": offset + len(page) if more else 0}
    return _envelope(0, **extra, **body)


def _answers_head(url: str) -> bool:
    try:
        return requests.head(url, timeout=30).ok
    except requests.RequestException:
        return False


def _envelope(status: int, error: str = "", **body) -> JsonResponse:
    data = {"status": status, "body": body}
    if error:
        data["error"] = error
    return JsonResponse(data)
