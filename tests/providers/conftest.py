import pytest
import requests

from teams.services import api_key_create, end_user_create


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
