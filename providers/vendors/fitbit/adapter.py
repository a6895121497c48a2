"""Fitbit's legacy Web API, retired: Google shut it and Fitbit OAuth down on 2026-11-02, and every
call answers 410 Gone. It is offered to no one; a stored connection's next refresh meets the 410
and is reported as ended by the provider, pointing the user to Google Health (`google_health`),
which carries the Fitbit id over as `legacyUserId`. How it worked (kept for those connections):
PKCE (S256) and HTTP Basic client authentication, granted scopes checked, the user id in the
token response."""

from ...base import ACTIVITY_RESOURCES, Status
from ...oauth2 import OAuth2Adapter

SHUTDOWN = "2026-11-02"


class FitbitAdapter(OAuth2Adapter):
    slug = "fitbit"
    vital_id = 1
    name = "Fitbit"
    description = "Activity, sleep and heart rate from Fitbit devices."
    status = Status.RETIRED
    successor = "google_health"
    gone_message = (
        f"Fitbit shut its Web API down on {SHUTDOWN}. Connect Google Health instead: your Fitbit "
        "data is there."
    )
    docs_url = "https://developers.google.com/health/migration"
    checked_on = "2026-12-01"
    sources = (
        "https://developers.google.cn/health/about?hl=cs",
        "https://developers.google.com/health/about?hl=zh-cn",
        "https://developers.google.com/health/migration",
        "https://dev.fitbit.com/blog/2025-08-08-fitbit-dev-tools-moving-to-google-accounts",
        "https://dev.fitbit.com/build/reference/web-api/authorization/",
    )
    note = (
        f"Retired: Google shut the Fitbit Web API and Fitbit OAuth down on {SHUTDOWN} (requests "
        "fail with HTTP 410 Gone; other Google pages say 2026-10-30 or 2026-09-30). Tokens do not "
        "carry over: Fitbit users connect Google Health again, which keeps their Fitbit id."
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

    def revoke(self, credentials):
        # RFC 7009; revoking the refresh token ends every session of the user with the app.
        self.http.post(
            self.url("api", "/oauth2/revoke"),
            data={"token": credentials.get("refresh_token") or credentials["access_token"]},
            auth=(self.app.client_id, self.app.client_secret),
        )
