"""After the widget: refresh (each vendor's style), relogin, permanent and passing failures,
revocation on deregister, reconnects; all against the emulators over real HTTP."""

import json
from io import StringIO

import pytest
import requests
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from svix.webhooks import Webhook

from connections.lifecycle import (
    MAX_TRANSIENT_FAILURES,
    REFRESH_MARGIN,
    connection_check_pending,
    connection_refresh,
    connections_due,
)
from connections.models import Connection
from connections.services import connection_deregister
from link import connect
from link.services import link_token_create
from providers.errors import RefreshRejected
from providers.registry import provider_adapter
from providers.vendors.freestyle_libre.emulator import LINKS
from teams.services import end_user_create
from tests.lifecycle.receiver import Receiver
from webhooks.services import webhook_endpoint_upsert

from .test_contract import oauth_round_trip

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(team):
    r = Receiver()
    endpoint = webhook_endpoint_upsert(team=team, url=r.url)
    r.verify = lambda request: Webhook(endpoint.secret).verify(request["body"], request["headers"])
    yield r
    r.close()


def _connect_oauth(sandbox, team, user, provider) -> Connection:
    link_token = link_token_create(team=team, user_id=user.user_id)[1]
    assert oauth_round_trip(link_token, provider).state == "success"
    return Connection.objects.get(user=user, provider=provider, status="connected")


def _connect_password(sandbox, team, user, provider, username="user_good") -> Connection:
    link_token = link_token_create(team=team, user_id=user.user_id)[1]
    result = connect.connect_password(
        link_token=link_token, provider=provider, username=username, password="pass_good"
    )
    assert result.state == "success", result
    return result.connection


# strava rotates, google_health does not (the refresh answer has no new refresh token),
# withings wraps everything in {status, body}, ihealth refreshes with a GET on its authorize URL.
@pytest.mark.parametrize("provider", ["strava", "google_health", "withings", "ihealth", "oura"])
def test_refresh_saves_the_new_tokens(sandbox, team, live_user, provider):
    connection = _connect_oauth(sandbox, team, live_user, provider)
    before = connection.credentials
    assert connection_refresh(connection_id=connection.pk) == "refreshed"
    connection.refresh_from_db()
    after = connection.credentials
    assert after["access_token"] != before["access_token"]
    assert after["refresh_token"]
    assert connection.last_refreshed_at and connection.refresh_failures == 0
    assert connection.expires_at > timezone.now()
    assert connection_refresh(connection_id=connection.pk) == "refreshed"  # with the new one


@pytest.mark.parametrize("provider", ["dexcom", "renpho", "eight_sleep"])
def test_password_vendor_renews_and_keeps_the_account_id(sandbox, team, live_user, provider):
    connection = _connect_password(sandbox, team, live_user, provider)
    before = connection.credentials
    assert connection_refresh(connection_id=connection.pk) == "refreshed"
    connection.refresh_from_db()
    assert connection.status == "connected" and connection.last_refreshed_at
    assert connection.credentials["access_token"]
    assert connection.credentials["extra"]["account_id"] == before["extra"]["account_id"]


def test_rejected_refresh_marks_error_keeps_credentials_and_tells_the_customer(
    sandbox, team, live_user, receiver
):
    connection = _connect_oauth(sandbox, team, live_user, "strava")
    receiver.requests.clear()
    broken = {**connection.credentials, "refresh_token": "revoked-by-user"}
    Connection.objects.filter(pk=connection.pk).update(credentials=broken)
    assert connection_refresh(connection_id=connection.pk) == "failed"
    connection.refresh_from_db()
    assert connection.status == "error" and connection.error_type == "token_refresh_failed"
    assert connection.credentials == broken  # nothing lost
    [event] = [json.loads(r["body"]) for r in receiver.requests]
    receiver.verify(receiver.requests[0])
    assert event["event_type"] == "provider.connection.error"
    assert event["data"]["error_type"] == "token_refresh_failed"
    assert event["data"]["provider"] == "strava"


def test_changed_password_is_a_credential_error(sandbox, team, live_user, receiver):
    connection = _connect_password(sandbox, team, live_user, "dexcom")
    credentials = connection.credentials
    credentials["extra"]["password"] = "changed-since"
    Connection.objects.filter(pk=connection.pk).update(credentials=credentials)
    assert connection_refresh(connection_id=connection.pk) == "failed"
    connection.refresh_from_db()
    assert connection.error_type == "provider_credential_error"
    assert any("provider.connection.error" in r["body"] for r in receiver.requests)


def test_vendor_outage_backs_off_then_gives_up(sandbox, team, live_user, settings):
    connection = _connect_oauth(sandbox, team, live_user, "oura")
    good = connection.credentials
    settings.LINK_SANDBOX_BASE_URL = "http://127.0.0.1:9"  # nothing listens: vendor down
    settings.LINK_PROVIDER_TIMEOUT_SECONDS = 1
    assert connection_refresh(connection_id=connection.pk) == "retry"
    connection.refresh_from_db()
    assert connection.refresh_failures == 1 and connection.status == "connected"
    assert connection.refresh_lease_until > timezone.now()  # backing off
    assert connection_refresh(connection_id=connection.pk) == "busy"
    for _ in range(MAX_TRANSIENT_FAILURES - 1):
        Connection.objects.filter(pk=connection.pk).update(refresh_lease_until=None)
        outcome = connection_refresh(connection_id=connection.pk)
    assert outcome == "failed"
    connection.refresh_from_db()
    assert connection.status == "error" and connection.error_type == "token_refresh_failed"
    assert connection.credentials == good


def test_a_concurrent_refresh_is_skipped_not_doubled(sandbox, team, live_user):
    connection = _connect_oauth(sandbox, team, live_user, "google_health")
    Connection.objects.filter(pk=connection.pk).update(
        refresh_lease_until=timezone.now() + timezone.timedelta(seconds=30)
    )
    assert connection_refresh(connection_id=connection.pk) == "busy"


@pytest.mark.parametrize(
    "provider", ["strava", "withings", "google_health", "oura", "garmin", "wahoo"]
)
def test_deregister_revokes_at_the_vendor(sandbox, team, live_user, provider):
    connection = _connect_oauth(sandbox, team, live_user, provider)
    granted = connection.credentials
    connection_deregister(connection=connection)
    connection.refresh_from_db()
    assert connection.status == "deregistered" and connection.credentials is None
    # The vendor itself no longer honours the grant: even we could not renew it now.
    with pytest.raises(RefreshRejected):
        provider_adapter(provider, team=team).refresh(granted)


@pytest.mark.parametrize("provider", ["oura"])
def test_single_use_refresh_tokens_are_spent_once(sandbox, team, live_user, provider):
    connection = _connect_oauth(sandbox, team, live_user, provider)
    adapter = provider_adapter(provider, team=team)
    adapter.refresh(connection.credentials)
    with pytest.raises(RefreshRejected):
        adapter.refresh(connection.credentials)  # the same token again: the vendor refuses


def test_deregister_with_the_vendor_down_still_forgets(sandbox, team, live_user, settings, caplog):
    connection = _connect_oauth(sandbox, team, live_user, "strava")
    settings.LINK_SANDBOX_BASE_URL = "http://127.0.0.1:9"
    settings.LINK_PROVIDER_TIMEOUT_SECONDS = 1
    connection_deregister(connection=connection)
    connection.refresh_from_db()
    assert connection.status == "deregistered" and connection.credentials is None
    assert "revoking strava connection" in caplog.text


def test_reconnect_updates_the_same_row_and_fixes_an_error(sandbox, team, live_user):
    first = _connect_oauth(sandbox, team, live_user, "oura")
    Connection.objects.filter(pk=first.pk).update(status="error", error_type="token_refresh_failed")
    second = _connect_oauth(sandbox, team, live_user, "oura")
    assert second.pk == first.pk
    assert second.error_type == "" and Connection.objects.count() == 1


def test_reject_duplicate_connection(sandbox, team, live_user):
    team.reject_duplicate_connection = True
    team.save()
    _connect_password(sandbox, team, live_user, "zwift")
    other = end_user_create(team=team, client_user_id="live-bob")
    link_token = link_token_create(team=team, user_id=other.user_id)[1]
    result = connect.connect_password(
        link_token=link_token, provider="zwift", username="user_good", password="pass_good"
    )
    assert (result.state, result.error_type) == ("error", "duplicate_connection")
    assert not Connection.objects.filter(user=other).exists()
    team.reject_duplicate_connection = False
    team.save()
    assert _connect_password(sandbox, team, other, "zwift").user == other


def test_user_refresh_endpoint(sandbox, team, live_user, api):
    connection = _connect_oauth(sandbox, team, live_user, "strava")
    token = connection.credentials["access_token"]
    response = api.post(f"/v2/user/refresh/{live_user.user_id}/")
    assert response.status_code == 200  # the test task backend runs the refresh at once
    body = response.json()
    assert body["success"] and body["refreshed_sources"] == ["strava"]
    connection.refresh_from_db()
    assert connection.credentials["access_token"] != token
    nothing = api.post(f"/v2/user/refresh/{end_user_create(team=team, client_user_id='x').pk}")
    assert nothing.status_code == 400  # as Vital: a user with no connection
    assert nothing.json()["error"] == "user has no connected sources"


def _connect_libre(sandbox, team, user, email="carol@example.com") -> Connection:
    link_token = link_token_create(team=team, user_id=user.user_id)[1]
    result = connect.connect_email(
        link_token=link_token, provider="freestyle_libre", email=email, region="eu"
    )
    assert result.state == "pending", result
    return result.connection


def test_pending_email_connection_becomes_connected(sandbox, team, live_user, receiver):
    connection = _connect_libre(sandbox, team, live_user)
    assert all("provider.connection.created" not in r["body"] for r in receiver.requests)
    assert connection_check_pending(connection_id=connection.pk) == "pending"
    connection.refresh_from_db()
    assert connection.status == "pending" and connection.refresh_lease_until > timezone.now()
    assert connections_due() == []  # the next check waits its turn

    requests.post(
        f"{sandbox.url}/sandbox/freestyle_libre/link_patient",
        data={"email": "carol@example.com"},
        timeout=10,
    )
    Connection.objects.filter(pk=connection.pk).update(refresh_lease_until=None)
    call_command("connections_due", stdout=StringIO())
    connection.refresh_from_db()
    assert connection.status == "connected"
    assert connection.external_user_id == "carol@example.com"
    assert connection.credentials["patient_id"]
    [created] = [
        json.loads(r["body"])
        for r in receiver.requests
        if "provider.connection.created" in r["body"]
    ]
    assert created["data"]["provider"]["slug"] == "freestyle_libre"
    assert created["data"]["external_user_id"] == connection.external_user_id


def test_pending_that_never_links_becomes_an_error(sandbox, team, live_user, receiver, settings):
    # A patient an earlier test linked to the sandbox's practice this very second would be the
    # one new patient this connection takes (the adapter matches by time, LibreLinkUp lists no
    # email): this practice has none.
    cache.delete(LINKS)
    connection = _connect_libre(sandbox, team, live_user, email="never@example.com")
    Connection.objects.filter(pk=connection.pk).update(
        created_on=timezone.now() - timezone.timedelta(days=settings.LINK_PENDING_DAYS + 1)
    )
    assert connection_check_pending(connection_id=connection.pk) == "expired"
    connection.refresh_from_db()
    assert (connection.status, connection.error_type) == ("error", "user_not_found")
    assert any("provider.connection.error" in r["body"] for r in receiver.requests)


def test_the_worker_schedules_the_first_refresh_before_expiry(sandbox, team, live_user, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    connection = _connect_oauth(sandbox, team, live_user, "strava")
    task = DBTaskResult.objects.get(task_path="connections.tasks.connection_due_task")
    assert task.args_kwargs["args"] == [connection.pk]
    assert abs(task.run_after - (connection.expires_at - REFRESH_MARGIN)).total_seconds() < 5
