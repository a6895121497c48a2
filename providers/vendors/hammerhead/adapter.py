"""Hammerhead (Karoo) on its official OAuth 2 API: authorize and token under
api.hammerhead.io/v1/auth/oauth/, the client credentials in the body, space-separated scopes the
user may narrow, and the token answer naming the user (`user_id`); deauthorizing takes the token
and the client credentials. It replaces the scrape of the dashboard's password grant."""

from ...base import Status
from ...oauth2 import OAuth2Adapter


class HammerheadAdapter(OAuth2Adapter):
    slug = "hammerhead"
    vital_id = 14
    name = "Hammerhead"
    description = "Rides from Hammerhead Karoo bike computers."
    status = Status.BETA
    docs_url = "https://api.hammerhead.io/v1/docs"
    checked_on = "2026-12-01"
    sources = (
        "https://api.hammerhead.io/v1/docs",
        "https://support.hammerhead.io/hc/en-us/articles/Creating-a-Developer-Account",
        "https://github.com/rchowell/hammerhead-python",
        "https://pypi.org/project/hammerhead/",
    )
    note = (
        "Hammerhead's official API (a self-serve developer account). Not verified: the token "
        "lifetimes, whether refresh tokens rotate, and whether the token endpoint takes JSON as "
        "well as form bodies (its generated SDK sends JSON; the sandbox takes both)."
    )
    supported_resources = ("workouts", "workout_stream", "profile")
    hosts = {"api": "https://api.hammerhead.io"}
    authorize_endpoint = ("api", "/v1/auth/oauth/authorize")
    token_endpoint = ("api", "/v1/auth/oauth/token")
    scopes = ("activity:read",)
    required_scopes = frozenset({"activity:read"})

    def revoke(self, credentials):
        self.http.post(
            self.url("api", "/v1/auth/oauth/deauthorize"),
            data={
                "token": credentials["access_token"],
                "client_id": self.app.client_id,
                "client_secret": self.app.client_secret,
            },
        )
