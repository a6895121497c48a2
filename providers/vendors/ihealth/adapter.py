"""iHealth: one URL for authorize and token, the token fetched with GET and query parameters,
PascalCase answers (`AccessToken`, `UserID` or `UserId`), `APIName` instead of `scope`, refresh
with `response_type=refresh_token`, and separate US (port 8443) and EU hosts. No revocation."""

import json

from ...base import Status, TokenSet
from ...errors import ProviderApiError
from ...http import json_body
from ...oauth2 import OAuth2Adapter

_PATH = "/OpenApiV2/OAuthv2/userauthorization/"
_API_NAMES = ("OpenApiBP", "OpenApiWeight", "OpenApiBG", "OpenApiUserInfo")
_FIELDS = {
    "AccessToken": "access_token",
    "RefreshToken": "refresh_token",
    "Expires": "expires_in",
    "UserID": "user_id",
    "UserId": "user_id",
    "APIName": "scope",
}


class IHealthAdapter(OAuth2Adapter):
    slug = "ihealth"
    vital_id = 6
    name = "iHealth"
    description = "Blood pressure, weight and glucose from iHealth devices."
    status = Status.LIVE
    docs_url = "https://developer.ihealthlabs.com/dev_documentation_openapidoc.htm"
    checked_on = "2026-11-01"
    sources = ("https://developer.ihealthlabs.com/dev_documentation_openapidoc.htm",)
    supported_resources = ("blood_pressure", "weight", "glucose", "body", "profile")
    hosts = {
        "us": "https://api.ihealthlabs.com:8443",
        "eu_auth": "https://oauthuser.ihealthlabs.eu",
    }
    regions = {"us": "us", "eu": "eu_auth"}
    default_region = "us"
    authorize_params = {"APIName": " ".join(_API_NAMES), "IsNew": "false"}
    required_scopes = frozenset({"OpenApiBP", "OpenApiWeight"})
    exchange_method = "GET"

    def endpoint_for(self, which, region):
        return (self.region_host(region), _PATH)

    def persist(self, region):
        return {"region": region or self.default_region}

    def compliance_hook(self, response):
        data = json_body(response)
        if not isinstance(data, dict) or "AccessToken" not in data:
            description = data.get("ErrorDescription") if isinstance(data, dict) else None
            raise ProviderApiError(
                f"iHealth refused the sign-in: {description}." if description else None
            )
        response._content = json.dumps(
            {_FIELDS[k]: v for k, v in data.items() if k in _FIELDS} | {"token_type": "Bearer"}
        ).encode()
        return response

    def refresh(self, credentials):
        previous = TokenSet.from_credentials(credentials)
        host = self.region_host(previous.extra.get("region"))
        response = self.http.get(
            self.url(host, _PATH),
            params={
                "client_id": self.app.client_id,
                "client_secret": self.app.client_secret,
                "redirect_uri": self.redirect_uri,
                "refresh_token": previous.refresh_token,
                "response_type": "refresh_token",  # not grant_type: iHealth's own spelling
            },
        )
        return self.token_set(json.loads(self.compliance_hook(response).content), previous=previous)
