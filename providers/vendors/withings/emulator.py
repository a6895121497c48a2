"""Withings' OAuth server: `action=requesttoken`, comma scopes, a 30-second code, always HTTP
200 with a `{status, body}` envelope (non-zero status = error), and signed revocation."""

import hashlib
import hmac
import json
import secrets

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, client_secret_for, exempt, grant_revoke, numeric_id
from .adapter import WithingsAdapter

_INVALID_PARAMS = 503
_AUTH_FAILED = 100


class WithingsEmulator(OAuthEmulator):
    vendor = WithingsAdapter
    scope_separator = ","
    pkce = "none"
    code_ttl = 30
    access_ttl = 10800

    def oauth2(self, request):
        action = request.POST.get("action")
        if action == "requesttoken":
            return self.token(request)
        if action == "revoke":
            answer = self._signed_answer(request, {"nonce", "userid"})
            if json.loads(answer.content)["status"] == 0:
                grant_revoke(request.POST["client_id"], request.POST.get("userid", ""))
            return answer
        return _envelope(_INVALID_PARAMS, error="Invalid Params: unknown action")

    def signature(self, request):
        if request.POST.get("action") != "getnonce":
            return _envelope(_INVALID_PARAMS, error="Invalid Params: unknown action")
        return self._signed_answer(request, {"timestamp"}, {"nonce": secrets.token_hex(16)})

    def token_response(self, tokens, grant):
        return _envelope(0, userid=str(numeric_id(grant.account)), **tokens)

    def refusal_response(self, refusal):
        status = _AUTH_FAILED if refusal.error == "invalid_client" else _INVALID_PARAMS
        return _envelope(status, error=f"Invalid Params: {refusal.description}")

    def _signed_answer(self, request, fields: set[str], body: dict | None = None):
        params = {k: request.POST.get(k, "") for k in ("action", "client_id", *fields)}
        signed = {k: v for k, v in params.items() if k != "userid"}
        message = ",".join(signed[k] for k in sorted(signed))
        secret = client_secret_for(params["client_id"])
        expected = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.POST.get("signature", "")):
            return _envelope(_AUTH_FAILED, error="Invalid signature")
        return _envelope(0, **(body or {}))

    def hosts(self):
        account, api = WithingsAdapter.hosts["account"], WithingsAdapter.hosts["api"]
        return {
            account: [path("oauth2_user/authorize2", exempt(self.authorize))],
            api: [
                path("v2/oauth2", exempt(self.oauth2)),
                path("v2/signature", exempt(self.signature)),
            ],
        }


def _envelope(status: int, error: str = "", **body) -> JsonResponse:
    data = {"status": status, "body": body}
    if error:
        data["error"] = error
    return JsonResponse(data)
