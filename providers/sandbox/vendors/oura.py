"""Oura's OAuth server: client credentials in the body, the user id from personal_info."""

from django.urls import path

from ..base import OAuthEmulator, account_id, exempt


class OuraEmulator(OAuthEmulator):
    slug, name = "oura", "Oura"
    refresh_single_use = True
    access_ttl = 86400

    def urls(self):
        return [
            path("cloud/oauth/authorize", exempt(self.authorize)),
            path("api/oauth/token", exempt(self.token)),
            path(
                "api/v2/usercollection/personal_info",
                self.profile_view(lambda account: {"id": account_id(account), "age": 35}),
            ),
            path("api/oauth/revoke", self.revoke_view(lambda r: r.GET.get("access_token"))),
        ]
