"""Fitbit: PKCE (S256) and HTTP Basic client authentication; the user can untick scopes on the
consent page, so the granted `scope` is checked; the user id comes in the token response."""

import json

from ...base import ACTIVITY_RESOURCES, Status
from ...http import json_body
from ...oauth2 import OAuth2Adapter


class FitbitAdapter(OAuth2Adapter):
    slug = "fitbit"
    vital_id = 1
    name = "Fitbit"
    description = "Activity, sleep and heart rate from Fitbit devices."
    status = Status.LEGACY
    docs_url = "https://dev.fitbit.com/build/reference/web-api/developer-guide/authorization/"
    checked_on = "2026-11-01"
    sources = (
        "https://dev.fitbit.com/build/reference/web-api/authorization/",
        "https://github.com/NangoHQ/nango/blob/master/packages/providers/providers.yaml",
        "https://github.com/the-momentum/open-wearables",
    )
    note = (
        "Google is retiring the legacy Fitbit Web API in 2026 in favour of the Google Health API; "
        "existing OAuth apps keep working until the shutdown date."
    )
    supported_resources = (*ACTIVITY_RESOURCES, "hrv", "blood_oxygen", "weight")
    hosts = {"www": "https://www.fitbit.com", "api": "https://api.fitbit.com"}
    authorize_endpoint = ("www", "/oauth2/authorize")
    token_endpoint = ("api", "/oauth2/token")
    api_base = ("api", "")  # /1/user/-/…, Bearer
    scopes = ("activity", "heartrate", "sleep", "profile", "weight", "oxygen_saturation")
    required_scopes = frozenset({"activity", "heartrate", "sleep"})
    pkce = True
    client_auth = "basic"

    def compliance_hook(self, response):
        # Fitbit spells OAuth errors {"errors": [{"errorType": …}]}; oauthlib reads RFC 6749's
        # {"error": …}, which turns a spent refresh token into InvalidGrantError.
        data = json_body(response)
        if isinstance(data, dict) and data.get("errors"):
            first = data["errors"][0]
            error = {"error": first.get("errorType"), "error_description": first.get("message")}
            response._content = json.dumps(error).encode()
        return response

    def revoke(self, credentials):
        # RFC 7009; revoking the refresh token ends every session of the user with the app.
        self.http.post(
            self.url("api", "/oauth2/revoke"),
            data={"token": credentials.get("refresh_token") or credentials["access_token"]},
            auth=(self.app.client_id, self.app.client_secret),
        )
