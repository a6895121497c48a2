"""Google Health API, the successor of Fitbit's Web API: Google OAuth 2 (offline access and
consent every time, so a refresh token always comes; PKCE; HTTP Basic client authentication, as
Google's own client library sends it, though Google also takes the credentials in the body), the
restricted `googlehealth.*` scopes the user may untick, and the account from
`users/me/identity`: `healthUserId` is the stable id, `legacyUserId` the Fitbit id the user had
(empty for users who never had Fitbit), kept to carry a Fitbit connection over."""

from ...base import ACTIVITY_RESOURCES, Status
from ...oauth2 import OAuth2Adapter

LEGACY_USER_ID = "legacy_user_id"  # the Fitbit id, in TokenSet.extra
SCOPE = "https://www.googleapis.com/auth/googlehealth.{}.readonly"


class GoogleHealthAdapter(OAuth2Adapter):
    slug = "google_health"
    vital_id = 18  # ours: Vital's numeric id for this source is not published
    name = "Google Health"
    description = "Activity, sleep, heart rate and body data from Fitbit and Google devices."
    status = Status.BETA
    docs_url = "https://developers.google.com/health"
    checked_on = "2026-12-01"
    sources = (
        "https://developers.google.com/health/about",
        "https://developers.google.com/health/migration",
        "https://developers.google.com/health/reference/rest/v4/users/getIdentity",
        "https://developers.google.com/health/reference/rest/v4/users.dataTypes.dataPoints",
        # The API's discovery document (revision 20261030): methods, parameters, JSON shapes.
        "https://github.com/googleapis/google-api-python-client/blob/main/googleapiclient/"
        "discovery_cache/documents/health.v4.json",
        "https://github.com/the-momentum/open-wearables",
        "https://pypi.org/project/google-auth-oauthlib/",
    )
    note = (
        "Replaces Fitbit's Web API (shut down 2026-11-02): Fitbit users connect here again, "
        "since their Fitbit tokens do not carry over. All its scopes are restricted: an app "
        "needs Google's privacy and security review. Not verified: the token answer's fields "
        "and the revocation endpoint (standard Google OAuth, not read for this API). Link "
        "reads steps, heart rate, HRV, SpO2, weight and sleep (dataPoints.list, physical-time "
        "filters, pageToken paging); its emulator keeps to the discovery document's shapes, "
        "and these are not verified: whether zero-step intervals are listed, how often HRV "
        "and SpO2 are sampled, and which scope each data type needs."
    )
    supported_resources = (*ACTIVITY_RESOURCES, "hrv", "blood_oxygen", "weight", "steps")
    hosts = {
        "accounts": "https://accounts.google.com",
        "oauth2": "https://oauth2.googleapis.com",
        "health": "https://health.googleapis.com",
    }
    api_base = ("health", "")  # /v4/users/me/…, Bearer
    authorize_endpoint = ("accounts", "/o/oauth2/v2/auth")
    token_endpoint = ("oauth2", "/token")
    scopes = tuple(
        SCOPE.format(kind)
        for kind in (
            "activity_and_fitness",
            "health_metrics_and_measurements",
            "sleep",
            "nutrition",
            "settings",
        )
    )
    required_scopes = frozenset({SCOPE.format("activity_and_fitness"), SCOPE.format("sleep")})
    pkce = True
    client_auth = "basic"
    authorize_params = {
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
    }

    def identity(self, token, tokens):
        identity = self.profile("health", "/v4/users/me/identity", tokens)
        if identity.get("legacyUserId"):
            tokens.extra[LEGACY_USER_ID] = str(identity["legacyUserId"])
        return str(identity["healthUserId"])

    def revoke(self, credentials):
        self.http.post(
            self.url("oauth2", "/revoke"),
            data={"token": credentials.get("refresh_token") or credentials["access_token"]},
        )
