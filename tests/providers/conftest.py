import re

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


def consent(oauth_url: str, *, decision="allow", fault="", scopes=None) -> str:
    """Walk the emulator's consent page like a browser; returns where it sends us back."""
    page = requests.get(oauth_url, timeout=10)
    assert page.status_code == 200, page.text
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    offered = re.findall(r'name="scope" value="([^"]+)"', page.text)
    form = {
        "ticket": ticket,
        "decision": decision,
        "fault": fault,
        "scope": offered if scopes is None else scopes(offered),
        "account": "user_good",
    }
    answer = requests.post(oauth_url.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]
