"""Peloton: the web app's Auth0 login in steps (CSRF cookie, JSON login, hidden form, code,
PKCE token exchange), because the old /auth/login is gone and the password grant is refused."""

from urllib.parse import urlsplit

import pytest
import requests

from providers.errors import ProviderApiError
from providers.registry import provider_adapter
from providers.vendors.peloton import adapter as peloton

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_steps_in_order(sandbox, team):
    adapter = provider_adapter("peloton", team=team)
    seen = []
    adapter.http.hooks["response"].append(
        lambda r, *args, **kwargs: seen.append(
            (r.request.method, urlsplit(r.url).path.removeprefix("/sandbox/"), r.status_code)
        )
    )
    connected = adapter.login(username="user_good", password="pass_good", region=None)
    assert seen == [
        ("GET", "auth.onepeloton.com/authorize", 302),
        ("GET", "auth.onepeloton.com/login", 200),
        ("POST", "auth.onepeloton.com/usernamepassword/login", 200),
        ("POST", "auth.onepeloton.com/login/callback", 302),
        ("GET", "auth.onepeloton.com/authorize/resume", 302),
        ("POST", "auth.onepeloton.com/oauth/token", 200),
        ("GET", "api.onepeloton.com/api/me", 200),
    ]
    assert connected.external_user_id and connected.tokens.refresh_token
    assert adapter.http.cookies.get("_csrf")  # the CSRF cookie scoped to the login path
    assert adapter.refresh(connected.tokens.as_credentials()).access_token


def test_the_password_grant_is_refused_as_at_peloton(sandbox):
    answer = requests.post(
        f"{sandbox.url}/sandbox/auth.onepeloton.com/oauth/token",
        json={"grant_type": "password", "client_id": peloton.CLIENT_ID, "username": "user_good"},
        timeout=10,
    )
    assert answer.status_code == 403
    assert answer.json()["error_description"] == "Grant type 'password' not allowed for the client."


def test_a_form_encoded_refresh_is_taken_as_auth0_takes_it(sandbox, team):
    connected = provider_adapter("peloton", team=team).login(
        username="user_good", password="pass_good", region=None
    )
    form = {
        "grant_type": "refresh_token",
        "client_id": peloton.CLIENT_ID,
        "refresh_token": connected.tokens.refresh_token,
    }
    answer = requests.post(
        f"{sandbox.url}/sandbox/auth.onepeloton.com/oauth/token", data=form, timeout=10
    )
    assert answer.status_code == 200 and answer.json()["access_token"]


def test_a_hidden_form_pointing_elsewhere_is_not_followed(sandbox, team):
    adapter = provider_adapter("peloton", team=team)
    page = '<form action="https://evil.example/login/callback"><input type="hidden" name="a">'
    with pytest.raises(ProviderApiError):
        adapter._post_hidden_form(page)
