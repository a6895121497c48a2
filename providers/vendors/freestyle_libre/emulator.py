"""LibreView for the practice account: the JSON login on each regional host (refused below the
app version LibreView requires) with its `status` codes (0 signed in, 2 wrong credentials, 4 terms
to accept) and, on the global host, the region redirect; then the linked patients
(`/llu/connections`), which need the ticket and the `account-id` hash. Answers carry every field
the maintained client (pylibrelinkup) requires of them.

The sandbox practice account is the emulator's client (`sandbox_client`); `user_terms` (with
its client secret) has terms to accept, and the fault usernames misbehave as everywhere. A
patient appears once linked: POST `link_patient` with `email` (and `delay_seconds`), as the
user would from LibreView's My practices. Links live in the cache, shared by every worker."""

import hashlib
import json
import time

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
from .adapter import FreestyleLibreAdapter

_HOME = "eu"  # where the global host sends the sandbox practice account
_LINKS = "providers.sandbox.freestyle_libre.links"
_TICKET_TTL = 3600
MINIMUM_VERSION = (4, 16, 0)  # LibreView's floor since 2025-10-08


def _version(header: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in (header or "").split("."))
    except ValueError:
        return ()


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


def connections(request, host: str):
    ticket = unsign(request.headers.get("Authorization", "").removeprefix("Bearer "), "access")
    if not ticket or ticket["exp"] < time.time() or ticket["host"] != host:
        return JsonResponse({"status": 401, "message": "Unauthorized"}, status=401)
    expected = hashlib.sha256(account_id(ticket["account"]).encode()).hexdigest()
    if request.headers.get("account-id") != expected:
        return JsonResponse({"status": 401, "message": "RequiredHeaderMissing"}, status=401)
    now = time.time()
    # LibreLinkUp's entries carry no email: `email` is the sandbox's stand-in for however the
    # practice is to recognise the patient (see the adapter's note).
    patients = [
        {
            "id": account_id(f"connection:{email}"),
            "patientId": account_id(email),
            "country": host.upper(),
            "status": 2,
            "firstName": "Sandbox",
            "lastName": "Patient",
            "targetLow": 70,
            "targetHigh": 180,
            "uom": 1,
            "created": int(linked_at),
            "email": email,
        }
        for email, linked_at in (cache.get(_LINKS) or {}).items()
        if linked_at <= now
    ]
    return JsonResponse({"status": 0, "data": patients})


def link_patient(request):
    """Sandbox only: the patient links their account to the practice (now or after a delay)."""
    data = request.POST if request.POST else json.loads(request.body or "{}")
    email = str(data.get("email", "")).strip().lower()
    if "@" not in email:
        return JsonResponse({"error": "email is required"}, status=400)
    linked_at = time.time() + min(float(data.get("delay_seconds") or 0), 86400)
    cache.set(_LINKS, {**(cache.get(_LINKS) or {}), email: linked_at}, timeout=30 * 86400)
    return JsonResponse({"email": email, "linked_at": int(linked_at)})


class FreestyleLibreEmulator(Emulator):
    vendor = FreestyleLibreAdapter

    def hosts(self):
        return {
            base: [
                path("llu/auth/login", exempt(login), {"host": host}),
                path("llu/connections", connections, {"host": host}),
            ]
            for host, base in FreestyleLibreAdapter.hosts.items()
        }

    def controls(self):
        return [path("link_patient", exempt(link_patient))]
