import http.client
import json
from urllib.parse import urlsplit

import pytest
import requests

from connections.models import Connection
from teams.models import ApiKey
from teams.services import api_key_create
from tests.sandbox import Browser, consent

ALL_SCOPES = [ApiKey.Scope.LINK, ApiKey.Scope.CREDENTIALS_READ, ApiKey.Scope.PROXY]


class Link:
    """Link's API over real HTTP, as a team's pipeline calls it, with one API key."""

    def __init__(self, base: str, key: str):
        self.base, self.key = base, key

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"X-Vital-API-Key": self.key, **kwargs.pop("headers", {})}
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def credentials(self, user, provider: str) -> requests.Response:
        return self.call("GET", f"/v2/connections/{user.user_id}/{provider}/credentials")

    def proxy(self, user, provider: str, path: str, method="GET", **kwargs) -> requests.Response:
        return self.call(method, f"/v2/proxy/{user.user_id}/{provider}/{path}", **kwargs)

    def bearer_token(self, team) -> str:
        """A bearer token for the key, from Link's `POST /oauth/token`."""
        answer = requests.post(
            f"{self.base}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": team.pk,
                "client_secret": self.key,
            },
            timeout=10,
        )
        return answer.json()["access_token"]

    def raw_get(self, path: str) -> tuple[int, dict]:
        """GET `path` exactly as written (no client tidies its dot segments or escapes)."""
        server = http.client.HTTPConnection(urlsplit(self.base).netloc, timeout=30)
        try:
            server.putrequest("GET", path, skip_accept_encoding=True)
            server.putheader("X-Vital-API-Key", self.key)
            server.endheaders()
            response = server.getresponse()
            return response.status, json.loads(response.read())
        finally:
            server.close()

    def connect(self, user, provider: str) -> Connection:
        """Connect `user` in the sandbox through the API (OAuth consent, or a password)."""
        token = self.call("POST", "/v2/link/token", json={"user_id": str(user.user_id)})
        headers = {"x-vital-link-token": token.json()["link_token"]}
        oauth = self.call("GET", f"/v2/link/provider/oauth/{provider}", headers=headers)
        if oauth.status_code == 200:
            browser = Browser()
            back = browser.get(consent(oauth.json()["oauth_url"], browser=browser), timeout=30)
            assert back.status_code < 400, back.text
        else:
            answer = self.call(
                "POST",
                f"/v2/link/provider/password/{provider}",
                headers=headers,
                json={"username": "user_good", "password": "pass_good"},
            )
            assert answer.json()["success"], answer.text
        return Connection.objects.get(user=user, provider=provider, status="connected")


@pytest.fixture
def link(sandbox, team):
    """The team's pipeline, with a key granted every scope."""
    return Link(sandbox.url, api_key_create(team=team, scopes=ALL_SCOPES)[0])


@pytest.fixture
def link_key_only(sandbox, team):
    """The same team with a key that has only the default scope."""
    return Link(sandbox.url, api_key_create(team=team)[0])
