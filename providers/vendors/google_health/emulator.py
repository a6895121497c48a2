"""Google's OAuth server and the Health API's identity, as a Google Health app meets them:
client credentials in the body or as HTTP Basic (Google's own client library sends Basic and
PKCE), a refresh answer without a new refresh token (Google's do not rotate), and
`users/me/identity` giving `healthUserId` and the Fitbit id the sandbox account had."""

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, account_id, exempt
from ..fitbit.emulator import fitbit_user_id
from .adapter import GoogleHealthAdapter


class GoogleHealthEmulator(OAuthEmulator):
    vendor = GoogleHealthAdapter
    access_ttl = 3599

    def token_response(self, tokens, grant):
        if not grant.exchange:
            tokens.pop("refresh_token")
        return JsonResponse(tokens)

    def hosts(self):
        hosts = GoogleHealthAdapter.hosts
        return {
            hosts["accounts"]: [path("o/oauth2/v2/auth", exempt(self.authorize))],
            hosts["oauth2"]: [
                path("token", exempt(self.token)),
                path(
                    "revoke",
                    self.revoke_view(lambda r: r.POST.get("token") or r.GET.get("token")),
                ),
            ],
            hosts["health"]: [
                path(
                    "v4/users/me/identity",
                    self.profile_view(
                        lambda account: {
                            "name": "users/me/identity",
                            "legacyUserId": fitbit_user_id(account),
                            "healthUserId": account_id(account).replace("-", "")[:24],
                        }
                    ),
                )
            ],
        }
