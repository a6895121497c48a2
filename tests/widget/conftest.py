import os

import pytest
from django.test import Client

from tests.providers.conftest import live_user, new_link_token, sandbox  # noqa: F401

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
