"""Production on real parts: two gunicorns of three workers each, a third as the vendor, task
workers, one PostgreSQL and one Redis. Rate limits are counted once across every process;
concurrent connects, their webhooks and refreshes happen exactly once; every process reports the
same metrics."""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from connections.models import Connection
from teams.services import api_key_create, end_user_create
from tests.lifecycle.receiver import Receiver
from tests.processes import (
    SECRETS,
    free_port,
    gunicorns,
    manage,
    postgres_url,
    production_env,
    task_workers,
)
from tests.sandbox import Browser, consent
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_upsert

from .scrape import Scrape

pytestmark = pytest.mark.django_db(transaction=True)

METRICS_TOKEN = "metrics-token-for-tests"


@pytest.fixture
def cluster_env(settings):
    """The environment of every process; this test process seals secrets with their key."""
    url = postgres_url()
    if url is None:
        pytest.skip("several processes share state only through PostgreSQL; this run is SQLite")
    settings.LINK_ENCRYPTION_KEYS = [SECRETS["LINK_ENCRYPTION_KEYS"]]
    return production_env(
        DATABASE_URL=url,
        DATABASE_CONN_MAX_AGE="0",
        WEB_CONCURRENCY="3",
        LINK_SANDBOX_ENABLED="true",
        # The webhook receiver listens on 127.0.0.1, which production refuses otherwise.
        LINK_SANDBOX_UNRESTRICTED="true",
        LINK_METRICS_TOKEN=METRICS_TOKEN,
        LINK_RATE_LIMIT_API="100000/60",
        LINK_RATE_LIMIT_WIDGET="100000/60",
    )


def start(env: dict):
    """Servers A and B, and the vendor (the emulators, on a gunicorn of their own)."""
    a, b, vendor = (f"http://127.0.0.1:{free_port()}" for _ in range(3))
    env = {**env, "LINK_PUBLIC_URL": b, "LINK_SANDBOX_BASE_URL": vendor}
    return env, gunicorns(env, [int(u.rsplit(":", 1)[1]) for u in (a, b, vendor)])


def in_parallel(calls, threads=16) -> list:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_rate_limits_are_counted_once_across_processes(cluster_env, team):
    _, servers = start({**cluster_env, "LINK_RATE_LIMIT_API": "50/3600"})
    key = {"X-Vital-API-Key": api_key_create(team=team)[0]}
    # One window for the whole burst.
    if 3600 - time.time() % 3600 < 60:
        time.sleep(3600 - time.time() % 3600 + 1)
    with servers as (a, b, _vendor):
        answers = in_parallel(
            [
                lambda base=base: requests.get(f"{base}/v2/providers", headers=key, timeout=30)
                for base in [a, b] * 40
            ]
        )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * 50 + [429] * 30
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers if a.status_code == 429)


def test_concurrent_connects_and_webhooks_happen_once(cluster_env, team):
    receiver = Receiver()
    webhook_endpoint_upsert(team=team, url=receiver.url)
    key = {"X-Vital-API-Key": api_key_create(team=team)[0]}
    users = [end_user_create(team=team, client_user_id=f"load-{n}") for n in range(24)]
    env, servers = start(cluster_env)
    with servers as (a, b, _vendor), task_workers(env, 2):
        tokens = in_parallel(
            [
                lambda user=user, base=base: requests.post(
                    f"{base}/v2/link/token", json={"user_id": str(user.pk)}, headers=key, timeout=30
                ).json()["link_token"]
                for user, base in zip(users, [a, b] * 12, strict=True)
            ]
        )

        def submit(base, token):
            return lambda: requests.post(
                f"{base}/v2/link/provider/password/zwift",
                json={"username": "user_good", "password": "pass_good"},
                headers={"x-vital-link-token": token},
                timeout=60,
            )

        # Every user's password goes in twice at once, once to each server.
        answers = in_parallel([submit(base, t) for t in tokens for base in (a, b)])
        assert all(answer.status_code < 500 for answer in answers)
        assert sum(answer.json().get("state") == "success" for answer in answers) >= 24

        created = _wait_for(receiver, "provider.connection.created", len(users))
        finished = _wait_for(receiver, "link.session.finished", len(users))
        time.sleep(1)  # a duplicate would arrive now
        scrapes = [_scrape(base) for base in (a, a, a, b, b, b)]
    receiver.close()

    for user in users:
        rows = Connection.objects.filter(user=user, provider="zwift")
        assert list(rows.values_list("status", flat=True)) == ["connected"], user.client_user_id
    assert sorted(event["user_id"] for event in created) == sorted(str(u.pk) for u in users)
    assert len(finished) == len(users)
    ids = [r["headers"]["svix-id"] for r in receiver.requests]
    assert len(ids) == len(set(ids)) == 2 * len(users)
    deliveries = WebhookDelivery.objects.values_list("status", "attempts")
    assert set(deliveries) == {("succeeded", 1)}

    # Every worker of a server sums the same vendor calls; both servers count the same sessions.
    calls = "link_vendor_request_duration_seconds_count"
    vendor_calls = [s.get(calls, vendor="zwift", outcome="2xx") for s in scrapes]
    assert vendor_calls[0] and vendor_calls[:3] == [vendor_calls[0]] * 3
    assert vendor_calls[3:] == [vendor_calls[3]] * 3
    sessions = {"state": "success", "error_type": "", "provider": "zwift"}
    assert {s.get("link_sessions", **sessions) for s in scrapes} == {len(users)}
    delivered = {s.get("link_webhook_deliveries", status="succeeded") for s in scrapes}
    assert delivered == {2 * len(users)}


def test_concurrent_refreshes_spend_each_refresh_token_once(cluster_env, team):
    key = {"X-Vital-API-Key": api_key_create(team=team)[0]}
    users = [end_user_create(team=team, client_user_id=f"refresh-{n}") for n in range(12)]
    env, servers = start(cluster_env)
    with servers as (a, _b, _vendor):

        def connect(user):
            token = requests.post(
                f"{a}/v2/link/token", json={"user_id": str(user.pk)}, headers=key, timeout=30
            ).json()["link_token"]
            started = requests.get(
                f"{a}/v2/link/provider/oauth/oura",
                headers={"x-vital-link-token": token},
                timeout=30,
            )
            browser = Browser()
            callback = consent(started.json()["oauth_url"], browser=browser)
            returned = browser.get(callback, timeout=60)
            assert "is connected" in returned.text

        in_parallel([lambda user=user: connect(user) for user in users], threads=6)
        # Every token about to expire; two cron runs and two task workers at once. The oura
        # emulator refuses a refresh token spent twice (remembered in Redis), which would
        # break the connection.
        Connection.objects.update(expires_at=timezone.now() + timedelta(minutes=1))
        runs = in_parallel([lambda: manage("connections_due", env=env)] * 2)
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    refreshed = [_outcomes(run.stdout).get("refreshed", 0) for run in runs]
    assert sum(refreshed) == len(users), [run.stdout for run in runs]
    rows = Connection.objects.filter(provider="oura")
    assert set(rows.values_list("status", flat=True)) == {"connected"}
    assert rows.filter(last_refreshed_at__isnull=True).count() == 0
    assert rows.filter(expires_at__lte=timezone.now() + timedelta(minutes=30)).count() == 0


def _outcomes(summary: str) -> dict[str, int]:
    """'3 busy, 9 refreshed' → {'busy': 3, 'refreshed': 9}."""
    pairs = (part.split(" ", 1) for part in summary.strip().split(", ") if part[0].isdigit())
    return {outcome: int(n) for n, outcome in pairs}


def _wait_for(receiver: Receiver, event_type: str, count: int, seconds: float = 60) -> list:
    deadline = time.monotonic() + seconds
    while True:
        bodies = [json.loads(r["body"]) for r in list(receiver.requests)]
        found = [b for b in bodies if b["event_type"] == event_type]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _scrape(base: str) -> Scrape:
    """One scrape on a fresh connection, so any worker may answer."""
    answer = requests.get(
        f"{base}/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}", "Connection": "close"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return Scrape(answer.text)
