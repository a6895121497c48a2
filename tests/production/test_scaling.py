"""What keeps the background work cheap as connections grow (figures in BENCHMARKS.md)."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from connections.lifecycle import connection_due, connection_refresh, connection_schedule
from connections.models import Connection
from tests.sandbox import Browser, consent
from webhooks.tasks import webhook_deliver

pytestmark = pytest.mark.django_db


def test_work_due_now_is_first_in_the_workers_order(settings, end_user):
    """The worker takes the first ready task in the queue's order: scheduled refreshes (one per
    connection) must not come before a new event's delivery, or every pick walks past them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for hours in range(1, 20):
        connection_schedule(connection_id=hours, run_after=timezone.now() + timedelta(hours=hours))
    now = webhook_deliver.enqueue(1)
    assert str(DBTaskResult.objects.filter(status="READY").first().pk) == now.id


def test_a_refresh_done_meanwhile_is_not_done_again(sandbox, new_link_token, live_user):
    """The cron lists due connections, then works through them; one another worker refreshed
    in between is left alone (no second vendor call, no second spend of a refresh token)."""
    token = new_link_token()
    started = requests.get(
        f"{sandbox.url}/v2/link/provider/oauth/google_health",
        headers={"x-vital-link-token": token},
        timeout=10,
    )
    browser = Browser()
    browser.get(consent(started.json()["oauth_url"], browser=browser), timeout=30)
    connection = Connection.objects.get(user=live_user, provider="google_health")
    Connection.objects.filter(pk=connection.pk).update(expires_at=timezone.now())
    assert connection_refresh(connection_id=connection.pk) == "refreshed"  # another worker
    assert connection_due(connection_id=connection.pk) == "busy"
    assert connection_refresh(connection_id=connection.pk) == "refreshed"  # on demand still
