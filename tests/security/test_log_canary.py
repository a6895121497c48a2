"""No secret in any log at any level (issue 16, item 3). A production server and its task
worker, both at DJANGO_LOG_LEVEL=DEBUG, go through an OAuth sign-in with PKCE and Basic client
authentication (Google Health), a password flow with a rejected canary password and MFA, a bearer
token from Basic credentials, webhooks and a token refresh. Afterwards none of the secrets they
handled is anywhere in their output: our OAuth client secret, the code, the code_verifier, the
tokens the vendor issued (before and after the refresh), a password, the API key, the bearer
token, a link token, the webhook secret."""

import base64
import secrets
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from connections.models import Connection
from link.models import OAuthState
from providers.sandbox.base import sandbox_client
from teams.services import api_key_create
from tests.lifecycle.receiver import Receiver
from tests.processes import SECRETS, database_url, free_port, gunicorns, manage, production_env
from tests.sandbox import Browser, consent
from webhooks.services import webhook_endpoint_upsert

pytestmark = pytest.mark.django_db(transaction=True)

CANARY_PASSWORD = f"Canary-{secrets.token_hex(12)}"


@pytest.fixture
def server(settings, tmp_path):
    """A production gunicorn logging at DEBUG to a file, serving the sandbox vendors too."""
    # This process seals and signs as the server does, so that it can read what was stored.
    settings.SECRET_KEY = SECRETS["DJANGO_SECRET_KEY"]
    settings.LINK_ENCRYPTION_KEYS = [SECRETS["LINK_ENCRYPTION_KEYS"]]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = production_env(
        DJANGO_LOG_LEVEL="DEBUG",
        DATABASE_URL=database_url(),
        DATABASE_CONN_MAX_AGE="0",
        LINK_PUBLIC_URL=base,
        LINK_SANDBOX_ENABLED="true",
        LINK_SANDBOX_BASE_URL=base,
        # Only so that the sandbox team's webhooks may reach the receiver on loopback.
        LINK_SANDBOX_UNRESTRICTED="true",
    )
    log = tmp_path / "server.log"
    with open(log, "w") as out, gunicorns(env, [port], log=out):
        yield SimpleNamespace(url=base, env=env, log=log)


@pytest.fixture
def receiver(team):
    r = Receiver()
    yield r, webhook_endpoint_upsert(team=team, url=r.url).secret
    r.close()


def _held_secrets() -> dict[str, str]:
    """What the server stored for later: the vendors' tokens and the PKCE verifiers."""
    held = {}
    for connection in Connection.objects.all():
        for name, value in (connection.credentials or {}).items():
            if isinstance(value, str) and len(value) >= 12:
                held[f"{connection.provider} {name}"] = value
    for state in OAuthState.objects.all():
        held[f"{state.provider} code_verifier"] = state.secrets["code_verifier"]
    return held


def _send(method: str, url: str, **kwargs) -> requests.Response:
    return requests.request(method, url, timeout=30, **kwargs)


def test_no_secret_in_any_log_at_debug(server, team, receiver):
    base, (webhooks, webhook_secret) = server.url, receiver
    key = api_key_create(team=team)[0]
    api = requests.Session()
    api.headers["X-Vital-API-Key"] = key
    user = api.post(f"{base}/v2/user", json={"client_user_id": "canary"}, timeout=10).json()
    tokens = []

    def link_header() -> dict:
        made = api.post(f"{base}/v2/link/token", json={"user_id": user["user_id"]}, timeout=10)
        tokens.append(made.json()["link_token"])
        return {"x-vital-link-token": tokens[-1]}

    # A bearer token for Basic credentials, used once.
    basic = base64.b64encode(f"{team.pk}:{key}".encode()).decode()
    bearer = requests.post(
        f"{base}/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=10,
    ).json()["access_token"]
    mine = _send(
        "GET", f"{base}/v2/user/{user['user_id']}", headers={"Authorization": f"Bearer {bearer}"}
    )
    assert mine.status_code == 200

    # OAuth with PKCE and the client secret in a Basic header (Google Health).
    started = _send("GET", f"{base}/v2/link/provider/oauth/google_health", headers=link_header())
    browser = Browser()
    callback = consent(started.json()["oauth_url"], browser=browser)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert "is connected" in _send("GET", callback, cookies=browser.cookies).text

    # A password the vendor rejects, then a password with MFA: a wrong code, the right one.
    header, path = link_header(), f"{base}/v2/link/provider/password/zwift"
    rejected = _send(
        "POST", path, json={"username": "user_good", "password": CANARY_PASSWORD}, headers=header
    )
    assert rejected.status_code == 400
    asked = _send(
        "POST", path, json={"username": "user_mfa", "password": "pass_good"}, headers=header
    )
    assert asked.json()["state"] == "pending_provider_mfa"
    for mfa_code in ("000000", "123456"):
        done = _send("POST", f"{path}/complete_mfa", json={"mfa_code": mfa_code}, headers=header)
    assert done.json()["state"] == "success"
    held = _held_secrets()

    # The task worker: the webhooks, and a refresh of both connections.
    # No worker runs yet, so the refresh is still in progress when the API stops waiting (202).
    refresh = f"{base}/v2/user/refresh/{user['user_id']}?timeout=5"
    assert api.post(refresh, timeout=15).status_code == 202
    worker = manage("db_worker", "--batch", "--no-startup-delay", env=server.env)
    assert worker.returncode == 0, worker.stderr
    assert len(webhooks.requests) >= 2
    refreshed = _held_secrets()
    assert refreshed["google_health access_token"] != held["google_health access_token"]

    logs = server.log.read_text() + worker.stdout + worker.stderr
    assert "DEBUG webhooks.services: webhook delivery" in logs  # the run did log at DEBUG
    canaries = {
        **held,
        **{f"refreshed {name}": value for name, value in refreshed.items()},
        "oauth client secret": sandbox_client("google_health").client_secret,
        "oauth code": code,
        "rejected password": CANARY_PASSWORD,
        "password": "pass_good",
        "api key": key,
        "basic credentials": basic,
        "bearer token": bearer,
        "webhook secret": webhook_secret,
        **{f"link token {i}": token for i, token in enumerate(tokens)},
    }
    assert [name for name, value in canaries.items() if value in logs] == []
