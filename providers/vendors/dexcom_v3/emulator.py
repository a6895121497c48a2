"""Dexcom API v3 on each regional host: the login page (`scope` must be `offline_access`), the
form token endpoint with the credentials in the body and `redirect_uri` at the exchange, and
`/v3/users/self/dataRange`, whose `userId` is per account and per client app."""

import uuid

from django.http import JsonResponse
from django.urls import path

from ...sandbox.base import OAuthEmulator, exempt
from .adapter import DexcomV3Adapter


def dexcom_user_id(account: str, client_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"dexcom:{client_id}:{account}"))


class DexcomV3Emulator(OAuthEmulator):
    vendor = DexcomV3Adapter
    pkce = "none"
    access_ttl = 7200

    def _check_authorize(self, query):
        if query.get("scope") != "offline_access":
            return "scope must be offline_access"
        return super()._check_authorize(query)

    def data_range(self, request):
        access = self.bearer_claims(request)
        if access is None:
            return JsonResponse({"error": "unauthorized"}, status=401)
        day = {"systemTime": "2026-11-01T00:00:00", "displayTime": "2026-11-01T01:00:00"}
        return JsonResponse(
            {
                "recordType": "dataRange",
                "recordVersion": "3.0",
                "userId": dexcom_user_id(access["account"], access["client_id"]),
                "egvs": {"start": day, "end": day},
            }
        )

    def hosts(self):
        return {
            base: [
                path("v2/oauth2/login", exempt(self.authorize)),
                path("v2/oauth2/token", exempt(self.token)),
                path("v3/users/self/dataRange", exempt(self.data_range)),
            ]
            for base in DexcomV3Adapter.hosts.values()
        }
