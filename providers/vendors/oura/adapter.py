"""Oura API v2: space-separated scopes, single-use refresh tokens (always store the new one),
and the user id from the personal_info endpoint."""

from ...base import ACTIVITY_RESOURCES, Status
from ...oauth2 import OAuth2Adapter


class OuraAdapter(OAuth2Adapter):
    slug = "oura"
    vital_id = 3
    name = "Oura"
    description = "Sleep, readiness and activity from the Oura Ring."
    status = Status.LIVE
    docs_url = "https://cloud.ouraring.com/v2/docs"
    checked_on = "2026-12-01"
    sources = (
        "https://cloud.ouraring.com/docs/authentication",
        "https://cloud.ouraring.com/v2/docs",
        "https://github.com/hookdeck/webhook-skills",  # its oura-webhooks skill: signatures
        "https://github.com/hedgertronic/oura-ring",
        "https://github.com/RADAR-base/RADAR-Rest-Source-Auth",
        "https://github.com/the-momentum/open-wearables",
    )
    note = (
        "The SpO2 scope is `spo2`: Oura's OpenAPI spells it `spo2Daily`, which live tokens do "
        "not honour (integrators read it off Oura's 401 answers). Apps registered on Oura's new "
        "portal exchange codes at moi.ouraring.com (namespaced `extapi:` scopes); this adapter "
        "speaks the api.ouraring.com endpoints older apps and the maintained clients use."
    )
    supported_resources = (*ACTIVITY_RESOURCES, "hrv", "body_temperature")
    hosts = {"cloud": "https://cloud.ouraring.com", "api": "https://api.ouraring.com"}
    authorize_endpoint = ("cloud", "/oauth/authorize")
    token_endpoint = ("api", "/oauth/token")
    api_base = ("api", "")  # /v2/usercollection/…, Bearer
    scopes = ("personal", "daily", "heartrate", "workout", "session", "spo2")
    required_scopes = frozenset({"daily"})

    def identity(self, token, tokens):
        return str(self.profile("api", "/v2/usercollection/personal_info", tokens)["id"])

    def revoke(self, credentials):
        self.http.post(
            self.url("api", "/oauth/revoke"),
            params={"access_token": credentials["access_token"]},
            auth=(self.app.client_id, self.app.client_secret),
        )
