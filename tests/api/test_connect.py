"""The connect endpoints' error shapes and edges, without a live server (no vendor is called)."""

import pytest

from connections.models import Connection
from link.results import ConnectResult, result_redirect_url
from link.services import link_token_find
from providers.availability import NotOffered, provider_availability
from teams.models import ProviderApp

pytestmark = pytest.mark.django_db


def _post(api, path, token, body):
    return api.post_json(path, body, headers={"x-vital-link-token": token})


def test_wrong_auth_type_is_invalid_provider_with_flow_fields(api, link_token):
    response = _post(
        api, "/v2/link/provider/password/oura", link_token, {"username": "a", "password": "b"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]["error_type"] == "INVALID_PROVIDER"
    assert body["state"] == "error" and body["provider"] == "oura"
    assert body["connected"] is False and body["provider_id"] is None


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [(None, 400, "MISSING_LINK_TOKEN"), ("nope", 401, "INVALID_REQUEST")],
)
def test_token_problems(api, token, status, code):
    headers = {"x-vital-link-token": token} if token else {}
    response = api.post_json(
        "/v2/link/provider/password/zwift", {"username": "a", "password": "b"}, headers=headers
    )
    assert response.status_code == status
    assert response.json()["detail"]["error_type"] == code
    assert response.json()["error_type"] == "invalid_token"


def test_mfa_without_a_pending_login(api, link_token):
    response = _post(
        api, "/v2/link/provider/password/zwift/complete_mfa", link_token, {"mfa_code": "1"}
    )
    assert response.status_code == 200
    assert response.json()["error_type"] == "incorrect_mfa_code"


def test_email_endpoint_with_a_password_provider_is_invalid_provider(api, link_token):
    response = _post(api, "/v2/link/provider/email/zwift", link_token, {"email": "a@b.co"})
    assert response.status_code == 400
    assert response.json()["detail"]["error_type"] == "INVALID_PROVIDER"


def test_callback_with_unknown_state_renders_a_page(client):
    response = client.get("/v2/link/connect/oura?state=forged&code=x")
    assert response.status_code == 200
    assert b"not valid" in response.content
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_oauth_url_is_our_start_page_then_state_and_pkce(api, link_token, settings):
    settings.LINK_SANDBOX_BASE_URL = "https://sandbox.example"
    response = api.get(
        "/v2/link/provider/oauth/google_health", headers={"x-vital-link-token": link_token}
    )
    assert response.status_code == 200
    url = response.json()["oauth_url"]
    assert url.startswith(f"{settings.LINK_PUBLIC_URL}/v2/link/connect/google_health/open?state=")
    link_token_row = link_token_find(link_token)
    assert link_token_row.oauth_states.count() == 1
    assert link_token_row.events.filter(kind="oauth_started").exists()
    vendor = api.post(url.removeprefix(settings.LINK_PUBLIC_URL))["Location"]
    assert vendor.startswith(
        "https://sandbox.example/sandbox/accounts.google.com/o/oauth2/v2/auth?"
    )
    assert "code_challenge_method=S256" in vendor and "state=" in vendor


def test_result_redirect_url_merges_query():
    token = type("T", (), {"redirect_url": "myapp://cb?state=keep&x=1"})()
    result = ConnectResult.failed("oura", "user_cancelled", "No")
    url = result_redirect_url(link_token=token, result=result)
    assert url == "myapp://cb?x=1&state=error&provider=oura&error_type=user_cancelled&error=No"


def test_demo_connection_is_for_sandbox_teams(api, other_api, end_user):
    body = {"user_id": str(end_user.user_id), "provider": "oura"}
    response = api.post_json("/v2/link/connect/demo", body)
    assert response.status_code == 200 and response.json()["success"] is True
    assert Connection.objects.get(user=end_user).provider == "oura"
    assert api.post_json("/v2/link/connect/demo", body).status_code == 200  # idempotent
    assert Connection.objects.filter(user=end_user).count() == 1
    assert other_api.post_json("/v2/link/connect/demo", body).status_code == 400


def test_production_oauth_needs_an_app(other_team, settings):
    settings.LINK_OAUTH_APPS = {"oura": {"client_id": "", "client_secret": ""}}
    assert provider_availability(team=other_team)["oura"] == NotOffered.NO_APP
    # A live password vendor needs no app.
    assert provider_availability(team=other_team)["dexcom"] is None
    ProviderApp.objects.create(
        team=other_team, provider="oura", client_id="id", client_secret="secret"
    )
    assert provider_availability(team=other_team)["oura"] is None
