"""Wahoo's OAuth server: the user id from /v1/user, revocation by DELETE /v1/permissions."""

from django.urls import path

from ..base import OAuthEmulator, bearer, exempt, numeric_id


class WahooEmulator(OAuthEmulator):
    slug, name = "wahoo", "Wahoo"
    access_ttl = 7200

    def urls(self):
        return [
            path("api/oauth/authorize", exempt(self.authorize)),
            path("api/oauth/token", exempt(self.token)),
            path(
                "api/v1/user",
                self.profile_view(lambda account: {"id": numeric_id(account), "first": account}),
            ),
            path("api/v1/permissions", self.revoke_view(bearer)),
        ]
