"""`POST /oauth/token`: OAuth 2 client credentials (RFC 6749 §4.4) for the original Link
clients, which authenticate with a client id (the team id) and a secret (an API key). They ask
through Auth0's client libraries, with an `audience` naming Vital's API: any is accepted, since
the token is only ever for this server."""

import base64
import binascii
import json

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from teams.keys_in_use import api_key_used
from teams.services import api_key_authenticate

from .auth import bearer_token_issue


def _error(code: str, description: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": code, "error_description": description}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="link"'
    return response


def _client_credentials(request) -> tuple[dict, str, str]:
    if request.content_type == "application/json":
        try:
            params = json.loads(request.body or b"{}")
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read
            params = None
        if not isinstance(params, dict):
            raise ValueError("The body is not a JSON object.")
    else:
        params = request.POST.dict()
    client_id, secret = params.get("client_id", ""), params.get("client_secret", "")
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError("The Basic authorization header is malformed.") from None
    return params, str(client_id), str(secret)


@csrf_exempt
@require_POST
def token_view(request):
    try:
        params, client_id, secret = _client_credentials(request)
    except ValueError as exc:
        return _error("invalid_request", str(exc))
    if params.get("grant_type") != "client_credentials":
        return _error("unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    api_key = api_key_authenticate(key=secret)
    if api_key is None or str(api_key.team_id) != client_id:
        return _error("invalid_client", "Unknown client_id or wrong client_secret.", status=401)
    api_key_used(api_key)
    return JsonResponse(
        {
            "access_token": bearer_token_issue(api_key=api_key),
            "token_type": "Bearer",
            "expires_in": settings.API_BEARER_TTL_SECONDS,
        },
        headers={"Cache-Control": "no-store"},
    )
