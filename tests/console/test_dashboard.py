"""The dashboard's numbers: the funnel per provider, errors by type, webhook health, the task
queue."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.lifecycle import NEVER_LINKED
from link.dashboard import funnel_total, link_errors, link_funnel, task_queue
from link.models import LinkToken
from teams.models import Team
from teams.services import end_user_create
from webhooks.selectors import webhook_health

from .conftest import Kind, connection_create, populate, session_create, tasks_in_every_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(team):
    user = end_user_create(team=team, client_user_id="funnel")
    steps = {
        "oura-connected": (
            "oura",
            (
                Kind.OPENED,
                Kind.PROVIDER_CHOSEN,
                Kind.OAUTH_STARTED,
                Kind.OAUTH_RETURNED,
                Kind.CONNECTED,
            ),
        ),
        "oura-denied": (
            "oura",
            (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.OAUTH_STARTED, Kind.FAILED),
        ),
        "zwift-bad-password": (
            "zwift",
            (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.SUBMITTED, Kind.FAILED),
        ),
        "zwift-chosen": ("zwift", (Kind.OPENED, Kind.PROVIDER_CHOSEN)),
        "left-early": ("", (Kind.OPENED,)),
        "never-opened": ("", (Kind.CREATED,)),
    }
    for i, (provider, kinds) in enumerate(steps.values()):
        error = "provider_credential_error" if Kind.FAILED in kinds else ""
        session_create(team, user, *kinds, provider=provider, error_type=error, index=i)
    old = session_create(team, user, Kind.OPENED, Kind.PROVIDER_CHOSEN, index=99)
    LinkToken.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))


def _counts(row):
    return (row.opened, row.chosen, row.submitted, row.connected, row.pending, row.failed)


STORED = (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.SUBMITTED, Kind.CONNECTED)


def _email_sessions(team, **connections):
    """One FreeStyle Libre session per user, each stored a connection as `connections` says
    (status, and fields)."""
    for name, fields in connections.items():
        user = end_user_create(team=team, client_user_id=name)
        session_create(team, user, *STORED, provider="freestyle_libre")
        connection_create(user, "freestyle_libre", **fields)


def _day_funnel(**kwargs):
    return {r.provider: r for r in link_funnel(since=timezone.now() - timedelta(days=1), **kwargs)}


def test_funnel_per_provider(sessions):
    rows = _day_funnel()
    assert _counts(rows["oura"]) == (2, 2, 2, 1, 0, 1)
    assert _counts(rows["zwift"]) == (2, 2, 1, 0, 0, 1)
    assert _counts(rows[""]) == (1, 0, 0, 0, 0, 0)
    assert rows["oura"].conversion == 50 and rows["oura"].name == "Oura"
    assert _counts(funnel_total(list(rows.values()))) == (5, 4, 3, 1, 0, 2)
    month = link_funnel(since=timezone.now() - timedelta(days=30))
    assert funnel_total(month).opened == 6


def test_a_pending_email_connection_is_not_counted_connected(team):
    _email_sessions(
        team,
        linked={"status": "connected"},
        waiting={"status": "pending"},
        never={"status": "error", "error_type": NEVER_LINKED},
    )
    row = _day_funnel()["freestyle_libre"]
    assert _counts(row) == (3, 3, 3, 1, 1, 1)
    assert row.conversion == 33 and row.overdue == 0


def test_a_connection_that_breaks_later_still_counts_as_connected(team):
    _email_sessions(team, broke={"status": "error", "error_type": "token_refresh_failed"})
    assert _counts(_day_funnel()["freestyle_libre"]) == (1, 1, 1, 1, 0, 0)


def test_a_retry_that_connects_is_not_a_failure(team):
    user = end_user_create(team=team, client_user_id="retry")
    kinds = (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.SUBMITTED, Kind.FAILED, Kind.SUBMITTED)
    session_create(team, user, *kinds, Kind.CONNECTED, provider="zwift")
    assert _counts(_day_funnel()["zwift"]) == (1, 1, 1, 1, 0, 0)


def test_vendors_with_connections_pending_too_long_are_flagged(team, settings):
    settings.LINK_PENDING_DAYS = 7
    _email_sessions(team, fresh={"status": "pending", "age_days": 6})
    _email_sessions(team, stale={"status": "pending", "age_days": 8})
    _email_sessions(team, staler={"status": "pending", "age_days": 9})
    # Overdue is about connections, whenever their session was: here one outside the window.
    LinkToken.objects.filter(user__client_user_id="staler").update(
        created_at=timezone.now() - timedelta(days=9)
    )
    other = end_user_create(team=team, client_user_id="no-session")
    connection_create(other, "dexcom", status="pending", age_days=30)
    rows = _day_funnel()
    libre = rows["freestyle_libre"]
    assert (libre.opened, libre.pending, libre.overdue) == (2, 2, 2)
    assert libre.overdue_since.date() == (timezone.now() - timedelta(days=9)).date()
    dexcom = rows["dexcom"]  # no session in the window, listed for its flag
    assert (dexcom.opened, dexcom.overdue, dexcom.name) == (0, 1, "Dexcom Share")
    assert funnel_total(list(rows.values())).opened == 2
    settings.LINK_PENDING_DAYS = 10
    assert [r.provider for r in _day_funnel().values() if r.overdue] == ["dexcom"]


def test_sandbox_teams_can_be_left_out(sessions, other_team):
    user = end_user_create(team=other_team, client_user_id="live")
    session_create(other_team, user, *STORED, provider="oura")
    production = _day_funnel(environment=Team.Environment.PRODUCTION)
    assert list(production) == ["oura"] and _counts(production["oura"]) == (1, 1, 1, 1, 0, 0)
    assert funnel_total(list(_day_funnel(environment="sandbox").values())).opened == 5
    assert funnel_total(list(_day_funnel().values())).opened == 6
    since = timezone.now() - timedelta(days=1)
    assert link_errors(since=since, environment="production") == []
    assert webhook_health(since=since, environment="production")["deliveries"]["total"] == 0


def test_funnel_credits_the_token_s_own_provider(team):
    user = end_user_create(team=team, client_user_id="preset")
    link_token = session_create(team, user, Kind.OPENED, Kind.SUBMITTED, provider="zwift")
    LinkToken.objects.filter(pk=link_token.pk).update(provider="dexcom")
    [row] = link_funnel(since=timezone.now() - timedelta(days=1))
    assert (row.provider, row.chosen, row.submitted) == ("dexcom", 1, 1)


def test_errors_by_type(sessions):
    errors = link_errors(since=timezone.now() - timedelta(days=1))
    assert errors == [{"error_type": "provider_credential_error", "count": 2}]


def test_webhook_health(team):
    populate(team, 3)
    health = webhook_health(since=timezone.now() - timedelta(days=1))
    assert health["deliveries"] == {"total": 3, "pending": 0, "succeeded": 3, "failed": 0}
    assert health["attempts"]["ok"] == 3 and health["attempts"]["max_latency"] == 42
    assert health["latency"][0] == ("< 100 ms", 3)
    assert health["failing"] == []


@pytest.mark.django_db(transaction=True)  # the worker, after a failed task, drops its connection
def test_task_queue_per_kind(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    tasks_in_every_state()
    queue = {row.task: row for row in task_queue()}
    counts = {task: (r.due, r.scheduled, r.running, r.failed) for task, r in queue.items()}
    assert counts == {
        "connection_due_task": (0, 2, 0, 0),
        "connection_refresh_task": (0, 0, 1, 1),
        "webhook_deliver": (2, 0, 0, 0),
    }
    waited = timezone.now() - queue["webhook_deliver"].oldest_due_at
    assert timedelta(minutes=9) < waited < timedelta(minutes=11)
    assert [task for task, row in queue.items() if row.late] == ["webhook_deliver"]
    assert queue["connection_due_task"].oldest_due_at is None


def test_dashboard_draws_the_charts(admin_client, sessions):
    page = admin_client.get(reverse("admin:index"), {"window": "24h"}).content.decode()
    assert 'aria-current="page">Last 24h' in page
    assert "console-bar__fill" in page and "provider_credential_error" in page
    assert "Oura" in page and "Zwift" in page
