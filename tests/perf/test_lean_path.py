"""The lean request path (issue 22) and "reads don't write" (issue 14, item 5): what a request
costs besides its view, on the real parts (Redis for the rate limiter; two gunicorns on
PostgreSQL for a revocation)."""

import io
import time

import psycopg
import pytest
import redis
import requests
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, close_old_connections, connection
from django.middleware.csrf import CsrfViewMiddleware
from django.test.utils import CaptureQueriesContext

from link.models import LinkEvent
from linkwidget.postgresql.base import FRESH_SECONDS
from teams.models import ApiKey, Team
from teams.services import api_key_create, api_key_revoke
from tests.processes import (
    database_url,
    free_port,
    gunicorns,
    postgres_url,
    production_env,
    redis_url,
)

pytestmark = pytest.mark.django_db(transaction=True)

_WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(send) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        send()
    return [q["sql"] for q in captured if q["sql"].startswith(_WRITES)]


def test_only_the_console_and_the_demo_pass_sessions_and_csrf(api, widget, link_token, monkeypatch):
    """linkwidget/kinds.py: the session and CSRF middleware run for the console's pages, not
    for the API, the widget, the embed script or static files."""
    ran = []
    for middleware, hook in (
        (SessionMiddleware, "process_request"),
        (CsrfViewMiddleware, "process_view"),
    ):
        original = getattr(middleware, hook)

        def record(self, request, *args, original=original, name=middleware.__name__):
            ran.append((request.path, name))
            return original(self, request, *args)

        monkeypatch.setattr(middleware, hook, record)
    answers = [
        api.get("/v2/providers"),
        widget.step("/link/providers", link_token),
        widget.get("/initialize.js"),
        widget.get("/static/providers/oura.svg"),
    ]
    assert [a.status_code for a in answers] == [200] * 4 and ran == []
    console = widget.get("/admin/login/")
    assert console.status_code == 200 and "csrftoken" in console.cookies
    # (CSRF's check runs twice there: the admin's login view is csrf_protect'ed as well.)
    assert set(ran) == {
        ("/admin/login/", "CsrfViewMiddleware"),
        ("/admin/login/", "SessionMiddleware"),
    }


def test_the_agreement_records_opened_once_per_link_session(widget, link_token):
    assert writes(lambda: widget.step("/", link_token))  # the first look is an event
    for htmx in (False, True):
        with CaptureQueriesContext(connection) as captured:
            assert widget.step("/", link_token, htmx=htmx).status_code == 200
        # The token's own row says it was opened: one read, no write.
        assert [q["sql"].split()[0] for q in captured] == ["SELECT"], captured.captured_queries
    assert LinkEvent.objects.filter(kind=LinkEvent.Kind.OPENED).count() == 1


def test_api_reads_write_nothing_once_the_key_is_stamped(api, end_user):
    api.get("/v2/providers")  # stamps the key's last use
    for path in ("/v2/providers", f"/v2/user/{end_user.pk}", "/v2/user"):
        assert writes(lambda path=path: api.get(path)) == [], path


def test_last_used_is_stamped_after_the_response_is_sent(team):
    key, api_key = api_key_create(team=team)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/v2/providers",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_VITAL_API_KEY": key,
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    answer = WSGIHandler()(environ, lambda status, headers, exc_info=None: None)
    assert b"".join(answer)
    api_key.refresh_from_db()
    assert api_key.last_used_at is None  # the answer is out, the stamp not yet written
    answer.close()  # what the server calls once the response is sent
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


@pytest.fixture
def redis_commands(settings, monkeypatch):
    """The cache on a real Redis; the list of commands each request sends it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url(),
            "KEY_PREFIX": f"lean-{time.monotonic_ns()}",
        }
    }
    sent = []
    execute = redis.Redis.execute_command

    def counted(self, *args, **options):
        sent.append(args[0])
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return sent


def test_the_rate_limiter_costs_one_round_trip_and_none_for_static_files(
    redis_commands, api, widget, link_token, settings
):
    settings.LINK_RATE_LIMIT_API = "3/60"
    link = {"x-vital-link-token": link_token}
    statuses = []
    for _ in range(4):  # address, team and link token, counted at once
        del redis_commands[:]
        statuses.append(api.get("/v2/providers", headers=link).status_code)
        assert len(redis_commands) == 1, redis_commands
    assert statuses[0] == 200 and statuses[-1] == 429, statuses
    del redis_commands[:]
    assert widget.step("/link/providers", link_token).status_code == 200
    assert len(redis_commands) == 1, redis_commands
    del redis_commands[:]
    assert widget.get("/static/providers/oura.svg").status_code == 200
    assert widget.get("/healthz").status_code == 200
    assert redis_commands == []


def test_a_revoked_key_is_refused_everywhere_within_a_second(team):
    """Two gunicorns (three processes each) on PostgreSQL and Redis, each keeping the keys it
    found for a second; the key is revoked by a third process (this one)."""
    url = postgres_url()
    if url is None:
        pytest.skip("several processes share state only through PostgreSQL; this run is SQLite")
    key, api_key = api_key_create(team=team)
    env = production_env(DATABASE_URL=url, WEB_CONCURRENCY="3", LINK_RATE_LIMIT_API="100000/60")
    header = {"X-Vital-API-Key": key}
    with gunicorns(env, [free_port(), free_port()]) as servers:

        def statuses():  # a connection each, so that every worker answers some
            return {
                requests.get(f"{base}/v2/providers", headers=header, timeout=30).status_code
                for base in servers * 20
            }

        assert statuses() == {200}  # and every worker that answered keeps the key
        api_key_revoke(api_key=ApiKey.objects.get(pk=api_key.pk))
        time.sleep(1.0)
        assert statuses() == {401}


@pytest.fixture
def kept_postgres_connection():
    """The test's PostgreSQL connection, as a worker's kept one stands at a request's start."""
    if connection.vendor != "postgresql":
        pytest.skip("the health check is PostgreSQL's backend (linkwidget/postgresql)")
    connection.ensure_connection()
    connection.close_at = time.monotonic() + 60  # kept, as DATABASE_CONN_MAX_AGE keeps it
    connection.health_check_done = False  # what Django resets when a request starts
    return connection


def test_a_connection_busy_a_moment_ago_is_not_checked_again(kept_postgres_connection, monkeypatch):
    checks, real_check = [], connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or real_check())
    Team.objects.count()  # a query a moment ago
    connection.health_check_done = False  # the next request
    Team.objects.count()
    assert checks == []
    connection.used_at -= FRESH_SECONDS  # ...a second later
    connection.health_check_done = False
    Team.objects.count()
    assert checks == [1]


def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(
    kept_postgres_connection,
):
    dropped = connection.connection.info.backend_pid
    with psycopg.connect(database_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped])
    connection.used_at -= FRESH_SECONDS  # idle since its last query
    Team.objects.count()  # on the dropped connection, this would raise OperationalError
    assert connection.connection.info.backend_pid != dropped


def test_a_connection_dropped_while_busy_fails_one_request_then_is_replaced(
    kept_postgres_connection,
):
    """What skipping the check costs (README, "Production"): one failed request."""
    Team.objects.count()  # busy a moment ago
    dropped = connection.connection.info.backend_pid
    with psycopg.connect(database_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped])
    connection.health_check_done = False  # the next request
    with pytest.raises(OperationalError):
        Team.objects.count()
    close_old_connections()  # that request ends (request_finished): the error closes it
    assert connection.connection is None
    Team.objects.count()
    assert connection.connection.info.backend_pid != dropped
