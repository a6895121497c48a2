"""LibreView for the practice account: the JSON login on each regional host (refused below the
app version LibreView requires) with its `status` codes (0 signed in, 2 wrong credentials, 4 terms
to accept) and, on the global host, the region redirect; then the linked patients
(`/llu/connections`), which need the ticket and the `account-id` hash. Answers carry every field
the maintained client (pylibrelinkup) requires of them.

The sandbox practice account is the emulator's client (`sandbox_client`); `user_terms` (with
its client secret) has terms to accept, and the fault usernames misbehave as everywhere. A
patient appears once linked: POST `link_patient` with the patient's `email` (their patientId is
derived from it; the listing does not show it), `delay_seconds`, and the `first_name` and
`last_name` LibreLinkUp is to show (default "Sandbox Patient"), as the user would from
LibreView's My practices. Links live in the cache, shared by every worker.

A linked patient's data: `/llu/connections/{patientId}/graph` (the last 12 hours of readings,
15 minutes apart, in `graphData`, the newest in `connection.glucoseMeasurement` with its
TrendArrow) and `/llu/connections/{patientId}/logbook` (two weeks of glucose events), each
reading with `FactoryTimestamp` (UTC), `Timestamp` (the phone's local time), `ValueInMgPerDl`
and `Value` in the patient's `GlucoseUnits`. Shapes as pylibrelinkup's models (GraphResponse,
LogbookResponse) and nightscout-librelink-up's interfaces (src/interfaces/librelink/common.ts)
require them; which readings a real logbook holds (`type`) is unverified."""

import hashlib
import json
import math
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.http import JsonResponse
from django.urls import path
from django.utils.crypto import constant_time_compare

from ...sandbox.base import (
    FAULTS,
    Emulator,
    Fault,
    account_id,
    client_secret_for,
    exempt,
    fault_raise,
    sign,
    unsign,
)
from ...sandbox.data import seeded, utc_day_start
from .adapter import FreestyleLibreAdapter
from .data import MG_DL_PER_MMOL_L

_HOME = "eu"  # where the global host sends the sandbox practice account
LINKS = "providers.sandbox.freestyle_libre.links"
_TICKET_TTL = 3600
MINIMUM_VERSION = (4, 16, 0)  # LibreView's floor since 2025-10-08


def _version(header: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in (header or "").split("."))
    except ValueError:
        return ()


# The sandbox patient's readings: a sensor reading every 15 minutes (LibreLinkUp's graph
# interval), on a grid shifted by a per-patient phase, as a real sensor's start time shifts it;
# the patient's phone in Europe/Berlin, so `Timestamp` (local) and `FactoryTimestamp` (UTC) differ.
ZONE = ZoneInfo("Europe/Berlin")
READING_EVERY = timedelta(minutes=15)
GRAPH_SPAN = timedelta(hours=12)
LOGBOOK_SPAN = timedelta(days=14)


def mg_dl_at(patient_id: str, at: datetime) -> int:
    """The glucose reading at `at`, in mg/dL: a daily curve (highest in the local afternoon)
    with noise, within the sensor's 40 to 400 range."""
    hour = at.astimezone(ZONE).hour + at.minute / 60
    noise = seeded(patient_id, "libre.glucose", int(at.timestamp())).randint(-15, 15)
    return max(40, min(400, round(120 + 35 * math.sin((hour - 9) * math.pi / 12) + noise)))


def graph_times(patient_id: str, now: datetime) -> list[datetime]:
    """The times of the graph's readings at `now`: every reading of the last GRAPH_SPAN, oldest
    first; the last is the current one (`glucoseMeasurement`)."""
    step = int(READING_EVERY.total_seconds())
    phase = seeded(patient_id, "libre.phase").randrange(step)
    last = (int(now.timestamp()) - phase) // step * step + phase
    first = int((now - GRAPH_SPAN).timestamp())
    return [datetime.fromtimestamp(t, UTC) for t in range(last, first, -step)][::-1]


def logbook_times(patient_id: str, now: datetime) -> list[datetime]:
    """The times of the logbook's events at `now` (three a UTC day: scans and alarms), oldest
    first, over the last LOGBOOK_SPAN."""
    since = now - LOGBOOK_SPAN
    days = [since.date() + timedelta(days=n) for n in range(LOGBOOK_SPAN.days + 1)]
    times = (
        utc_day_start(day) + timedelta(seconds=second)
        for day in days
        for second in seeded(patient_id, "libre.logbook", day).sample(range(86400), 3)
    )
    return sorted(at for at in times if since <= at <= now)


def trend_arrow(patient_id: str, at: datetime) -> int:
    """LibreLinkUp's TrendArrow (1 falling fast … 3 stable … 5 rising fast) from the change over
    the last 15 minutes."""
    change = mg_dl_at(patient_id, at) - mg_dl_at(patient_id, at - READING_EVERY)
    return 3 + (change > 7) + (change > 15) - (change < -7) - (change < -15)


def reading_time(at: datetime) -> str:
    """LibreLinkUp's timestamp format, "M/D/YYYY h:mm:ss AM"."""
    hour = at.hour % 12 or 12
    noon = "PM" if at.hour >= 12 else "AM"
    return f"{at.month}/{at.day}/{at.year} {hour}:{at.minute:02}:{at.second:02} {noon}"


def reading(patient_id: str, at: datetime, kind: int = 0) -> dict:
    """One GlucoseItem: `FactoryTimestamp` in UTC, `Timestamp` on the phone's clock."""
    mg_dl = mg_dl_at(patient_id, at)
    return {
        "FactoryTimestamp": reading_time(at),
        "Timestamp": reading_time(at.astimezone(ZONE)),
        "type": kind,  # 0 graph, 1 event: as seen in clients' samples, unverified
        "ValueInMgPerDl": mg_dl,
        "MeasurementColor": 1 if 70 <= mg_dl <= 180 else 2,  # in the target range or not
        "GlucoseUnits": 0,  # 0 mmol/L, 1 mg/dL: the sandbox patient reads mmol/L
        "Value": round(mg_dl / MG_DL_PER_MMOL_L, 1),
        "isHigh": False,  # beyond the sensor's range ("HI"/"LO"): never, within 40 to 400
        "isLow": False,
    }


def _user(email: str, host: str, now: int) -> dict:
    """The account part of a LibreLinkUp login answer, every field present."""
    return {
        "id": account_id(email),
        "firstName": "Sandbox",
        "lastName": "Practice",
        "email": email,
        "country": host.upper(),
        "uiLanguage": "en-US",
        "communicationLanguage": "en-US",
        "accountType": "pat",
        "uom": "1",
        "dateFormat": "2",
        "timeFormat": "2",
        "emailDay": [1],
        "system": {"messages": {}},
        "details": {},
        "twoFactor": {
            "primaryMethod": "",
            "primaryValue": "",
            "secondaryMethod": "",
            "secondaryValue": "",
        },
        "created": now - 86400,
        "lastLogin": now,
        "programs": {},
        "dateOfBirth": 0,
        "practices": {},
        "devices": {},
        "consents": {"llu": {"policyAccept": now - 86400, "touAccept": now - 86400}},
    }


def login(request, host: str):
    try:
        body = json.loads(request.body)
        email, password = str(body["email"]), str(body["password"])
    except (KeyError, TypeError, ValueError):
        return JsonResponse({"status": 1, "error": {"message": "Invalid request"}})
    if (
        request.headers.get("product") not in ("llu.android", "llu.ios")
        or _version(request.headers.get("version")) < MINIMUM_VERSION
    ):
        minimum = ".".join(map(str, MINIMUM_VERSION))
        return JsonResponse({"status": 920, "data": {"minimumVersion": minimum}}, status=403)
    if email.startswith("user_") and email[5:] in FAULTS:
        try:
            fault_raise(email[5:])
        except Fault as fault:
            return fault.response
    if not constant_time_compare(password, client_secret_for(email)):
        return JsonResponse({"status": 2, "error": {"message": "notAuthenticated"}})
    if email == "user_terms":
        return JsonResponse(
            {"status": 4, "data": {"step": {"type": "tou", "componentName": "tou"}}}
        )
    if host == "global":
        return JsonResponse({"status": 0, "data": {"redirect": True, "region": _HOME}})
    now = int(time.time())
    ticket = sign({"account": email, "host": host, "exp": now + _TICKET_TTL}, "access")
    return JsonResponse(
        {
            "status": 0,
            "data": {
                "user": _user(email, host, now),
                "messages": {"unread": 0},
                "notifications": {"unresolved": 0},
                "authTicket": {"token": ticket, "expires": now + _TICKET_TTL, "duration": 3600000},
                "invitations": [],
                "trustedDeviceToken": "",
            },
        }
    )


def _refused(request, host: str) -> JsonResponse | None:
    """The 401 for a call without a live ticket of this host and its account-id hash."""
    ticket = unsign(request.headers.get("Authorization", "").removeprefix("Bearer "), "access")
    if not ticket or ticket["exp"] < time.time() or ticket["host"] != host:
        return JsonResponse({"status": 401, "message": "Unauthorized"}, status=401)
    expected = hashlib.sha256(account_id(ticket["account"]).encode()).hexdigest()
    if request.headers.get("account-id") != expected:
        return JsonResponse({"status": 401, "message": "RequiredHeaderMissing"}, status=401)
    return None


def _linked() -> dict[str, dict]:
    """The patients linked by now, by email: when they linked, and their names."""
    now = time.time()
    return {e: link for e, link in (cache.get(LINKS) or {}).items() if link["at"] <= now}


def _patient(email: str, link: dict, host: str) -> dict:
    """A `/llu/connections` entry: like LibreLinkUp's, it names no email (the adapter tells
    its users apart otherwise); `created` is when the patient linked."""
    return {
        "id": account_id(f"connection:{email}"),
        "patientId": account_id(email),
        "country": host.upper(),
        "status": 2,
        "firstName": link["first_name"],
        "lastName": link["last_name"],
        "targetLow": 70,
        "targetHigh": 180,
        "uom": 1,
        "created": int(link["at"]),
    }


def connections(request, host: str):
    if refused := _refused(request, host):
        return refused
    patients = [_patient(email, link, host) for email, link in _linked().items()]
    return JsonResponse({"status": 0, "data": patients})


def _linked_patient(request, host: str, patient_id: str) -> tuple[dict | None, JsonResponse]:
    """The linked patient `patient_id` names, or the answer refusing the call."""
    if refused := _refused(request, host):
        return None, refused
    for email, link in _linked().items():
        if account_id(email) == patient_id:
            return _patient(email, link, host), JsonResponse({})
    # pylibrelinkup reads status 4 as "couldNotLoadPatient"; the HTTP status is unverified.
    return None, JsonResponse({"status": 4, "error": {"message": "couldNotLoadPatient"}})


def graph(request, host: str, patient_id: str):
    """The last GRAPH_SPAN of readings in `graphData`, the newest in `glucoseMeasurement`."""
    patient, refusal = _linked_patient(request, host, patient_id)
    if patient is None:
        return refusal
    times = graph_times(patient_id, datetime.now(UTC))
    latest = {**reading(patient_id, times[-1]), "TrendArrow": trend_arrow(patient_id, times[-1])}
    sensor = {"deviceId": "", "sn": f"SANDBOX{patient_id[:4].upper()}", "a": 0, "w": 60, "pt": 4}
    sensor |= {"s": False, "lj": False}
    device = {
        "did": patient_id,
        "dtid": 40068,
        "v": "3.6.5",
        "ll": 70,
        "hl": 250,
        "u": 0,
        "fixedLowAlarmValues": {"mgdl": 60, "mmoll": 3.3},
        "alarms": False,
        "fixedLowThreshold": 0,
    }
    band = {"th": 0, "thmm": 0.0, "d": 0, "tl": 0, "tlmm": 0.0}
    alarm_rules = {
        "c": True,
        "h": {"th": 250, "thmm": 13.9, "d": 1440, "f": 0.1},
        "f": band,
        "l": band,
        "nd": {"i": 20, "r": 5, "l": 6},
        "p": 5,
        "r": 5,
        "std": {},
    }
    connection = patient | {
        "sensor": sensor,
        "alarmRules": alarm_rules,
        "glucoseMeasurement": latest,
        "glucoseItem": latest,
        "glucoseAlarm": None,
        "patientDevice": device,
    }
    return JsonResponse(
        {
            "status": 0,
            "data": {
                "connection": connection,
                "activeSensors": [{"sensor": sensor, "device": device}],
                "graphData": [reading(patient_id, at) for at in times[:-1]],
            },
            "ticket": _renewed(request),
        }
    )


def logbook(request, host: str, patient_id: str):
    """The glucose events (scans, alarms) of the last LOGBOOK_SPAN, newest first."""
    patient, refusal = _linked_patient(request, host, patient_id)
    if patient is None:
        return refusal
    times = logbook_times(patient_id, datetime.now(UTC))
    events = [
        {**reading(patient_id, at, kind=1), "TrendArrow": trend_arrow(patient_id, at)}
        for at in reversed(times)
    ]
    return JsonResponse({"status": 0, "data": events, "ticket": _renewed(request)})


def _renewed(request) -> dict:
    """The `ticket` every data answer carries (clients may swap theirs for it)."""
    claims = unsign(request.headers["Authorization"].removeprefix("Bearer "), "access")
    now = int(time.time())
    claims["exp"] = now + _TICKET_TTL
    return {"token": sign(claims, "access"), "expires": now + _TICKET_TTL, "duration": 3600000}


def link_patient(request):
    """Sandbox only: the patient links their account to the practice (now or after a delay)."""
    data = request.POST if request.POST else json.loads(request.body or "{}")
    email = str(data.get("email", "")).strip().lower()
    if "@" not in email:
        return JsonResponse({"error": "email is required"}, status=400)
    link = {
        "at": time.time() + min(float(data.get("delay_seconds") or 0), 86400),
        "first_name": str(data.get("first_name") or "Sandbox")[:100],
        "last_name": str(data.get("last_name") or "Patient")[:100],
    }
    cache.set(LINKS, {**(cache.get(LINKS) or {}), email: link}, timeout=30 * 86400)
    return JsonResponse({"email": email, "linked_at": int(link["at"])})


class FreestyleLibreEmulator(Emulator):
    vendor = FreestyleLibreAdapter

    def hosts(self):
        return {
            base: [
                path("llu/auth/login", exempt(login), {"host": host}),
                path("llu/connections", connections, {"host": host}),
                path("llu/connections/<str:patient_id>/graph", graph, {"host": host}),
                path("llu/connections/<str:patient_id>/logbook", logbook, {"host": host}),
            ]
            for host, base in FreestyleLibreAdapter.hosts.items()
        }

    def controls(self):
        return [path("link_patient", exempt(link_patient))]
