"""Polar's OAuth server and AccessLink's user registration: the one scope, a token answer with
`x_user_id` and no refresh token (there is no refresh grant), registration that answers 409 the
second time, and deregistration that ends the access."""

import json

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, Refusal, exempt, grant_revoke, numeric_id
from .adapter import PolarAdapter

_REGISTERED = "sandbox:polar:registered:{}:{}"


class PolarEmulator(OAuthEmulator):
    vendor = PolarAdapter
    pkce = "none"
    access_ttl = 10 * 365 * 86400  # long-lived; Polar does not publish the figure

    def grant_type(self, params):
        grant_type = super().grant_type(params)
        if grant_type != "authorization_code":
            raise Refusal("unsupported_grant_type", grant_type)
        return grant_type

    def token_response(self, tokens, grant):
        return JsonResponse(
            {
                "access_token": tokens["access_token"],
                "token_type": "bearer",
                "expires_in": tokens["expires_in"],
                "x_user_id": numeric_id(grant.account),
            }
        )

    def register(self, request):
        access = self.bearer_claims(request)
        if access is None:
            return HttpResponse(status=401)
        member_id = (_json(request) or {}).get("member-id")
        if request.method != "POST" or not isinstance(member_id, str) or not member_id:
            return JsonResponse({"error": "member-id is required"}, status=400)
        user_id = numeric_id(access["account"])
        if not cache.add(_REGISTERED.format(access["client_id"], user_id), 1, None):
            return HttpResponse(status=409)
        return JsonResponse(
            {
                "polar-user-id": user_id,
                "member-id": member_id,
                "registration-date": "2026-12-01T00:00:00.000Z",
                "first-name": "Sandbox",
                "last-name": "User",
            }
        )

    def deregister(self, request, user_id: int):
        access = self.bearer_claims(request)
        if access is None or numeric_id(access["account"]) != user_id:
            return HttpResponse(status=401 if access is None else 403)
        cache.delete(_REGISTERED.format(access["client_id"], user_id))
        grant_revoke(access["client_id"], user_id)
        return HttpResponse(status=204)

    def hosts(self):
        hosts = PolarAdapter.hosts
        return {
            hosts["flow"]: [path("oauth2/authorization", exempt(self.authorize))],
            hosts["remote"]: [path("v2/oauth2/token", exempt(self.token))],
            hosts["api"]: [
                path("v3/users", exempt(self.register)),
                path("v3/users/<int:user_id>", exempt(self.deregister)),
            ],
        }


def _json(request) -> dict | None:
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
