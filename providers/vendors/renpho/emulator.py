"""Renpho Health's cloud: the login arrives sealed in the app's AES envelope and the answer's
`data` is sealed the same way; HTTP 200 always, with the outcome in `code` (101 = success)."""

import json
import time

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import Emulator, exempt, numeric_id, password_answer, sign
from . import adapter as renpho


def login(request):
    try:
        body = renpho.unseal(json.loads(request.body)["encryptData"])
        credentials = body["login"]
    except (KeyError, TypeError, ValueError):
        return JsonResponse({"code": 400, "msg": "Parameter error", "data": None})
    return password_answer(
        credentials.get("email", ""),
        credentials.get("password", ""),
        None,
        ok=lambda email: _signed_in(email, request.headers.get("area")),
        bad=lambda: JsonResponse({"code": 102, "msg": "Incorrect email or password", "data": None}),
    )


def _signed_in(email: str, area: str | None) -> JsonResponse:
    session = {
        "token": sign({"account": email, "area": area}, "access"),
        "id": numeric_id(email),
        "email": email,
        "expAt": int(time.time()) + 7 * 86400,
    }
    return JsonResponse({"code": 101, "msg": "success", "data": renpho.seal({"login": session})})


class RenphoEmulator(Emulator):
    vendor = renpho.RenphoAdapter

    def hosts(self):
        return {self.vendor.hosts["cloud"]: [path("renpho-aggregation/user/login", exempt(login))]}
