"""Strava's OAuth server: comma scopes echoed in the redirect, no `redirect_uri` needed at the
code exchange (stravalib sends none), `expires_at` in epoch seconds, and the `athlete` on the code
exchange only."""

import time

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, exempt, numeric_id
from .adapter import StravaAdapter


class StravaEmulator(OAuthEmulator):
    vendor = StravaAdapter
    scope_separator = ","
    pkce = "none"
    access_ttl = 21600
    exchange_checks_redirect_uri = False

    def redirect_extra(self, granted):
        return {"scope": ",".join(granted)}

    def token_response(self, tokens, grant):
        tokens.pop("scope")  # Strava reports granted scopes on the redirect, not here
        tokens["expires_at"] = int(time.time()) + tokens["expires_in"]
        if grant.exchange:
            tokens["athlete"] = {"id": numeric_id(grant.account), "username": grant.account}
        return JsonResponse(tokens)

    def hosts(self):
        return {
            StravaAdapter.hosts["www"]: [
                path("oauth/authorize", exempt(self.authorize)),
                path("oauth/token", exempt(self.token)),
                path("oauth/deauthorize", self.revoke_view(lambda r: r.POST.get("access_token"))),
            ]
        }
