import os

import pytest
from playwright.sync_api import sync_playwright

from .browser import launch_options


@pytest.fixture
def make_token(api, end_user):
    """A link token (plaintext) for `end_user` with the given link token fields."""

    def make(**fields) -> str:
        response = api.post_json("/v2/link/token", {"user_id": str(end_user.user_id), **fields})
        assert response.status_code == 200, response.content
        return response.json()["link_token"]

    return make


# The widget on 127.0.0.1; browser tests embed it from 127.0.0.2, another site.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright):
    browser = playwright.chromium.launch(**launch_options())
    yield browser
    browser.close()
