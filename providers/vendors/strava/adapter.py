"""Strava: comma-separated scopes, granted scopes echoed in the redirect query (the user can
untick them), and the athlete (the user id) only in the code-exchange response.

Two refusals name the app, not the athlete, and only the app's operator can lift them:
- An app at its athlete capacity refuses every new athlete with "Limit of connected athletes
  exceeded" (HTTP 403; Strava's API FAQ names the 403 and the message). Strava shows it on its
  authorize page, which then never returns to the app (the issue threads below). Some
  integrators' clients also look for the message in a 403 answer of the code exchange; that
  Strava answers there, and the JSON body's shape, are unverified. Link can only see that
  second case: it becomes AppCapacityReached.
- An app Strava has made inactive (since 2026-06-30 a Standard-tier app whose owner has no
  Strava subscription) answers every API call with 403 and the error
  {"resource": "Application", "field": "Status", "code": "Inactive"} (stravalib issue #730, a
  maintainer's answer; dreeve issue #2562, the full body). It becomes AppInactive. Whether the
  code exchange of an inactive app is refused too is not documented (dreeve saw refreshes
  succeed), so only data calls are checked."""

from ...base import Status
from ...errors import AppCapacityReached, AppInactive, ProviderError
from ...http import json_or_none
from ...oauth2 import OAuth2Adapter, split_scopes

ATHLETE_LIMIT = "limit of connected athletes"  # Strava's message, lowercased
CAPACITY_MESSAGE = (
    "This app has reached the number of athletes Strava lets it connect, so no one else can "
    "connect Strava to it for now. The app's operator must ask Strava for a higher athlete "
    "limit (https://developers.strava.com/docs/rate-limits/)."
)
INACTIVE_MESSAGE = (
    "Strava has deactivated this app (Strava requires its owner to keep a Strava "
    "subscription), so it cannot read anyone's data. The app's operator must reactivate it at "
    "https://www.strava.com/settings/api."
)


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
        "https://communityhub.strava.com/developers-knowledge-base-14/strava-api-faq-12906",
        "https://github.com/thomaschampagne/elevate/issues/1223",
        "https://github.com/TrackMyIndoorWorkout/TrackMyIndoorWorkout/issues/511",
        "https://github.com/stravalib/stravalib/issues/730",
        "https://github.com/dreeveapp/dreeve/issues/2562",
    )
    note = (
        "Since 2026-06-01 an app on Strava's Standard tier serves at most 10 athletes (more "
        "after Strava reviews it); beyond that Strava answers 'Limit of connected athletes "
        "exceeded' (403), mostly on its own authorize page, which never returns to the app, and "
        "Link reports it when it comes at the code exchange. Standard-tier apps need their "
        "owner's paid Strava subscription; without it Strava makes the app inactive and every "
        "data call answers 403."
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

    def compliance_hook(self, response):
        refusal = app_refusal(response)
        if refusal:
            raise refusal
        return response

    def api_rejected(self, response):
        refusal = app_refusal(response)
        if refusal:
            raise refusal
        return super().api_rejected(response)

    def identity(self, token, tokens):
        return str(token["athlete"]["id"])

    def revoke(self, credentials):
        self.http.post(
            self.url("www", "/oauth/deauthorize"),
            data={"access_token": credentials["access_token"]},
        )


def app_refusal(response) -> ProviderError | None:
    """The error of a 403 that refuses the app itself (see the module docstring), if it is one."""
    if response.status_code != 403:
        return None
    body = json_or_none(response)
    if not isinstance(body, dict):
        return None
    if ATHLETE_LIMIT in str(body.get("message", "")).lower():
        return AppCapacityReached(CAPACITY_MESSAGE)
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    if any(_names_inactive_app(error) for error in errors):
        return AppInactive(INACTIVE_MESSAGE)
    return None


def _names_inactive_app(error) -> bool:
    return (
        isinstance(error, dict)
        and (error.get("resource"), error.get("field")) == ("Application", "Status")
        and str(error.get("code", "")).lower() == "inactive"
    )
