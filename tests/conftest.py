import time

import pytest
import requests
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import sync_playwright

from teams.models import Team
from teams.services import api_key_create, end_user_create
from tests.lifecycle.receiver import Receiver
from webhooks.services import webhook_endpoint_upsert

HTMX = {"HX-Request": "true"}


class WidgetClient(Client):
    """A browser without JavaScript (or, with `htmx=True`, htmx's requests) on the widget."""

    def step(self, path, token, *, htmx=False, **params):
        return self.get(path, {"token": token, **params}, headers=HTMX if htmx else {})

    def submit(self, path, token, *, htmx=False, **data):
        return self.post(path, {"token": token, **data}, headers=HTMX if htmx else {})


@pytest.fixture
def widget():
    return WidgetClient()


class ApiClient(Client):
    """A test client that sends a team's API key, as the Vital SDK does."""

    def __init__(self, key: str, **kwargs):
        super().__init__(headers={"X-Vital-API-Key": key}, **kwargs)
        self.key = key

    def post_json(self, path, data=None, **kwargs):
        return self.post(path, data or {}, content_type="application/json", **kwargs)

    def patch_json(self, path, data=None, **kwargs):
        return self.patch(path, data or {}, content_type="application/json", **kwargs)


@pytest.fixture
def team(db):
    return Team.objects.create(name="Acme Health", environment="sandbox")


@pytest.fixture
def other_team(db):
    return Team.objects.create(name="Other Co", environment="production", region="eu")


@pytest.fixture
def api(team):
    return ApiClient(api_key_create(team=team)[0])


@pytest.fixture
def other_api(other_team):
    return ApiClient(api_key_create(team=other_team)[0])


@pytest.fixture
def end_user(team):
    return end_user_create(team=team, client_user_id="alice")


@pytest.fixture
def link_token(api, end_user):
    """A fresh link token (the plaintext) for `end_user`."""
    response = api.post_json("/v2/link/token", {"user_id": str(end_user.user_id)})
    assert response.status_code == 200, response.content
    return response.json()["link_token"]


@pytest.fixture
def sandbox(live_server, settings):
    """Adapters and OAuth redirects point at the live server, which serves the emulators."""
    settings.LINK_PUBLIC_URL = live_server.url
    settings.LINK_SANDBOX_BASE_URL = live_server.url
    settings.LINK_SANDBOX_ENABLED = True
    return live_server


@pytest.fixture
def live_user(team):
    return end_user_create(team=team, client_user_id="live-alice")


@pytest.fixture
def new_link_token(sandbox, team, live_user):
    """Make a fresh link token (plaintext) for `live_user`, with optional redirect_url."""
    key, _ = api_key_create(team=team)

    def make(**fields) -> str:
        response = requests.post(
            f"{sandbox.url}/v2/link/token",
            json={"user_id": str(live_user.user_id), **fields},
            headers={"x-vital-api-key": key},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()["link_token"]

    return make


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the run: sync Playwright refuses to start while another is open."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright):
    """One Chromium for the run (Debian's, see tests/widget/browser.py)."""
    from tests.widget.browser import launch_options

    browser = playwright.chromium.launch(**launch_options())
    yield browser
    browser.close()


@pytest.fixture
def fresh_rate_counters():
    """Empty rate-limit counters, and a burst that starts at least ten seconds before a
    one-minute window closes: the limiter counts in windows aligned to the clock, and a burst
    split across two would be counted twice from zero."""
    if (left := 60 - time.time() % 60) < 10:
        time.sleep(left)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def receiver():
    """A real HTTP endpoint that records the webhooks it is sent."""
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def endpoint(team, receiver):
    """The team's webhook endpoint, at `receiver`."""
    return webhook_endpoint_upsert(team=team, url=receiver.url)
