"""Dexcom API v3 on each regional host: the login page (`scope` must be `offline_access`), the
form token endpoint with the credentials in the body and `redirect_uri` at the exchange,
`/v3/users/self/dataRange`, whose `userId` is per account and per client app, and
`/v3/users/self/egvs`, the sensor's readings.

The readings (getEstimatedGlucoseValuesV3 in Dexcom's reference): one every five minutes,
`{recordType: "egv", recordVersion: "3.0", userId, records: [...]}`, each record with recordId,
systemTime (UTC), displayTime (the device's local clock), transmitterId, transmitterTicks, an
integer `value` in `unit` (mg/dL here), status, trend, trendRate in `rateUnit`, displayDevice
and transmitterGeneration; newest first, as in Dexcom's v2 example (unverified for v3).
startDate and endDate are system times without an offset, at most 30 days apart (Dexcom's
OpenAPI collection in api-evangelist/dexcom). Records from the mobile apps carry UTC offsets,
records from a receiver do not (Dexcom's note on the egvs page); the sandbox account wears its
sensor in Berlin, read some days by the iOS app and others by a receiver whose clock drifts a
little. The glucose curve is the one Dexcom Share serves for the same account (one sensor).
Error bodies are unverified."""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, exempt
from ...sandbox.data import HISTORY, grid, seeded
from ..dexcom.emulator import glucose_at, share_trend
from .adapter import DexcomV3Adapter

ZONE = ZoneInfo("Europe/Berlin")  # where the sandbox account lives
EVERY = timedelta(minutes=5)
MAX_WINDOW = timedelta(days=30)
# Readings reach the API late: Validic, a Dexcom partner, describes a one-hour delay.
DELAY = timedelta(hours=1)


def dexcom_user_id(account: str, client_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"dexcom:{client_id}:{account}"))


def served_until() -> datetime:
    """The newest moment whose readings the API has (tests hold it still)."""
    return datetime.now(UTC) - DELAY


def display_device(account: str, day: date) -> str:
    """What read the sensor on a (UTC) day: mostly the phone app, sometimes a receiver."""
    return "receiver" if seeded(account, "dexcom_v3.device", day).random() < 0.3 else "iOS"


def receiver_drift(account: str, day: date) -> timedelta:
    """How far a receiver's hand-set clock is off on a day."""
    return timedelta(seconds=seeded(account, "dexcom_v3.drift", day).randint(-90, 90))


def reading_times(start: datetime, end: datetime) -> list[datetime]:
    """The system times (UTC, aware) of the readings in [start, end) that the API has."""
    return grid(max(start, datetime.now(UTC) - HISTORY), min(end, served_until()), EVERY)


def egv_of(account: str, at: datetime) -> dict:
    """The record of the reading at system time `at` (UTC, aware)."""
    at_ms = int(at.timestamp() * 1000)
    value = glucose_at(account, at_ms)
    rate = (value - glucose_at(account, at_ms - int(EVERY.total_seconds() * 1000))) / 5
    device = display_device(account, at.date())
    local = at.astimezone(ZONE)
    if device == "receiver":
        system = at.replace(tzinfo=None).isoformat()
        shown = (local.replace(tzinfo=None) + receiver_drift(account, at.date())).isoformat()
    else:
        system, shown = at.isoformat(), local.isoformat()
    share = share_trend(rate)
    return {
        "recordId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"dexcom_v3:{account}:{at_ms}")),
        "systemTime": system,
        "displayTime": shown,
        "transmitterId": uuid.uuid5(uuid.NAMESPACE_URL, f"dexcom_v3:{account}").hex[:6].upper(),
        "transmitterTicks": int(at.timestamp()) % (10 * 86400),
        "value": value,
        "status": "ok",
        "trend": share[0].lower() + share[1:],  # Share's DoubleUp is v3's doubleUp
        "trendRate": rate,
        "unit": "mg/dL",
        "rateUnit": "mg/dL/min",
        "displayDevice": device,
        "transmitterGeneration": "g7",
    }


def _system_time(raw: str | None) -> datetime | None:
    """A startDate/endDate: a date-time without an offset, in system time (UTC)."""
    try:
        moment = datetime.fromisoformat(raw or "")
    except ValueError:
        return None
    return None if moment.tzinfo else moment.replace(tzinfo=UTC)


class DexcomV3Emulator(OAuthEmulator):
    vendor = DexcomV3Adapter
    pkce = "none"
    access_ttl = 7200

    def _check_authorize(self, query):
        if query.get("scope") != "offline_access":
            return "scope must be offline_access"
        return super()._check_authorize(query)

    def data_range(self, request):
        access = self.bearer_claims(request)
        if access is None:
            return JsonResponse({"error": "unauthorized"}, status=401)
        day = {"systemTime": "2026-11-01T00:00:00", "displayTime": "2026-11-01T01:00:00"}
        return JsonResponse(
            {
                "recordType": "dataRange",
                "recordVersion": "3.0",
                "userId": dexcom_user_id(access["account"], access["client_id"]),
                "egvs": {"start": day, "end": day},
            }
        )

    def egvs(self, request):
        """`GET /v3/users/self/egvs?startDate&endDate`."""
        access = self.bearer_claims(request)
        if access is None:
            return JsonResponse({"error": "unauthorized"}, status=401)
        start = _system_time(request.GET.get("startDate"))
        end = _system_time(request.GET.get("endDate"))
        if start is None or end is None or not start <= end <= start + MAX_WINDOW:
            message = "startDate and endDate: date-times without an offset, 30 days apart at most"
            return JsonResponse({"message": message}, status=400)
        times = reading_times(start, end)
        return JsonResponse(
            {
                "recordType": "egv",
                "recordVersion": "3.0",
                "userId": dexcom_user_id(access["account"], access["client_id"]),
                "records": [egv_of(access["account"], at) for at in reversed(times)],
            }
        )

    def hosts(self):
        return {
            base: [
                path("v2/oauth2/login", exempt(self.authorize)),
                path("v2/oauth2/token", exempt(self.token)),
                path("v3/users/self/dataRange", exempt(self.data_range)),
                path("v3/users/self/egvs", exempt(self.egvs)),
            ]
            for base in DexcomV3Adapter.hosts.values()
        }
