"""Redirect URLs (issue 16, items 5, 6 and the full-width 500 of 10): a redirect_url is judged
where the browser will really go (dot segments, `%2e`, backslashes, `;` segments resolved), a
production server has no team that may redirect anywhere, and a URL no parser accepts is a
422, not a 500. Chromium itself is the witness that the URLs refused lead elsewhere and that the
URLs accepted land where they were checked."""

import pytest

from link.models import LinkToken
from teams.models import Team
from teams.services import api_key_create, end_user_create
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

ALLOWED = "https://app.example.com/callback"
# The penetration test's URLs and their relatives: each lands outside /callback in a browser.
ESCAPES = [
    "https://app.example.com/callback/%2e%2e/%2e%2e/logout",
    "https://app.example.com/callback/%2E%2E/logout",
    "https://app.example.com/callback/..\\..\\logout",
    "https://app.example.com/callback\\..\\logout",
    "https://app.example.com/callback/.%2e/logout",
    "https://app.example.com/callback/%2e./logout",
    "https://app.example.com/callback/;/../../logout",
    "https://app.example.com/callback/./../logout",
    "https://app.example.com/callback/..",
]
# Accepted, each stored as the browser will follow it.
INSIDE = {
    "https://app.example.com/callback": ALLOWED,
    "https://app.example.com/callback/./done?x=1": "https://app.example.com/callback/done?x=1",
    "https://app.example.com/callback/a/%2e%2e/b": "https://app.example.com/callback/b",
    "https://app.example.com/callback\\done": "https://app.example.com/callback/done",
    "https://app.example.com/callback/;/x/..": "https://app.example.com/callback/;/",
}
MALFORMED = [
    "https://app.example.com\uff0f@evil.example/",
    "https://app.example.com\uff0fcallback",
    "https://app.example.com/callback/\t../../logout",
    "https://app.example.com/callback/\n/../../logout",
    "https://[app.example.com/callback",
]


@pytest.fixture
def customer(db):
    team = Team.objects.create(
        name="Customer", environment="production", allowed_redirect_urls=[ALLOWED]
    )
    return ApiClient(api_key_create(team=team)[0]), end_user_create(team=team, client_user_id="u")


def _token(customer, redirect_url, **fields):
    api, user = customer
    body = {"user_id": str(user.pk), "redirect_url": redirect_url, **fields}
    return api.post_json("/v2/link/token", body)


@pytest.mark.parametrize("url", ESCAPES)
def test_dot_segments_cannot_leave_the_allowed_path(customer, url):
    answer = _token(customer, url)
    assert answer.status_code == 422, answer.content
    assert answer.json()["detail"][0]["loc"][-1] == "redirect_url"
    assert not LinkToken.objects.exists()


@pytest.mark.parametrize("url", INSIDE)
def test_urls_inside_are_stored_as_the_browser_follows_them(customer, url):
    assert _token(customer, url).status_code == 200
    assert LinkToken.objects.get().redirect_url == INSIDE[url]


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_redirect_urls_are_a_clear_422(customer, url):
    answer = _token(customer, url)
    assert answer.status_code == 422, answer.content
    assert "redirect_url" in answer.json()["detail"][0]["msg"]


@pytest.mark.parametrize("environment", ["sandbox", "production"])
def test_no_team_redirects_anywhere_on_a_production_server(settings, environment):
    settings.LINK_SANDBOX_UNRESTRICTED = False
    team = Team.objects.create(name="No list", environment=environment)
    user = end_user_create(team=team, client_user_id="u")
    answer = _token((ApiClient(api_key_create(team=team)[0]), user), "https://evil.example/x")
    assert answer.status_code == 422, answer.content
    assert not LinkToken.objects.exists()


def test_a_development_servers_sandbox_team_may_redirect_anywhere(team, end_user, api):
    assert _token((api, end_user), "https://anywhere.example/x").status_code == 200


@pytest.mark.browser
def test_chromium_agrees(customer, chromium):
    """Where Chromium's URL parser says each URL leads: every URL refused leaves /callback, and
    every URL accepted was stored as the very URL Chromium makes of it."""

    urls = ESCAPES + list(INSIDE)
    page = chromium.new_page()
    hrefs = page.evaluate("urls => urls.map(u => new URL(u).href)", urls)
    page.close()
    followed = dict(zip(urls, hrefs, strict=True))
    for url in ESCAPES:
        path = followed[url].removeprefix("https://app.example.com")
        assert not (path == "/callback" or path.startswith("/callback/")), (url, path)
    for url, stored in INSIDE.items():
        assert followed[url] == stored, url
