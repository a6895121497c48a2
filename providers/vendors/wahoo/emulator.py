"""Wahoo's OAuth server: the user id from /v1/user, revocation by DELETE /v1/permissions."""

from django.urls import path

from ...sandbox.base import OAuthEmulator, bearer, exempt, numeric_id
from .adapter import WahooAdapter


class WahooEmulator(OAuthEmulator):
    vendor = WahooAdapter
    access_ttl = 7200

    def hosts(self):
        return {
            WahooAdapter.hosts["api"]: [
                path("oauth/authorize", exempt(self.authorize)),
                path("oauth/token", exempt(self.token)),
                path(
                    "v1/user",
                    self.profile_view(
                        lambda account: {"id": numeric_id(account), "first": account}
                    ),
                ),
                path("v1/permissions", self.revoke_view(bearer)),
            ]
        }
