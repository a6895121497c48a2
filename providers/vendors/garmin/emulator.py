"""Garmin's OAuth 2 server: PKCE required, tokens from a separate host, no scope parameter, the
user id only from /user/id, and deregistration instead of revocation."""

from django.urls import path

from ...sandbox.base import OAuthEmulator, account_id, bearer, exempt
from .adapter import GarminAdapter


class GarminEmulator(OAuthEmulator):
    vendor = GarminAdapter
    pkce = "required"
    access_ttl = 86400

    def hosts(self):
        hosts = GarminAdapter.hosts
        return {
            hosts["connect"]: [path("oauth2Confirm", exempt(self.authorize))],
            hosts["diauth"]: [path("di-oauth2-service/oauth/token", exempt(self.token))],
            hosts["apis"]: [
                path(
                    "wellness-api/rest/user/id",
                    self.profile_view(lambda account: {"userId": account_id(account)}),
                ),
                path("wellness-api/rest/user/registration", self.revoke_view(bearer, 204)),
            ],
        }
