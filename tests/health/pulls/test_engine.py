"""The pull engine's own rules, with a vendor whose answers the test scripts (each vendor's
tests drive the real emulators): pages until the vendor says done, a lease that keeps a second
worker off, scheduled pulls overtaken by newer ones, what is due, a 429 that leaves a backfill
`retrying` and resumable from its cursor, a refused token refreshed once, and a bad page that
stores nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from connections.models import Connection
from health.models import PullState, Sample
from health.pulling import backfill_start, notices_pull, pull_run, pulls_due, pulls_enqueue
from health.pulls import historical_pull_schedule
from providers import registry
from providers.data import AccessRejected, Notice, Page, SampleRecord, VendorData
from providers.errors import ProviderRateLimited
from teams.services import end_user_create

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 11, 1, tzinfo=UTC)


class Scripted(VendorData):
    """Heart rate, a page per hour of the window; `script` says what each call does instead
    (an exception to raise)."""

    resources = ("heartrate",)
    calls: list = []
    script: list = []

    def page(self, resource, start, end, cursor):
        hour = int(cursor or 0)
        type(self).calls.append((self.credentials["access_token"], hour))
        if self.script:
            outcome = self.script.pop(0)
            if outcome is not None:
                raise outcome
        at = DAY + timedelta(hours=hour)
        records = [SampleRecord(at + timedelta(minutes=m), 60.0 + m) for m in range(0, 60, 10)]
        return Page(records, str(hour + 1) if hour < 2 else None)


@pytest.fixture
def vendor(monkeypatch):
    monkeypatch.setitem(registry.DATA_READERS, "oura", Scripted)
    monkeypatch.setattr("health.pulling.DATA_READERS", registry.DATA_READERS)
    Scripted.calls, Scripted.script = [], []
    return Scripted


@pytest.fixture
def connection(team, vendor):
    user = end_user_create(team=team, client_user_id="pulled")
    return Connection.objects.create(
        user=user,
        provider="oura",
        status="connected",
        external_user_id="oura-1",
        credentials={"access_token": "first", "refresh_token": "r"},
        expires_at=timezone.now() + timedelta(hours=1),
    )


def plan(connection):
    historical_pull_schedule(
        connection=connection, resources=["heartrate"], start=DAY, end=DAY + timedelta(days=1)
    )


def state(connection) -> PullState:
    return PullState.objects.get(connection=connection, resource="heartrate")


def test_a_backfill_pages_until_the_vendor_is_done_and_a_second_changes_nothing(connection):
    assert backfill_start(connection_id=connection.pk) == ["heartrate"]  # tasks run at once
    assert [hour for _, hour in Scripted.calls] == [0, 1, 2]
    done = state(connection)
    assert (done.historical_status, done.created_count, done.cursor) == ("success", 18, "")
    assert done.pulled_until == done.historical_end
    plan(connection)
    assert pull_run(connection_id=connection.pk, resource="heartrate", historical=True) == "pulled"
    assert state(connection).created_count == 18 and Sample.objects.count() == 18


@pytest.mark.parametrize("per_user", [False, True])
def test_only_a_vendor_that_subscribes_per_user_is_subscribed_with_a_fresh_token(
    connection, vendor, monkeypatch, per_user
):
    refreshed, subscribed = [], []

    def refresh(*, connection_id, as_read=None, **kwargs):
        refreshed.append(connection_id)
        Connection.objects.filter(pk=connection_id).update(
            credentials={"access_token": "second", "refresh_token": "r2"},
            expires_at=timezone.now() + timedelta(hours=1),
        )
        return "refreshed"

    monkeypatch.setattr("connections.credentials.connection_refresh", refresh)
    monkeypatch.setattr(vendor, "pushes", True)
    monkeypatch.setattr(vendor, "subscribes_per_user", per_user)
    monkeypatch.setattr(
        vendor, "subscribe", lambda self, receiver: subscribed.append(self.credentials)
    )
    Connection.objects.filter(pk=connection.pk).update(expires_at=timezone.now())
    backfill_start(connection_id=connection.pk)
    if per_user:
        assert subscribed[0]["access_token"] == "second"
        assert refreshed[0] == connection.pk  # before the subscription, not only for the pages
    else:
        assert subscribed == []
    assert len(refreshed) == 1  # the pages' own refresh, or the subscription's


def test_a_held_lease_keeps_a_second_worker_off(connection):
    PullState.objects.create(
        connection=connection,
        resource="heartrate",
        lease_until=timezone.now() + timedelta(minutes=5),
    )
    assert pull_run(connection_id=connection.pk, resource="heartrate") == "busy"
    assert Scripted.calls == []


def test_a_scheduled_pull_overtaken_by_a_newer_one_does_nothing(connection):
    later = timezone.now() + timedelta(minutes=30)
    PullState.objects.create(connection=connection, resource="heartrate", next_pull_at=later)
    assert pull_run(connection_id=connection.pk, resource="heartrate", scheduled=True) == "not_due"
    assert pull_run(connection_id=connection.pk, resource="heartrate") == "pulled"  # a push's
    assert state(connection).next_pull_at > later  # the next one, a pull interval away


def test_what_is_due(connection, settings):
    plan(connection)
    assert pulls_due() == [(connection.pk, "heartrate", True)]
    call_command("pulls_due", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert state(connection).historical_status == "success" and pulls_due() == []
    PullState.objects.update(next_pull_at=timezone.now() - timedelta(seconds=1))
    assert pulls_due() == [(connection.pk, "heartrate", False)]
    Connection.objects.update(status="error")
    assert pulls_due() == []


def test_a_429_leaves_the_backfill_retrying_and_it_resumes_from_its_cursor(connection, vendor):
    plan(connection)
    vendor.script = [None, ProviderRateLimited(retry_after=120)]  # the second page: 429
    outcome = pull_run(connection_id=connection.pk, resource="heartrate", historical=True)
    cut = state(connection)
    assert outcome == "rate_limited"
    assert (cut.historical_status, cut.cursor, cut.lease_until) == ("retrying", "1", None)
    assert cut.next_pull_at >= timezone.now() + timedelta(seconds=110)
    assert pulls_due() == []  # not before Retry-After
    PullState.objects.update(next_pull_at=timezone.now())
    assert pulls_due() == [(connection.pk, "heartrate", True)]
    assert pull_run(connection_id=connection.pk, resource="heartrate", historical=True) == "pulled"
    assert [hour for _, hour in Scripted.calls] == [0, 1, 1, 2]  # resumed at the cut page
    done = state(connection)
    assert (done.historical_status, done.created_count) == ("success", 18)
    assert done.historical_started_at == cut.historical_started_at


def test_a_refused_token_is_refreshed_once_and_the_page_asked_again(
    connection, vendor, monkeypatch
):
    def refresh(*, connection_id, as_read=None, **kwargs):
        Connection.objects.filter(pk=connection_id).update(
            credentials={"access_token": "second", "refresh_token": "r2"}
        )
        return "refreshed"

    monkeypatch.setattr("connections.credentials.connection_refresh", refresh)
    vendor.script = [AccessRejected()]
    assert pull_run(connection_id=connection.pk, resource="heartrate") == "pulled"
    assert [token for token, _ in Scripted.calls] == ["first", "second", "second", "second"]
    vendor.script = [AccessRejected(), AccessRejected()]
    Connection.objects.filter(pk=connection.pk).update(
        credentials={"access_token": "third", "refresh_token": "r3"}
    )
    assert pull_run(connection_id=connection.pk, resource="heartrate") == "failed"
    assert state(connection).last_status == "failure"


def test_a_bad_page_stores_nothing_and_says_why(connection, vendor, monkeypatch):
    class Bad(Scripted):
        def page(self, resource, start, end, cursor):
            return Page([SampleRecord(DAY, float("nan"))])

    monkeypatch.setitem(registry.DATA_READERS, "oura", Bad)
    assert pull_run(connection_id=connection.pk, resource="heartrate") == "failed"
    failed = state(connection)
    assert "not a finite number" in failed.last_error and Sample.objects.count() == 0


def test_only_live_connections_with_a_reader_are_pulled(connection):
    assert pulls_enqueue(connection_id=connection.pk, resources=("sleep",)) == 0
    Connection.objects.update(paused_at=timezone.now())
    assert pull_run(connection_id=connection.pk, resource="heartrate") == "not_pulled"
    assert backfill_start(connection_id=connection.pk) == []
    assert Scripted.calls == []


def test_a_burst_of_notices_queues_one_pull_until_it_starts(connection, settings):
    """A vendor's burst of notices for one user (or a flood of forged ones, for a vendor that
    signs nothing) queues one pull per resource; once that pull starts, the next notice queues
    another, since the data it names may have come after the pull's read."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    burst = [Notice("oura-1")] * 20
    assert notices_pull(provider="oura", notices=burst) == 1
    assert DBTaskResult.objects.filter(task_path="health.tasks.pull_task").count() == 1
    assert pull_run(connection_id=connection.pk, resource="heartrate") == "pulled"
    assert notices_pull(provider="oura", notices=burst) == 1
    assert pulls_enqueue(connection_id=connection.pk) == 1  # a customer's refresh: not held back
    assert pull_run(connection_id=connection.pk, resource="heartrate") == "pulled"  # frees it
