"""Garmin's OAuth 2 server: PKCE required, tokens from a separate host, no scope parameter, the
user id only from /user/id, and deregistration instead of revocation."""

from django.urls import path

from ..base import OAuthEmulator, account_id, bearer, exempt


class GarminEmulator(OAuthEmulator):
    slug, name = "garmin", "Garmin Connect"
    pkce = "required"
    access_ttl = 86400

    def urls(self):
        return [
            path("connect/oauth2Confirm", exempt(self.authorize)),
            path("diauth/di-oauth2-service/oauth/token", exempt(self.token)),
            path(
                "apis/wellness-api/rest/user/id",
                self.profile_view(lambda account: {"userId": account_id(account)}),
            ),
            path("apis/wellness-api/rest/user/registration", self.revoke_view(bearer, 204)),
        ]
