import os

import pytest


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
