"""The penetration test's 500s, each now a clear 4xx (issue 16, item 10). A redirect_url with a
full-width solidus is in test_redirects, a link code's expiry in year 9999 at -23:00 in
test_console_secrets, and every operation's nested and oversized input in test_fuzz."""

import base64

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

NESTED_WITH_NUL = '{"a":' * 5_000 + '"\\u0000"' + "}" * 5_000


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_nested_json_with_a_nul(client, api):
    answer = client.post(
        "/v2/user",
        NESTED_WITH_NUL,
        content_type="application/json",
        headers={"X-Vital-API-Key": api.key},
    )
    assert answer.status_code == 400


@pytest.mark.parametrize("basic", [False, True])
def test_nested_json_to_the_token_endpoint(client, team, api, basic):
    headers = {}
    if basic:
        headers["Authorization"] = (
            "Basic " + base64.b64encode(f"{team.pk}:{api.key}".encode()).decode()
        )
    answer = client.post(
        "/oauth/token",
        "[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize("offset", [2**63, 2**64, 10**30])
def test_an_offset_past_64_bits(client, api, offset):
    answer = client.get("/v2/user", {"offset": offset}, headers={"X-Vital-API-Key": api.key})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "offset"]


def test_the_largest_offset_is_an_empty_page(api):
    assert api.get("/v2/user", {"offset": 2**63 - 1}).json()["users"] == []


@pytest.fixture
def sandbox_off(settings, link_token):
    """A production server (no sandbox) where a sandbox team's link token is in use."""
    settings.LINK_SANDBOX_ENABLED = False
    return {"x-vital-link-token": link_token}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v2/link/provider/password/zwift", {"username": "u", "password": "p"}),
        ("post", "/v2/link/provider/email/freestyle_libre", {"email": "a@example.com"}),
        ("get", "/v2/link/provider/oauth/google_health", None),
    ],
)
def test_a_sandbox_teams_connect_on_a_server_without_the_sandbox(
    client, sandbox_off, method, path, body
):
    send = getattr(client, method)
    if body is None:
        answer = send(path, headers=sandbox_off)
    else:
        answer = send(path, body, content_type="application/json", headers=sandbox_off)
    assert answer.status_code == 400
    assert answer.json()["detail"]["error_type"] == "INVALID_PROVIDER"
    assert "sandbox" in answer.json()["detail"]["error_message"]


def test_the_widget_shows_its_error_page(client, sandbox_off):
    token = sandbox_off["x-vital-link-token"]
    form = {"token": token, "username": "u", "password": "p"}
    page = client.post("/link/provider/zwift", form, follow=True)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0].endswith("error_type=invalid_provider")
