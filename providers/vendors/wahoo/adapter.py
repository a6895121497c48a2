"""Wahoo Cloud API: PKCE allowed, rotating refresh tokens, `offline_data` needed for background
access, and the user id from /v1/user."""

from ...base import Status
from ...oauth2 import OAuth2Adapter


class WahooAdapter(OAuth2Adapter):
    slug = "wahoo"
    vital_id = 5
    name = "Wahoo"
    description = "Workouts from Wahoo bike computers and trainers."
    status = Status.LIVE
    docs_url = "https://cloud-api.wahooligan.com/"
    checked_on = "2026-11-01"
    sources = ("https://cloud-api.wahooligan.com/", "https://developers.wahooligan.com/cloud")
    supported_resources = ("workouts", "profile")
    hosts = {"api": "https://api.wahooligan.com"}
    authorize_endpoint = ("api", "/oauth/authorize")
    token_endpoint = ("api", "/oauth/token")
    api_base = ("api", "")  # /v1/workouts, …, Bearer
    scopes = ("user_read", "workouts_read", "offline_data")
    required_scopes = frozenset({"workouts_read", "offline_data"})
    pkce = True

    def identity(self, token, tokens):
        return str(self.profile("api", "/v1/user", tokens)["id"])

    def revoke(self, credentials):
        self.http.delete(self.url("api", "/v1/permissions"), headers=self.bearer(credentials))
