"""Polar AccessLink: OAuth 2 on Polar Flow with HTTP Basic client authentication and one scope;
the token answer names the user (`x_user_id`) and carries no refresh token, so a token that ends
means connecting again. No data flows until the user is registered with AccessLink (POST
/v3/users with our member id; 409 = already registered); deregistering (DELETE /v3/users/<id>)
revokes the access."""

from ...base import ACTIVITY_RESOURCES, Status
from ...errors import ProviderApiError
from ...oauth2 import OAuth2Adapter

POLAR_USER_ID = "polar_user_id"  # in TokenSet.extra, for deregistration
_ACCEPT = {"Accept": "application/json"}


class PolarAdapter(OAuth2Adapter):
    slug = "polar"
    vital_id = 21  # ours: Vital's numeric id for this source is not published
    name = "Polar"
    description = "Training sessions, daily activity, sleep and heart rate from Polar devices."
    status = Status.BETA
    docs_url = "https://www.polar.com/accesslink-api/"
    checked_on = "2026-12-01"
    sources = (
        "https://www.polar.com/accesslink-api/",
        "https://github.com/polarofficial/accesslink-example-python",
        "https://github.com/StuMason/polar-flow",
        "https://github.com/the-momentum/open-wearables",
    )
    note = (
        "Polar's official AccessLink API. Not verified: the access token's lifetime (long-lived; "
        "it cannot be refreshed), whether Polar also takes the client credentials in the body, "
        "and the registration answer's full field list. Polar's webhooks are signed with the "
        "webhook's own key, set as LINK_POLAR_WEBHOOK_SECRET."
    )
    supported_resources = (*ACTIVITY_RESOURCES, "hrv", "blood_oxygen", "body_temperature")
    hosts = {
        "flow": "https://flow.polar.com",
        "remote": "https://polarremote.com",
        "api": "https://www.polaraccesslink.com",
    }
    authorize_endpoint = ("flow", "/oauth2/authorization")
    token_endpoint = ("remote", "/v2/oauth2/token")
    api_base = ("api", "")  # /v3/exercises, /v3/users/sleep, …, Bearer
    scopes = ("accesslink.read_all",)
    client_auth = "basic"
    refreshable = False

    def identity(self, token, tokens):
        user_id = str(token["x_user_id"])
        response = self.http.post(
            self.url("api", "/v3/users"),
            json={"member-id": f"link-{user_id}"},
            headers={**self.bearer(tokens), **_ACCEPT},
        )
        if response.status_code not in (200, 201, 409):  # 409: registered by an earlier connect
            raise ProviderApiError("Polar did not register the user for AccessLink.")
        tokens.extra[POLAR_USER_ID] = user_id
        return user_id

    def revoke(self, credentials):
        user_id = credentials["extra"][POLAR_USER_ID]
        self.http.delete(self.url("api", f"/v3/users/{user_id}"), headers=self.bearer(credentials))
