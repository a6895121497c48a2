"""Garmin (OAuth 2.0 + PKCE, which replaced OAuth 1.0a; that retires on 2026-12-31): PKCE is
required, the token host differs from the authorize host, there is no `scope` parameter (the
user toggles permissions on the consent page) and the token carries no user id."""

from ...base import ACTIVITY_RESOURCES, Status
from ...oauth2 import OAuth2Adapter


class GarminAdapter(OAuth2Adapter):
    slug = "garmin"
    vital_id = 2
    name = "Garmin"
    description = "Activities, sleep, stress and body data from Garmin Connect."
    status = Status.LIVE
    docs_url = "https://developerportal.garmin.com/developer-programs/connect-developer-api"
    checked_on = "2026-12-01"
    sources = (
        "https://github.com/NangoHQ/nango/blob/master/packages/providers/providers.yaml",
        "https://github.com/RADAR-base/RADAR-Rest-Source-Auth",
        "https://github.com/the-momentum/open-wearables",
        "https://github.com/the-momentum/open-wearables/issues/1117",
        "https://github.com/RADAR-base/RADAR-PushEndpoint",
    )
    note = (
        "Uses OAuth 2.0 with PKCE; Garmin retires OAuth 1.0a on 2026-12-31. Garmin's developer "
        "program has taken no new applicants since about 2026-06 (reported by integrators; "
        "Garmin's own wording not found): existing apps keep working. Not checked: permissions "
        "the user unticks later (/user/permissions)."
    )
    supported_resources = (*ACTIVITY_RESOURCES, "stress_level", "blood_oxygen")
    hosts = {
        "connect": "https://connect.garmin.com",
        "diauth": "https://diauth.garmin.com",
        "apis": "https://apis.garmin.com",
    }
    authorize_endpoint = ("connect", "/oauth2Confirm")
    token_endpoint = ("diauth", "/di-oauth2-service/oauth/token")
    api_base = ("apis", "")  # /wellness-api/rest/…, Bearer
    pkce = True

    def identity(self, token, tokens):
        return str(self.profile("apis", "/wellness-api/rest/user/id", tokens)["userId"])

    def revoke(self, credentials):
        # Garmin deregisters the user instead of revoking the token (no RFC 7009).
        self.http.delete(
            self.url("apis", "/wellness-api/rest/user/registration"),
            headers=self.bearer(credentials),
        )
