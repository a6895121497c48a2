"""Dexcom's official API v3: OAuth 2 on three regional hosts (US, Japan, and Europe for the rest
of the world, as Dexcom Share's servers split it), the one scope
`offline_access`, the client credentials in the form body and `redirect_uri` required at the
exchange. There is no account endpoint: every data answer carries `userId`, unique per Dexcom
account and per client app, so the id is read from `/v3/users/self/dataRange`."""

from ...base import Status
from ...oauth2 import OAuth2Adapter
from ..dexcom.adapter import OUTSIDE_US

_PATHS = {"authorize": "/v2/oauth2/login", "token": "/v2/oauth2/token"}


class DexcomV3Adapter(OAuth2Adapter):
    slug = "dexcom_v3"
    vital_id = 20  # ours: Vital's numeric id for this source is not published
    name = "Dexcom"
    description = "Continuous glucose readings from Dexcom G6, G7 and ONE sensors."
    status = Status.BETA
    docs_url = "https://developer.dexcom.com/docs/dexcomv3/endpoint-overview"
    checked_on = "2026-12-01"
    sources = (
        "https://developer.dexcom.com/docs/dexcomv3/endpoint-overview",
        "https://developer.dexcom.com/docs/dexcomv3/operation/getEstimatedGlucoseValuesV3",
        "https://developer.dexcom.com/docs/dexcom/authentication",
        "https://github.com/api-evangelist/dexcom",
        # Its egvs collection: startDate/endDate in system time, 30 days apart at most.
        "https://github.com/api-evangelist/dexcom/blob/main/collections/"
        "dexcom-estimated-glucose-values-api.opencollection.json",
        # 60,000 calls per app per hour, then 429 (the v2 overview; v3's was not read in full).
        "https://developer.dexcom.com/docs/dexcomv2/endpoint-overview",
        # Dexcom's data reaches the API about an hour late.
        "https://validic.atlassian.net/wiki/pages/diffpagesbyversion.action"
        "?originalVersion=11&pageId=3927703592&revisedVersion=14",
    )
    note = (
        "Dexcom's official API; its data is retrospective (delayed), unlike Dexcom Share. The "
        "account id is per app, so it differs from other apps' ids for the same user. Not "
        "verified: whether refresh tokens rotate, PKCE, error bodies, reading the id from "
        "dataRange (each data answer carries it), the order of egvs records, the exact form of "
        "the UTC offsets on app-sourced times, and whether `value` is ever in mmol/L (it is an "
        "integer, so Link reads mg/dL and converts; mmol/L is taken as it comes)."
    )
    supported_resources = ("glucose",)
    hosts = {
        "us": "https://api.dexcom.com",
        "eu": "https://api.dexcom.eu",
        "jp": "https://api.dexcom.jp",
    }
    regions = {"us": "us", "jp": "jp"} | dict.fromkeys(OUTSIDE_US, "eu")
    default_region = "us"
    scopes = ("offline_access",)
    # Per connection, the servers of the region it signed in to: /v3/users/self/….
    api_base = ("us", "")

    def endpoint_for(self, which, region):
        return (self.region_host(region), _PATHS[which])

    def api_url(self, credentials):
        return self.url(self.region_host(self.region_of(credentials)), "")

    def persist(self, region):
        return {"region": region or self.default_region}

    def identity(self, token, tokens):
        host = self.region_host(tokens.extra.get("region"))
        return str(self.profile(host, "/v3/users/self/dataRange", tokens)["userId"])
