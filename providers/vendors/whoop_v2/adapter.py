"""WHOOP's official API (v2): OAuth 2 with the client credentials in the body (WHOOP expects
them there, not in a Basic header); a refresh token only with the `offline` scope, asked again
on each refresh, and a new one each time; the account from `/developer/v2/user/profile/basic`
(`user_id`, an integer); revocation by DELETE of the user's access."""

from ...base import Status
from ...oauth2 import OAuth2Adapter


class WhoopV2Adapter(OAuth2Adapter):
    slug = "whoop_v2"
    vital_id = 19  # ours: Vital's numeric id for this source is not published
    name = "WHOOP"
    description = "Recovery, strain, sleep and workouts from WHOOP."
    status = Status.BETA
    docs_url = "https://developer.whoop.com/docs/developing/oauth"
    checked_on = "2026-12-01"
    sources = (
        "https://developer.whoop.com/docs/developing/oauth",
        "https://developer.whoop.com/api",
        "https://developer.whoop.com/docs/developing/webhooks",
        "https://developer.whoop.com/docs/developing/user-data/cycle",
        "https://developer.whoop.com/docs/tutorials/refresh-token-javascript",
        "https://github.com/hedgertronic/whoop",
        "https://github.com/the-momentum/open-wearables",
        "https://github.com/stephenwsun/whoop-cli/pull/21",
    )
    note = (
        "WHOOP's official OAuth API. Not verified: the token answer's full field list, and the "
        "minimum `state` length of 8 the sandbox enforces (WHOOP's OAuth server looks like Ory "
        "Hydra, whose default it is)."
    )
    supported_resources = ("sleep", "workouts", "hrv", "heartrate", "activity", "body", "profile")
    hosts = {"api": "https://api.prod.whoop.com"}
    api_base = ("api", "/developer")  # /v2/activity/sleep, /v2/cycle…, Bearer
    authorize_endpoint = ("api", "/oauth/oauth2/auth")
    token_endpoint = ("api", "/oauth/oauth2/token")
    scopes = (
        "read:profile",
        "read:body_measurement",
        "read:cycles",
        "read:recovery",
        "read:sleep",
        "read:workout",
        "offline",
    )
    required_scopes = frozenset({"read:recovery", "read:sleep", "offline"})
    refresh_params = {"scope": "offline"}

    def identity(self, token, tokens):
        return str(self.profile("api", "/developer/v2/user/profile/basic", tokens)["user_id"])

    def revoke(self, credentials):
        self.http.delete(
            self.url("api", "/developer/v2/user/access"), headers=self.bearer(credentials)
        )
