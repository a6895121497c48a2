"""Production settings under real processes: `check --deploy` has nothing to say, and two
gunicorn processes on one PostgreSQL database share every piece of flow state (a flow started
on one finishes on the other)."""

import pytest
import requests

from connections.models import Connection
from tests.processes import free_port, gunicorns, manage, postgres_url, production_env
from tests.sandbox import Browser, consent


def test_check_deploy_has_no_warning():
    checked = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


@pytest.fixture
def two_servers(team):
    """Two gunicorns on the test database: (url_a, url_b)."""
    url = postgres_url()
    if url is None:
        pytest.skip("several processes share state only through PostgreSQL; this run is SQLite")
    ports = [free_port(), free_port()]
    env = production_env(LINK_SANDBOX_ENABLED="true", DATABASE_URL=url, DATABASE_CONN_MAX_AGE="0")
    a, b = (f"http://127.0.0.1:{p}" for p in ports)
    # One vendor (the emulators served by A), and it sends the browser back to B.
    env.update(LINK_SANDBOX_BASE_URL=a, LINK_PUBLIC_URL=b)
    with gunicorns(env, ports) as servers:
        yield servers


def _status(user, provider) -> str:
    # Only the status: the credentials are sealed with the servers' key, not this process's.
    rows = Connection.objects.filter(user=user, provider=provider)
    return rows.values_list("status", flat=True).get()


@pytest.mark.django_db(transaction=True)
def test_flows_cross_processes(two_servers, team, live_user):
    from teams.services import api_key_create

    a, b = two_servers
    key = {"X-Vital-API-Key": api_key_create(team=team)[0]}

    def token_on(server):
        made = requests.post(
            f"{server}/v2/link/token", json={"user_id": str(live_user.pk)}, headers=key, timeout=10
        )
        assert made.status_code == 200, made.text
        return {"x-vital-link-token": made.json()["link_token"]}

    # OAuth: started on A, the vendor's callback lands on B.
    header = token_on(a)
    oauth_url = requests.get(
        f"{a}/v2/link/provider/oauth/google_health", headers=header, timeout=10
    ).json()["oauth_url"]
    browser = Browser()
    callback = consent(oauth_url, browser=browser)
    assert callback.startswith(b)
    returned = browser.get(callback, allow_redirects=False, timeout=30)
    assert "is connected" in returned.text, returned.text[-3000:]
    assert _status(live_user, "google_health") == "connected"

    # Password with MFA: the password on B, the code on A.
    header = token_on(b)
    path = "/v2/link/provider/password/zwift"
    first = requests.post(
        b + path, json={"username": "user_mfa", "password": "pass_good"}, headers=header, timeout=30
    )
    assert first.json()["state"] == "pending_provider_mfa", first.text
    done = requests.post(
        f"{a}{path}/complete_mfa", json={"mfa_code": "123456"}, headers=header, timeout=30
    )
    assert done.json()["state"] == "success", done.text
    assert _status(live_user, "zwift") == "connected"
