import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from svix.webhooks import Webhook, WebhookVerificationError

from connections.events import connection_created_emit
from connections.models import Connection
from link.models import LinkToken
from link.services import link_session_finished_event
from teams.services import end_user_create
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from webhooks.services import (
    WebhookUrlRejected,
    webhook_delivery_attempt,
    webhook_delivery_replay,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_upsert,
    webhook_send,
    webhook_url_check,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def connection(team):
    user = end_user_create(team=team, client_user_id="hooked")
    return Connection.objects.create(
        user=user,
        provider="oura",
        status="connected",
        external_user_id="oura-42",
        credentials={"access_token": "never-in-a-webhook"},
    )


def _verify(endpoint, request) -> dict:
    """Verify as a customer would (raises on a bad signature) and return the payload."""
    Webhook(endpoint.secret).verify(request["body"], request["headers"])
    return json.loads(request["body"])


def test_connection_created_is_signed_the_svix_way(endpoint, receiver, connection):
    connection_created_emit(connection=connection)
    assert len(receiver.requests) == 1
    payload = _verify(endpoint, receiver.requests[0])
    assert payload["event_type"] == "provider.connection.created"
    assert payload["client_user_id"] == "hooked"
    assert payload["data"]["provider"]["slug"] == "oura"
    assert payload["data"]["source"] == payload["data"]["provider"]
    assert payload["data"]["external_user_id"] == "oura-42"
    assert "never-in-a-webhook" not in receiver.requests[0]["body"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded" and delivery.log.get().status_code == 200


def test_a_wrong_secret_or_tampered_body_fails_verification(endpoint, receiver, connection):
    connection_created_emit(connection=connection)
    request = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 32).verify(request["body"], request["headers"])
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request["body"].replace("oura", "ouRa"), request["headers"])


def test_retries_back_off_keep_the_svix_id_and_succeed(endpoint, receiver, connection):
    receiver.statuses = [500, 503]
    connection_created_emit(connection=connection)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)

    assert webhook_delivery_attempt(delivery.pk) is None  # not due yet: nothing sent
    assert len(receiver.requests) == 1

    for expected_wait in (timedelta(minutes=2), None):
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        call_command("webhooks_retry_due", stdout=StringIO())
        delivery.refresh_from_db()
        if expected_wait:
            assert delivery.next_attempt_at - timezone.now() > expected_wait - timedelta(seconds=5)
    assert delivery.status == "succeeded" and delivery.attempts == 3
    assert len({r["headers"]["svix-id"] for r in receiver.requests}) == 1
    assert [a.status_code for a in delivery.log.all()] == [500, 503, 200]
    assert all(_verify(endpoint, r) for r in receiver.requests)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.failing_since is None


def test_the_cap_gives_up_marks_the_endpoint_failing_and_replay_delivers(
    endpoint, receiver, connection, settings
):
    settings.LINK_WEBHOOK_MAX_ATTEMPTS = 5
    receiver.statuses = [500] * 5
    connection_created_emit(connection=connection)
    delivery = WebhookDelivery.objects.get()
    for retry in range(6):  # the first attempt ran on sending
        WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())
        webhook_delivery_attempt(delivery.pk)
        endpoint.refresh_from_db()
        # Failing from the fifth failure in a row, in the dashboard's list too.
        failing = retry + 2 >= 5
        assert endpoint.failing_since is not None
        assert list(WebhookEndpoint.objects.failing()) == ([endpoint] if failing else [])
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 5
    assert len(receiver.requests) == 5

    webhook_delivery_replay(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert len({r["headers"]["svix-id"] for r in receiver.requests}) == 1
    assert delivery.log.count() == 6


def test_unreachable_endpoint_is_logged_not_raised(team, connection, settings):
    settings.LINK_WEBHOOK_TIMEOUT_SECONDS = 1
    webhook_endpoint_upsert(team=team, url="http://127.0.0.1:9/closed")
    connection_created_emit(connection=connection)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "could not reach" in delivery.log.get().error


def test_no_endpoint_means_no_message(connection):
    connection_created_emit(connection=connection)
    assert not WebhookMessage.objects.exists()


def test_link_session_finished(endpoint, receiver, team, connection):
    token = LinkToken.objects.create(
        token_hash="h" * 64,
        team=team,
        user=connection.user,
        provider="oura",
        expires_at=timezone.now() + timedelta(hours=1),
        state="error",
        error_type="provider_credential_error",
    )
    webhook_send(team=team, events=[link_session_finished_event(link_token=token)])
    data = _verify(endpoint, receiver.requests[0])["data"]
    assert data["link_session_id"] == str(token.pk)
    assert data["state"] == "error" and data["error_type"] == "provider_credential_error"
    assert data["duration_ms"] >= 0


def test_rotated_secret_signs_new_messages(endpoint, receiver, connection):
    old = endpoint.secret
    new = webhook_endpoint_rotate_secret(endpoint=endpoint)
    assert new != old and new.startswith("whsec_")
    connection_created_emit(connection=connection)
    Webhook(new).verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://192.168.0.10/x",
        "ftp://93.184.216.34/x",
        "https:///nohost",
    ],
)
def test_production_refuses_plain_http_and_private_addresses(other_team, url):
    with pytest.raises(WebhookUrlRejected):
        webhook_url_check(team=other_team, url=url)
    with pytest.raises(WebhookUrlRejected):
        webhook_endpoint_upsert(team=other_team, url=url)


def test_production_accepts_public_https_and_sandbox_accepts_local(team, other_team):
    webhook_url_check(team=other_team, url="https://93.184.216.34/hook")
    webhook_url_check(team=team, url="http://127.0.0.1:8000/hook")


def test_database_backend_defers_retries(endpoint, receiver, connection, settings):
    """With django-tasks-db, a failed attempt enqueues a deferred task for the backoff time,
    and the worker delivers it once due."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receiver.statuses = [500]
    connection_created_emit(connection=connection)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    assert len(receiver.requests) == 1
    deferred = DBTaskResult.objects.filter(status="READY").get()
    assert deferred.run_after > timezone.now() + timedelta(seconds=20)
    DBTaskResult.objects.update(run_after=timezone.now())
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    assert WebhookDelivery.objects.get().status == "succeeded"
    assert json.loads(receiver.requests[1]["body"])["event_type"] == "provider.connection.created"
