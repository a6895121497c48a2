"""Fitbit's OAuth server: HTTP Basic client auth, PKCE, `user_id` in the token response, and
errors as `{"errors": [{"errorType", "message"}], "success": false}`."""

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, account_id, exempt
from .adapter import FitbitAdapter


class FitbitEmulator(OAuthEmulator):
    vendor = FitbitAdapter
    refresh_single_use = True
    access_ttl = 28800

    def token_response(self, tokens, grant):
        return JsonResponse({**tokens, "user_id": account_id(grant.account)[:6].upper()})

    def refusal_response(self, refusal):
        error = {"errorType": refusal.error, "message": refusal.description}
        status = 401 if refusal.error == "invalid_client" else 400
        return JsonResponse({"errors": [error], "success": False}, status=status)

    def hosts(self):
        www, api = FitbitAdapter.hosts["www"], FitbitAdapter.hosts["api"]
        return {
            www: [path("oauth2/authorize", exempt(self.authorize))],
            api: [
                path("oauth2/token", exempt(self.token)),
                path("oauth2/revoke", self.revoke_view(lambda r: r.POST.get("token"))),
            ],
        }
