"""Renpho Health's cloud: the login arrives sealed in the app's AES envelope and the answer's
`data` is sealed the same way; HTTP 200 always, with the outcome in `code` (101 = success)."""

import json
import time

from django.http import JsonResponse
from django.urls import path

from ...vendors import renpho
from ..base import Fault, exempt, numeric_id, password_outcome, sign

_ANSWERS = {
    "mfa": (renpho.MFA_REQUIRED, "Enter the code sent to u•••@example.com"),
    "bad_mfa": (renpho.MFA_INVALID, "Verification code is incorrect"),
    "bad": (102, "Incorrect email or password"),
}


def login(request):
    try:
        body = renpho.unseal(json.loads(request.body)["encryptData"])
        credentials = body["login"]
    except (KeyError, TypeError, ValueError):
        return JsonResponse({"code": 400, "msg": "Parameter error", "data": None})
    email = credentials.get("email", "")
    try:
        outcome = password_outcome(
            email, credentials.get("password", ""), credentials.get("verifyCode")
        )
    except Fault as fault:
        return fault.response
    if outcome in _ANSWERS:
        code, message = _ANSWERS[outcome]
        return JsonResponse({"code": code, "msg": message, "data": None})
    session = {
        "token": sign({"account": email, "area": request.headers.get("area")}, "access"),
        "id": numeric_id(email),
        "email": email,
        "expAt": int(time.time()) + 7 * 86400,
    }
    return JsonResponse({"code": 101, "msg": "success", "data": renpho.seal({"login": session})})


class RenphoEmulator:
    slug = "renpho"

    def urls(self):
        return [path("cloud/renpho-aggregation/user/login", exempt(login))]
