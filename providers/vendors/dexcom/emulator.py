"""Dexcom Share: two POSTs per login answered with bare JSON strings, the all-zero UUID for a
failed session, `{Code, Message}` errors with HTTP 500, one server per region and Japan's own
application id; and the latest glucose readings of a session's account
(`Publisher/ReadPublisherLatestGlucoseValues`), newest first."""

import json
import math
import time
import uuid

from django.core.cache import cache
from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import GOOD_PASSWORD, Emulator, Fault, account_id, exempt, password_outcome
from ...sandbox.data import seeded
from .adapter import APPLICATION_IDS, FAILED, DexcomAdapter

# How long a sandbox Share session lasts (Dexcom's own lifetime is not published).
SESSION_SECONDS = 24 * 3600
_MAX_MINUTES, _MAX_COUNT = 1440, 288
_EVERY_MS = 5 * 60 * 1000  # one reading every five minutes
# Share's trend names by the rate of change (mg/dL per minute) they start at, steepest first.
_TRENDS = (
    (3, "DoubleUp"),
    (2, "SingleUp"),
    (1, "FortyFiveUp"),
    (-1, "Flat"),
    (-2, "FortyFiveDown"),
    (-3, "SingleDown"),
    (-math.inf, "DoubleDown"),
)


def _error(code: str, message: str) -> JsonResponse:
    return JsonResponse({"Code": code, "Message": message}, status=500)


def _body(request, region: str) -> dict | JsonResponse:
    try:
        body = json.loads(request.body)
    except ValueError:
        return _error("InvalidArgument", "Request body is not JSON")
    if body.get("applicationId") != APPLICATION_IDS[region]:
        return _error("InvalidArgument", "Application id is not valid for this server")
    return body


def authenticate(request, region: str):
    body = _body(request, region)
    if isinstance(body, JsonResponse):
        return body
    username = body.get("accountName", "")
    try:
        outcome = password_outcome(username, body.get("password", ""), mfa=False)
    except Fault as fault:
        return fault.response
    if outcome == "bad":
        return _error("AccountPasswordInvalid", "Publisher account password failed")
    return JsonResponse(account_id(username), safe=False)


def login_by_id(request, region: str):
    body = _body(request, region)
    if isinstance(body, JsonResponse):
        return body
    if body.get("password") != GOOD_PASSWORD or not body.get("accountId"):
        return JsonResponse(FAILED, safe=False)  # Share's way of saying no
    session_id = str(uuid.uuid4())
    cache.set(f"sandbox:dexcom:session:{session_id}", body["accountId"], SESSION_SECONDS)
    return JsonResponse(session_id, safe=False)


def glucose_at(account: str, at_ms: int) -> int:
    """mg/dL at a moment: a daily rhythm with meal peaks, and a little noise."""
    hours = at_ms / 3_600_000
    rhythm = 25 * math.sin(hours / 24 * 2 * math.pi) + 35 * max(0, math.sin(hours / 8 * math.pi))
    return round(115 + rhythm + seeded(account, "dexcom.egv", at_ms).uniform(-6, 6))


def share_trend(rate: float) -> str:
    return next(name for floor, name in _TRENDS if rate >= floor)


def latest_glucose(request, region: str):
    """`POST Publisher/ReadPublisherLatestGlucoseValues?sessionId&minutes&maxCount`."""
    account = cache.get(f"sandbox:dexcom:session:{request.GET.get('sessionId', '')}")
    if account is None:
        return _error("SessionIdNotFound", "Session ID not found")
    try:
        minutes, count = int(request.GET["minutes"]), int(request.GET["maxCount"])
    except (KeyError, ValueError):
        return _error("InvalidArgument", "minutes and maxCount are required numbers")
    if not (0 < minutes <= _MAX_MINUTES and 0 < count <= _MAX_COUNT):
        return _error("InvalidArgument", "minutes must be 1-1440 and maxCount 1-288")
    newest = int(time.time() * 1000) // _EVERY_MS * _EVERY_MS
    readings = []
    for n in range(min(count, minutes * 60_000 // _EVERY_MS)):
        at = newest - n * _EVERY_MS
        value = glucose_at(account, at)
        rate = (value - glucose_at(account, at - _EVERY_MS)) / 5
        stamp = f"Date({at})"
        reading = {"WT": stamp, "ST": stamp, "DT": f"Date({at}+0000)", "Value": value}
        readings.append({**reading, "Trend": share_trend(rate)})
    return JsonResponse(readings, safe=False)


class DexcomEmulator(Emulator):
    vendor = DexcomAdapter

    def hosts(self):
        return {
            base: [
                path(
                    "General/AuthenticatePublisherAccount",
                    exempt(authenticate),
                    {"region": region},
                ),
                path("General/LoginPublisherAccountById", exempt(login_by_id), {"region": region}),
                path(
                    "Publisher/ReadPublisherLatestGlucoseValues",
                    exempt(latest_glucose),
                    {"region": region},
                ),
            ]
            for region, base in DexcomAdapter.hosts.items()
        }
