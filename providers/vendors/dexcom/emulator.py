"""Dexcom Share: two POSTs per login answered with bare JSON strings, the all-zero UUID for a
failed session, `{Code, Message}` errors with HTTP 500, one server per region and Japan's own
application id."""

import json
import uuid

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import GOOD_PASSWORD, Emulator, Fault, account_id, exempt, password_outcome
from .adapter import APPLICATION_IDS, FAILED, DexcomAdapter


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
    return JsonResponse(str(uuid.uuid4()), safe=False)


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
            ]
            for region, base in DexcomAdapter.hosts.items()
        }
