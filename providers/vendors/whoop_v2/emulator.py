"""WHOOP's OAuth server (Ory Hydra-like): client credentials in the body, `state` of at least 8
characters, a refresh token only when `offline` was granted and single use, the basic profile
with an integer `user_id`, and revocation by DELETE /developer/v2/user/access (204)."""

from django.urls import path

from ...sandbox.base import OAuthEmulator, bearer, exempt, numeric_id
from .adapter import WhoopV2Adapter

MIN_STATE = 8


class WhoopV2Emulator(OAuthEmulator):
    vendor = WhoopV2Adapter
    pkce = "optional"
    refresh_single_use = True

    def _check_authorize(self, query):
        if len(query.get("state", "")) < MIN_STATE:
            return "The state is missing or does not have enough characters."
        return super()._check_authorize(query)

    def token_response(self, tokens, grant):
        if "offline" not in grant.scopes:
            tokens.pop("refresh_token")
        return super().token_response(tokens, grant)

    def hosts(self):
        return {
            WhoopV2Adapter.hosts["api"]: [
                path("oauth/oauth2/auth", exempt(self.authorize)),
                path("oauth/oauth2/token", exempt(self.token)),
                path(
                    "developer/v2/user/profile/basic",
                    self.profile_view(
                        lambda account: {
                            "user_id": numeric_id(account),
                            "email": f"{account}@example.com",
                            "first_name": "Sandbox",
                            "last_name": "User",
                        }
                    ),
                ),
                path("developer/v2/user/access", self.revoke_view(bearer, 204)),
            ]
        }
