"""Renpho Health's cloud: the login arrives sealed in the app's AES envelope and the answer's
`data` is sealed the same way; HTTP 200 always, with the outcome in `code` (101 = success)."""

import json
import time

from django.http import JsonResponse
from django.urls import path

from ...vendors import renpho
from ..base import exempt, numeric_id, password_answer, sign

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
    return password_answer(
        credentials.get("email", ""),
        credentials.get("password", ""),
        credentials.get("verifyCode"),
        ok=lambda email: _signed_in(email, request.headers.get("area")),
        **{outcome: _refusal(*answer) for outcome, answer in _ANSWERS.items()},
    )


def _refusal(code: int, message: str):
    return lambda: JsonResponse({"code": code, "msg": message, "data": None})


def _signed_in(email: str, area: str | None) -> JsonResponse:
    session = {
        "token": sign({"account": email, "area": area}, "access"),
        "id": numeric_id(email),
        "email": email,
        "expAt": int(time.time()) + 7 * 86400,
    }
    return JsonResponse({"code": 101, "msg": "success", "data": renpho.seal({"login": session})})


class RenphoEmulator:
    slug = "renpho"

    def urls(self):
        return [path("cloud/renpho-aggregation/user/login", exempt(login))]
