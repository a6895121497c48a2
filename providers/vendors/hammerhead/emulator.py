"""Hammerhead's OAuth server: form or JSON token bodies with the client credentials in them, the
user's id in the token answer, and deauthorization by access token."""

from django.urls import path

from ...sandbox.base import OAuthEmulator, exempt, numeric_id
from .adapter import HammerheadAdapter


class HammerheadEmulator(OAuthEmulator):
    vendor = HammerheadAdapter
    pkce = "none"
    json_bodies = True

    def token_response(self, tokens, grant):
        return super().token_response({**tokens, "user_id": str(numeric_id(grant.account))}, grant)

    def hosts(self):
        return {
            HammerheadAdapter.hosts["api"]: [
                path("v1/auth/oauth/authorize", exempt(self.authorize)),
                path("v1/auth/oauth/token", exempt(self.token)),
                path(
                    "v1/auth/oauth/deauthorize",
                    self.revoke_view(lambda request: self.body(request).get("token")),
                ),
            ]
        }
