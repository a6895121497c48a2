"""Withings: the token endpoint takes `action=requesttoken` and always answers HTTP 200 with a
`{status, body}` envelope (status 0 is success); scopes are comma-separated; the code lives 30
seconds; revocation must be signed (a nonce, then an HMAC-SHA256 of the sorted values)."""

import hashlib
import hmac
import json
import time
from dataclasses import replace

from ...base import Status
from ...errors import ProviderApiError, ProviderUnavailable
from ...http import json_body, json_or_none
from ...oauth2 import OAuth2Adapter

_INVALID_PARAMS = 503  # Withings' status for any parameter it refuses, tokens included
_RATE_LIMITED = 601
_INVALID_TOKEN = 401  # in the envelope of an HTTP 200


class WithingsAdapter(OAuth2Adapter):
    slug = "withings"
    vital_id = 7
    name = "Withings"
    description = "Weight, body composition, sleep and activity from Withings."
    status = Status.LIVE
    docs_url = (
        "https://developer.withings.com/developer-guide/v3/integration-guide/"
        "public-health-data-api/get-access/access-and-refresh-tokens-no-recover"
    )
    checked_on = "2026-12-01"
    sources = (
        "https://developer.withings.com/developer-guide/v3/integration-guide/public-health-data-api/get-access/access-and-refresh-tokens-no-recover",
        "https://github.com/vangorra/python_withings_api",
        "https://github.com/api-evangelist/withings",
        "https://developer.withings.com/api-reference#operation/measure-getmeas",
        "https://developer.withings.com/developer-guide/v3/integration-guide/bulkship-sdk/data-api/notifications/notification-content",
        "https://developer.withings.com/developer-guide/v3/integration-guide/bulkship-sdk/data-api/notifications/notification-subscribe",
    )
    supported_resources = (
        "body",
        "weight",
        "fat",
        "sleep",
        "activity",
        "heartrate",
        "blood_pressure",
    )
    hosts = {"account": "https://account.withings.com", "api": "https://wbsapi.withings.net"}
    authorize_endpoint = ("account", "/oauth2_user/authorize2")
    token_endpoint = ("api", "/v2/oauth2")
    scopes = ("user.info", "user.metrics", "user.activity", "user.sleepevents")
    required_scopes = frozenset({"user.metrics"})
    scope_separator = ","
    token_params = {"action": "requesttoken"}
    api_base = ("api", "")  # /measure?action=getmeas, /v2/sleep, …: Bearer, in the envelope

    def api_rejected(self, response):
        envelope = json_or_none(response)
        return isinstance(envelope, dict) and envelope.get("status") == _INVALID_TOKEN

    def compliance_hook(self, response):
        envelope = json_body(response)
        if isinstance(envelope, dict) and envelope.get("status") == _INVALID_PARAMS:
            # A bad, expired or spent code or refresh token: RFC 6749's invalid_grant.
            body = {"error": "invalid_grant", "error_description": envelope.get("error", "")}
        else:
            body = self._unwrap(response)
        response._content = json.dumps(body).encode()
        return response

    def identity(self, token, tokens):
        return str(token["userid"])

    def revoke(self, credentials):
        nonce = self._unwrap(
            self.http.post(
                self.url("api", "/v2/signature"),
                data=self._signed("getnonce", timestamp=str(int(time.time()))),
            )
        )["nonce"]
        self._unwrap(
            self.http.post(
                self.url("api", "/v2/oauth2"),
                data={
                    **self._signed("revoke", nonce=nonce),
                    "userid": credentials["extra"]["userid"],
                },
            )
        )

    def token_set(self, token, *, previous):
        tokens = super().token_set(token, previous=previous)
        if "userid" in token:  # revocation needs it
            return replace(tokens, extra={"userid": str(token["userid"])})
        return tokens

    def _signed(self, action: str, **values: str) -> dict[str, str]:
        params = {"action": action, "client_id": self.app.client_id, **values}
        message = ",".join(params[k] for k in sorted(params))
        digest = hmac.new(self.app.client_secret.encode(), message.encode(), hashlib.sha256)
        return {**params, "signature": digest.hexdigest()}

    @staticmethod
    def _unwrap(response) -> dict:
        envelope = json_body(response)
        if not isinstance(envelope, dict) or "status" not in envelope:
            raise ProviderApiError()
        if envelope["status"] == _RATE_LIMITED:
            raise ProviderUnavailable("Withings is receiving too many requests; try again soon.")
        if envelope["status"] != 0:
            raise ProviderApiError(
                f"Withings refused the request (status {envelope['status']}). Please start again."
            )
        return envelope.get("body") or {}
