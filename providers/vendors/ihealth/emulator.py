"""iHealth's OAuth server: one URL for the consent page and the token (a GET with the client
secret in the query), `APIName` for scopes, PascalCase answers, `response_type=refresh_token`
to refresh, errors as `{Error, ErrorCode, ErrorDescription}`; US and EU hosts."""

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, exempt, numeric_id
from .adapter import IHealthAdapter

_PATH = "OpenApiV2/OAuthv2/userauthorization/"


class IHealthEmulator(OAuthEmulator):
    vendor = IHealthAdapter
    scope_param = "APIName"
    pkce = "none"

    def dispatch(self, request):
        if request.method == "GET" and "client_secret" in request.GET:
            return self.token(request)
        return self.authorize(request)

    def grant_type(self, params):
        if params.get("response_type") == "refresh_token":
            return "refresh_token"
        return params.get("grant_type", "")

    def token_response(self, tokens, grant):
        return JsonResponse(
            {
                "AccessToken": tokens["access_token"],
                "RefreshToken": tokens["refresh_token"],
                "Expires": tokens["expires_in"],
                "UserID": str(numeric_id(grant.account)),
                "APIName": tokens["scope"],
                "client_para": "",
            }
        )

    def refusal_response(self, refusal):
        return JsonResponse(
            {"Error": refusal.error, "ErrorCode": 4001, "ErrorDescription": refusal.description},
            status=400,
        )

    def hosts(self):
        # Authorize and token share one URL on the sign-in hosts (the EU API host has no OAuth).
        return {
            IHealthAdapter.hosts[host]: [path(_PATH, exempt(self.dispatch))]
            for host in sorted(set(IHealthAdapter.regions.values()))
        }
