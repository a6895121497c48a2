"""Zwift's Keycloak realm: the password grant on a public client, `totp` for a one-time code,
and Keycloak's `{error, error_description}` errors with 401."""

import time

from django.http import HttpResponse, JsonResponse
from django.urls import path

from ...sandbox.base import (
    Emulator,
    Fault,
    account_id,
    exempt,
    jwt_like,
    password_outcome,
    sign,
    unsign,
)
from .adapter import CLIENT_ID, GRANT_PATH, LOGOUT_PATH, ZwiftAdapter


def token(request):
    form = request.POST
    if form.get("client_id") != CLIENT_ID:
        return _error("unauthorized_client", "Invalid client credentials", status=400)
    if form.get("grant_type") == "refresh_token":
        refresh = unsign(form.get("refresh_token"), "refresh")
        if refresh is None:
            return _error("invalid_grant", "Invalid refresh token", status=400)
        return _tokens(refresh["account"])
    if form.get("grant_type") != "password":
        return _error("unsupported_grant_type", "Unsupported grant type", status=400)
    try:
        outcome = password_outcome(
            form.get("username", ""), form.get("password", ""), form.get("totp")
        )
    except Fault as fault:
        return fault.response
    if outcome == "mfa":
        return _error("invalid_grant", "OTP required", otp_hint="authenticator app")
    if outcome == "bad_mfa":
        return _error("invalid_grant", "Invalid OTP")
    if outcome == "bad":
        return _error("invalid_grant", "Invalid user credentials")
    return _tokens(form["username"])


def _tokens(account: str) -> JsonResponse:
    claims = {"sub": account_id(account), "exp": int(time.time()) + 21600}
    return JsonResponse(
        {
            "access_token": jwt_like(claims),
            "expires_in": 21600,
            "refresh_expires_in": 2592000,
            "refresh_token": sign({"account": account}, "refresh"),
            "token_type": "Bearer",
            "scope": "profile email",
        }
    )


def _error(error: str, description: str, status: int = 401, **extra) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description, **extra}, status=status)


class ZwiftEmulator(Emulator):
    vendor = ZwiftAdapter
    mfa = True

    def hosts(self):
        return {
            ZwiftAdapter.hosts["secure"]: [
                path(GRANT_PATH[1:], exempt(token)),
                path(LOGOUT_PATH[1:], exempt(lambda request: HttpResponse(status=204))),
            ]
        }
