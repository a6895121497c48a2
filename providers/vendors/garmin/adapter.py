"""Garmin (OAuth 2.0 + PKCE, which replaced OAuth 1.0a; that retires on 2026-12-31): PKCE is
required, the token host differs from the authorize host, there is no `scope` parameter (the
user toggles permissions on the consent page) and the token carries no user id.

What the user left ticked is read from `GET /wellness-api/rest/user/permissions` (Bearer): a
list of names such as ACTIVITY_EXPORT, HEALTH_EXPORT, WORKOUT_IMPORT, COURSE_IMPORT and
MCT_EXPORT. Clients quoting Garmin's document show a bare JSON list; open-wearables
(providers/garmin/oauth.py) reads {"permissions": [...]}; both are taken, which one Garmin sends
today is unverified. Link reads dailies and sleeps (HEALTH_EXPORT) and activities
(ACTIVITY_EXPORT, as clients that map summary types to permissions do) and refuses a connection
without both; the permissions granted are the connection's scopes. Garmin tells of later changes
with a `userPermissionsChange` push ({"userId", "permissions"} entries, open-wearables
handlers/lifecycle.py), which Link does not read yet."""

from dataclasses import replace

from ...base import ACTIVITY_RESOURCES, Status
from ...errors import ProviderApiError
from ...http import json_body
from ...oauth2 import OAuth2Adapter

PERMISSIONS_PATH = "/wellness-api/rest/user/permissions"


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
        "https://github.com/the-momentum/open-wearables/blob/main/backend/app/services/providers/garmin/oauth.py",
        "https://github.com/the-momentum/open-wearables/blob/main/backend/app/services/providers/garmin/handlers/lifecycle.py",
    )
    note = (
        "Uses OAuth 2.0 with PKCE; Garmin retires OAuth 1.0a on 2026-12-31. Garmin's developer "
        "program has taken no new applicants since about 2026-06 (reported by integrators; "
        "Garmin's own wording not found): existing apps keep working. A user who unticks the "
        "activity or health permission at connect is refused; unticking later "
        "(userPermissionsChange) is not yet noticed."
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
    required_scopes = frozenset({"ACTIVITY_EXPORT", "HEALTH_EXPORT"})

    def granted_scopes(self, token, params):
        response = self.http.get(self.url("apis", PERMISSIONS_PATH), headers=self.bearer(token))
        if response.status_code != 200:
            raise ProviderApiError("Garmin did not say which permissions were granted.")
        return permissions_of(json_body(response))

    def token_set(self, token, *, previous):
        # A `scope` in Garmin's token (its content is unverified) is not the user's data
        # permissions: a refresh keeps those read at connect.
        return replace(super().token_set(token, previous=previous), scopes=previous.scopes)

    def identity(self, token, tokens):
        return str(self.profile("apis", "/wellness-api/rest/user/id", tokens)["userId"])

    def revoke(self, credentials):
        # Garmin deregisters the user instead of revoking the token (no RFC 7009).
        self.http.delete(
            self.url("apis", "/wellness-api/rest/user/registration"),
            headers=self.bearer(credentials),
        )


def permissions_of(body) -> tuple[str, ...]:
    """The permission names of a /user/permissions answer, in either shape seen (above)."""
    names = body.get("permissions") if isinstance(body, dict) else body
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ProviderApiError("Garmin's list of permissions was not readable.")
    return tuple(names)
