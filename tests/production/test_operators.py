"""What operators use: liveness and readiness probes, Prometheus metrics behind a bearer token,
JSON logs. The metrics are read back with prometheus-client's own parser."""

import json
import logging
from datetime import timedelta

import pytest
import requests
from django.test import RequestFactory
from django.utils import timezone

from link.models import LinkToken
from linkwidget.jsonlog import JsonFormatter
from tests.processes import ROOT, free_port, gunicorns, manage, production_env
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from webhooks.tasks import webhook_deliver

from .scrape import Scrape

TOKEN = "a-long-random-metrics-token"


def _env_example() -> dict:
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {name: value for name, value in pairs if value}


def test_probes_answer_with_the_env_example_settings(tmp_path):
    """.env.example as it is (https redirect on, one allowed host), with a reachable database
    and Redis: the probes answer 200 to a probe by address over plain http; the rest of the site
    still checks the host and redirects to https."""
    env = production_env(**_env_example())
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/db.sqlite3"
    env["CACHE_URL"] = production_env()["CACHE_URL"]
    with gunicorns(env, [free_port()]) as [base]:
        by_address = {"Host": "10.0.0.7:8000"}
        live = requests.get(f"{base}/healthz", headers=by_address, timeout=10)
        assert (live.status_code, live.text) == (200, "ok")
        ready = requests.get(f"{base}/readyz", headers=by_address, timeout=10)
        assert (ready.status_code, ready.json()) == (200, {"database": "ok", "cache": "ok"})
        assert requests.get(f"{base}/metrics", timeout=10).status_code == 404  # no token set
        page = f"{base}/admin/login/"
        assert requests.get(page, headers=by_address, timeout=10).status_code == 400
        redirected = requests.get(
            page, headers={"Host": "link.example.com"}, allow_redirects=False, timeout=10
        )
        assert redirected.status_code == 301
        assert redirected.headers["Location"] == "https://link.example.com/admin/login/"


def test_readiness_names_what_is_down(tmp_path):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path}/missing/db.sqlite3", CACHE_URL=closed)
    with gunicorns(env, [free_port()]) as [base]:
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 503
    assert ready.json() == {
        "database": "unavailable (OperationalError)",
        "cache": "unavailable (ConnectionError)",
    }


@pytest.mark.django_db
def test_metrics_need_the_token(client, settings):
    assert client.get("/metrics").status_code == 404
    settings.LINK_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-it"})
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
    right = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200
    assert right["Content-Type"].startswith("text/plain; version=")


@pytest.mark.django_db
def test_metrics_count_what_the_database_holds(client, settings, team, end_user, link_token):
    settings.LINK_METRICS_TOKEN = TOKEN
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    LinkToken.objects.update(state="error", error_type="provider_credential_error", provider="oura")
    endpoint = WebhookEndpoint.objects.create(team=team, url="https://example.com/h", secret="s")
    message = WebhookMessage.objects.create(id="msg_1", team=team, event_type="e", payload={})
    ok = WebhookDelivery.objects.create(message=message, endpoint=endpoint, status="succeeded")
    WebhookAttempt.objects.create(delivery=ok, status_code=200, latency_ms=80)
    failed = WebhookDelivery.objects.create(message=message, endpoint=endpoint, status="failed")
    WebhookAttempt.objects.create(
        delivery=failed, status_code=500, latency_ms=3000, error="HTTP 500"
    )
    due = webhook_deliver.enqueue(1)
    webhook_deliver.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(2)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=due.id).update(
        enqueued_at=timezone.now() - timedelta(seconds=90)
    )

    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    samples = Scrape(text)
    assert (
        samples.get(
            "link_sessions", state="error", error_type="provider_credential_error", provider="oura"
        )
        == 1
    )
    assert samples.get("link_webhook_deliveries", status="succeeded") == 1
    assert samples.get("link_webhook_deliveries", status="failed") == 1
    assert samples.get("link_webhook_deliveries", status="pending") == 0
    attempts = "link_webhook_attempt_duration_seconds"
    assert samples.get(f"{attempts}_bucket", result="success", le="0.1") == 1
    assert samples.get(f"{attempts}_bucket", result="success", le="0.05") == 0
    assert samples.get(f"{attempts}_bucket", result="failure", le="2.5") == 0
    assert samples.get(f"{attempts}_bucket", result="failure", le="5.0") == 1
    assert samples.get(f"{attempts}_sum", result="failure") == 3.0
    assert samples.get("link_tasks", state="due") == 1
    assert samples.get("link_tasks", state="scheduled") == 1
    assert 90 <= samples.get("link_task_queue_oldest_seconds") < 120


@pytest.mark.django_db(transaction=True)
def test_vendor_calls_are_timed_by_vendor_and_outcome(client, settings, new_link_token):
    settings.LINK_METRICS_TOKEN = TOKEN

    def count(outcome):
        text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        scrape = Scrape(text.content.decode())
        return (
            scrape.get(
                "link_vendor_request_duration_seconds_count", vendor="zwift", outcome=outcome
            )
            or 0
        )

    before_ok, before_5xx = count("2xx"), count("5xx")
    for username in ("user_good", "user_500"):
        client.post(
            "/v2/link/provider/password/zwift",
            {"username": username, "password": "pass_good"},
            content_type="application/json",
            headers={"x-vital-link-token": new_link_token()},
        )
    assert count("2xx") > before_ok
    assert count("5xx") == before_5xx + 1


def test_json_logs_hold_the_message_and_nothing_else():
    request = RequestFactory().get("/?token=link-token-secret")
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/",), None
    )
    record.request = request  # as Django's request logging attaches it
    record.status_code = 404
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "message"}
    assert entry["message"] == "Not Found: /" and entry["level"] == "WARNING"
    assert "link-token-secret" not in line


def test_json_log_format_is_a_setting():
    logged = manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('link').warning('hello %s', 'operator')",
        env=production_env(DJANGO_LOG_FORMAT="json"),
    )
    assert logged.returncode == 0, logged.stderr
    lines = [json.loads(line) for line in logged.stderr.splitlines() if line.startswith("{")]
    assert {"logger": "link", "message": "hello operator"}.items() <= lines[-1].items()
    text = manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('link').warning('hello')",
        env=production_env(),
    )
    assert text.stderr.strip().endswith("hello")
