"""Strava: comma-separated scopes, granted scopes echoed in the redirect query (the user can
untick them), and the athlete (the user id) only in the code-exchange response."""

from ...base import Status
from ...oauth2 import OAuth2Adapter, split_scopes


class StravaAdapter(OAuth2Adapter):
    slug = "strava"
    vital_id = 4
    name = "Strava"
    description = "Rides, runs and other workouts from Strava."
    status = Status.LIVE
    docs_url = "https://developers.strava.com/docs/authentication/"
    checked_on = "2026-12-01"
    sources = (
        "https://developers.strava.com/docs/authentication/",
        "https://developers.strava.com/docs/oauth-updates/",
        "https://developers.strava.com/docs/reference/",
        "https://developers.strava.com/docs/webhooks/",
        "https://communityhub.strava.com/insider-journal-9/an-update-to-our-developer-program-13428",
        "https://github.com/stravalib/stravalib",
        "https://github.com/the-momentum/open-wearables",
    )
    note = (
        "Since 2026-06-01 an app on Strava's Standard tier serves at most 10 athletes; beyond "
        "that Strava shows 'Limit of connected athletes exceeded' on its own authorize page and "
        "never returns to the app. Standard-tier developers need a paid Strava subscription."
    )
    supported_resources = ("workouts", "workout_stream", "profile")
    hosts = {"www": "https://www.strava.com"}
    authorize_endpoint = ("www", "/oauth/authorize")
    token_endpoint = ("www", "/oauth/token")
    api_base = ("www", "/api/v3")  # /athlete/activities, …, Bearer
    scopes = ("read", "activity:read_all", "profile:read_all")
    required_scopes = frozenset({"read", "activity:read_all"})
    scope_separator = ","  # Strava splits on commas only
    authorize_params = {"approval_prompt": "auto"}

    def granted_scopes(self, token, params):
        # The token response does not reliably carry them; the redirect query does.
        return split_scopes(params.get("scope"))

    def identity(self, token, tokens):
        return str(token["athlete"]["id"])

    def revoke(self, credentials):
        self.http.post(
            self.url("www", "/oauth/deauthorize"),
            data={"access_token": credentials["access_token"]},
        )
