"""Oura's OAuth server: `redirect_uri` optional (without it, the app's registered one; if sent at
authorize, it must be sent again at the exchange), client credentials in the body, single-use
refresh tokens, and the user id from personal_info."""

from django.urls import path

from ...sandbox.base import OAuthEmulator, account_id, exempt
from .adapter import OuraAdapter


class OuraEmulator(OAuthEmulator):
    vendor = OuraAdapter
    refresh_single_use = True
    redirect_uri_optional = True
    access_ttl = 86400

    def hosts(self):
        cloud, api = OuraAdapter.hosts["cloud"], OuraAdapter.hosts["api"]
        return {
            cloud: [path("oauth/authorize", exempt(self.authorize))],
            api: [
                path("oauth/token", exempt(self.token)),
                path(
                    "v2/usercollection/personal_info",
                    self.profile_view(lambda account: {"id": account_id(account), "age": 35}),
                ),
                path("oauth/revoke", self.revoke_view(lambda r: r.GET.get("access_token"))),
            ],
        }
