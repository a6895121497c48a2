"""Each vendor's quirks, pinned against recorded-shape answers (URL-matched `responses`)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from providers.base import AppCredentials
from providers.errors import (
    InvalidCredentials,
    ProviderApiError,
    ProviderRetired,
    RefreshRejected,
    UnsupportedRegion,
)
from providers.registry import ADAPTERS

APP = AppCredentials("cid", "csecret")
SCOPES = " ".join(ADAPTERS["google_health"].scopes)


def adapter(slug):
    cls = ADAPTERS[slug]
    return cls(base_urls=dict(cls.hosts), app=APP, redirect_uri="https://link.test/cb")


def authorize_query(slug, region=None):
    url = adapter(slug).authorization_url(state="s" * 20, code_challenge="c" * 43, region=region)
    return urlsplit(url), parse_qs(urlsplit(url).query)


def test_strava_scopes_are_comma_separated():
    _, query = authorize_query("strava")
    assert query["scope"] == ["read,activity:read_all,profile:read_all"]
    assert query["approval_prompt"] == ["auto"] and "code_challenge" not in query


def test_garmin_sends_no_scope_but_requires_pkce():
    url, query = authorize_query("garmin")
    assert url.netloc == "connect.garmin.com" and "scope" not in query
    assert query["code_challenge_method"] == ["S256"]


def test_ihealth_uses_apiname_and_regional_hosts():
    url, query = authorize_query("ihealth", region="eu")
    assert url.netloc == "oauthuser.ihealthlabs.eu" and "OpenApiBP" in query["APIName"][0]
    assert authorize_query("ihealth", region="us")[0].netloc == "api.ihealthlabs.com:8443"
    with pytest.raises(UnsupportedRegion):
        authorize_query("ihealth", region="jp")


@responses.activate
def test_ihealth_token_is_a_get_with_pascal_case_answer():
    responses.get(
        "https://api.ihealthlabs.com:8443/OpenApiV2/OAuthv2/userauthorization/",
        json={
            "AccessToken": "a",
            "RefreshToken": "r",
            "Expires": 3600,
            "UserId": "u1",
            "APIName": "OpenApiBP OpenApiWeight",
        },
    )
    connected = adapter("ihealth").finish(params={"code": "c"}, code_verifier=None, region="us")
    assert connected.external_user_id == "u1" and connected.tokens.refresh_token == "r"
    sent = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert sent["client_secret"] == ["csecret"] and sent["grant_type"] == ["authorization_code"]


@responses.activate
def test_withings_nonzero_status_is_an_error_despite_http_200():
    responses.post("https://wbsapi.withings.net/v2/oauth2", json={"status": 2555, "body": {}})
    with pytest.raises(ProviderApiError, match="status 2555"):
        adapter("withings").finish(params={"code": "c"}, code_verifier=None, region=None)
    assert "action=requesttoken" in responses.calls[0].request.body


@responses.activate
def test_withings_invalid_params_is_a_spent_grant():
    refused = {"status": 503, "body": {}, "error": "Invalid Params: invalid refresh_token"}
    responses.post("https://wbsapi.withings.net/v2/oauth2", json=refused)
    with pytest.raises(ProviderApiError, match="expired or was already used"):
        adapter("withings").finish(params={"code": "c"}, code_verifier=None, region=None)
    with pytest.raises(RefreshRejected):
        adapter("withings").refresh({"access_token": "a", "refresh_token": "r"})


@responses.activate
def test_google_health_sends_pkce_and_keeps_the_fitbit_id():
    responses.post(
        "https://oauth2.googleapis.com/token",
        json={"access_token": "a", "refresh_token": "r", "expires_in": 3599, "scope": SCOPES},
    )
    identity = {"name": "users/me/identity", "legacyUserId": "ABC123", "healthUserId": "h-1"}
    responses.get("https://health.googleapis.com/v4/users/me/identity", json=identity)
    connected = adapter("google_health").finish(
        params={"code": "c"}, code_verifier="v" * 43, region=None
    )
    assert "code_verifier=" in responses.calls[0].request.body
    assert connected.external_user_id == "h-1"
    assert connected.tokens.extra == {"legacy_user_id": "ABC123"}


@responses.activate
def test_a_vendor_that_is_gone_says_so_and_names_the_successor():
    responses.post("https://api.fitbit.com/oauth2/token", body="Gone", status=410)
    with pytest.raises(ProviderRetired, match="Connect Google Health") as gone:
        adapter("fitbit").refresh({"access_token": "a", "refresh_token": "r"})
    assert gone.value.error_type == "deregistered_per_provider"


@responses.activate
def test_dexcom_all_zero_session_is_bad_credentials():
    base = "https://shareous1.dexcom.com/ShareWebServices/Services/General"
    responses.post(f"{base}/AuthenticatePublisherAccount", json="1" * 36)
    responses.post(f"{base}/LoginPublisherAccountById", json="00000000-0000-0000-0000-000000000000")
    with pytest.raises(InvalidCredentials):
        adapter("dexcom").login(username="u", password="p", region="de")


@responses.activate
def test_dexcom_error_codes_come_with_http_500():
    base = "https://share2.dexcom.com/ShareWebServices/Services/General"
    responses.post(
        f"{base}/AuthenticatePublisherAccount",
        json={"Code": "AccountPasswordInvalid", "Message": "no"},
        status=500,
    )
    with pytest.raises(InvalidCredentials):
        adapter("dexcom").login(username="u", password="p", region="us")
