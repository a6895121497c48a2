"""Dexcom Share: two POSTs per login answered with bare JSON strings, the all-zero UUID for a
failed session, `{Code, Message}` errors with HTTP 500, one server per region and Japan's own
application id."""

import json
import uuid

from django.http import JsonResponse
from django.urls import path

from ..base import GOOD_PASSWORD, Fault, account_id, exempt, password_outcome

_FAILED = "00000000-0000-0000-0000-000000000000"
_APPLICATION_IDS = {
    "us": "d89443d2-327c-4a6f-89e5-496bbb0317db",
    "ous": "d89443d2-327c-4a6f-89e5-496bbb0317db",
    "jp": "d8665ade-9673-4e27-9ff6-92db4ce13d13",
}


def _error(code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"Code": code, "Message": message, **extra}, status=500)


def _body(request, region: str) -> dict | JsonResponse:
    try:
        body = json.loads(request.body)
    except ValueError:
        return _error("InvalidArgument", "Request body is not JSON")
    if body.get("applicationId") != _APPLICATION_IDS[region]:
        return _error("InvalidArgument", "Application id is not valid for this server")
    return body


def authenticate(request, region: str):
    body = _body(request, region)
    if isinstance(body, JsonResponse):
        return body
    username = body.get("accountName", "")
    try:
        outcome = password_outcome(username, body.get("password", ""), body.get("mfaCode"))
    except Fault as fault:
        return fault.response
    if outcome == "mfa":
        return _error("AccountMfaRequired", "Enter the code sent", Method="sms", Hint="•••• 42")
    if outcome == "bad_mfa":
        return _error("AccountMfaCodeInvalid", "The code is not valid")
    if outcome == "bad":
        return _error("AccountPasswordInvalid", "Publisher account password failed")
    return JsonResponse(account_id(username), safe=False)


def login_by_id(request, region: str):
    body = _body(request, region)
    if isinstance(body, JsonResponse):
        return body
    if body.get("password") != GOOD_PASSWORD or not body.get("accountId"):
        return JsonResponse(_FAILED, safe=False)  # Share's way of saying no
    return JsonResponse(str(uuid.uuid4()), safe=False)


class DexcomEmulator:
    slug = "dexcom"

    def urls(self):
        return [
            route
            for region in _APPLICATION_IDS
            for route in (
                path(
                    f"{region}/General/AuthenticatePublisherAccount",
                    exempt(authenticate),
                    {"region": region},
                ),
                path(
                    f"{region}/General/LoginPublisherAccountById",
                    exempt(login_by_id),
                    {"region": region},
                ),
            )
        ]
