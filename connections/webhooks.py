"""Signed webhooks, the way Svix signs them, so customers verify with the `svix` or
`standardwebhooks` libraries. A message keeps one `svix-id` across every attempt and replay;
each endpoint gets its own delivery, retried with exponential backoff up to a cap."""

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from providers.catalogue import provider_get
from teams.models import Team, WebhookEndpoint

from .models import Connection, WebhookAttempt, WebhookDelivery, WebhookMessage
from .outbound import Target, UrlRefused, target_post, target_resolve

log = logging.getLogger(__name__)

# An endpoint with this many failed attempts in a row is shown as failing.
FAILING_AFTER = 5


class WebhookUrlRejected(ValueError):
    pass


def webhook_url_check(*, team: Team, url: str) -> Target:
    """The checked target of a team's webhook URL, or WebhookUrlRejected. Production endpoints
    must be https on public addresses, so webhooks cannot be aimed at our own network; sandbox
    teams may use http, and local addresses where LINK_SANDBOX_UNRESTRICTED allows it (a
    development server)."""
    local_ok = team.is_sandbox and settings.LINK_SANDBOX_UNRESTRICTED
    try:
        return target_resolve(
            url,
            schemes=("http", "https") if team.is_sandbox else ("https",),
            public_only=not local_ok,
        )
    except UrlRefused as exc:
        who = "A webhook URL" if team.is_sandbox else "A production team's webhook URL"
        raise WebhookUrlRejected(f"{who} was refused: {exc}") from None


def webhook_sign(*, secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """The `svix-signature` header value for one attempt."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


@dataclass(frozen=True)
class Event:
    event_type: str
    payload: dict


def webhook_send(*, team: Team, events: list[Event]) -> list[WebhookMessage]:
    """Record events and queue a delivery of each to every enabled endpoint of the team, once
    the surrounding transaction commits. Three queries however many events."""
    endpoints = list(team.webhook_endpoints.filter(enabled=True))
    if not endpoints:
        return []
    messages = WebhookMessage.objects.bulk_create(
        WebhookMessage(
            id="msg_" + secrets.token_urlsafe(18),
            team=team,
            event_type=event.event_type,
            payload=json.loads(json.dumps(event.payload, cls=DjangoJSONEncoder)),
        )
        for event in events
    )
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(message=m, endpoint=e, next_attempt_at=now)
        for m in messages
        for e in endpoints
    )
    for delivery in deliveries:
        _enqueue(delivery)
    return messages


def _enqueue(delivery: WebhookDelivery, run_after=None) -> None:
    from .tasks import DEFERRED_PRIORITY, webhook_deliver

    task = webhook_deliver
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # picked up by `manage.py webhooks_retry_due`
        task = task.using(run_after=run_after, priority=DEFERRED_PRIORITY)
    transaction.on_commit(lambda: task.enqueue(delivery.pk))


def _event(event_type: str, *, subject, data: dict) -> Event:
    """Vital's envelope around `data`; `subject` is the connection or link session."""
    user = subject.user
    payload = {
        "event_type": event_type,
        "user_id": str(user.user_id),
        "client_user_id": user.client_user_id,
        "team_id": str(user.team_id),
        "data": data,
    }
    return Event(event_type, payload)


def connection_created_event(*, connection: Connection) -> Event:
    info = provider_get(connection.provider)
    provider = {"name": info.name, "slug": info.slug, "logo": info.logo}
    data = {
        "user_id": str(connection.user_id),
        "provider": provider,
        "source": provider,
        "external_user_id": connection.external_user_id or None,
        "resource_availability": {r: {"status": "available"} for r in info.supported_resources},
    }
    return _event("provider.connection.created", subject=connection, data=data)


def connection_error_event(*, connection: Connection) -> Event:
    data = {
        "provider": connection.provider,
        "user_id": str(connection.user_id),
        "message": connection.error_message,
        "error_type": connection.error_type or "unknown",
        "error_details": connection.error_message,
    }
    return _event("provider.connection.error", subject=connection, data=data)


def link_session_finished_event(*, link_token) -> Event:
    """One event per link session when it ends, for conversion funnels."""
    finished = timezone.now()
    data = {
        "link_session_id": str(link_token.pk),
        "user_id": str(link_token.user_id),
        "state": link_token.state,
        "provider": link_token.provider or None,
        "error_type": link_token.error_type or None,
        "started_at": link_token.created_at,
        "finished_at": finished,
        "duration_ms": int((finished - link_token.created_at).total_seconds() * 1000),
    }
    return _event("link.session.finished", subject=link_token, data=data)


def connection_created_emit(*, connection: Connection) -> None:
    webhook_send(
        team=connection.user.team, events=[connection_created_event(connection=connection)]
    )


def connection_error_emit(*, connection: Connection) -> None:
    webhook_send(team=connection.user.team, events=[connection_error_event(connection=connection)])


def link_session_finished_emit(*, link_token) -> None:
    webhook_send(team=link_token.team, events=[link_session_finished_event(link_token=link_token)])


def webhook_backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 30 s, 2 min, 8 min, … capped at 6 hours."""
    return timedelta(seconds=min(30 * 4 ** (attempts - 1), 6 * 3600))


def _post(endpoint: WebhookEndpoint, message: WebhookMessage) -> tuple[int | None, str]:
    """One signed POST; returns (status code or None, error)."""
    try:
        target = webhook_url_check(team=endpoint.team, url=endpoint.url)
    except WebhookUrlRejected as exc:
        return None, str(exc)
    body = json.dumps(message.payload, separators=(",", ":"))
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "Link-Webhooks/1",
        "svix-id": message.id,
        "svix-timestamp": str(timestamp),
        "svix-signature": webhook_sign(
            secret=endpoint.secret, msg_id=message.id, timestamp=timestamp, body=body
        ),
    }
    try:
        response = target_post(
            target,
            data=body.encode(),
            headers=headers,
            timeout=settings.LINK_WEBHOOK_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: could not reach the endpoint"
    error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return response.status_code, error


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take a due delivery for one attempt. The lease pushes its next attempt past the request
    timeout, so a duplicate task or a second worker skips it; no lock is held over HTTP."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.LINK_WEBHOOK_TIMEOUT_SECONDS + 5)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=lease)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("message", "endpoint__team").get(pk=delivery_id)


def webhook_delivery_attempt(delivery_id: int) -> WebhookDelivery | None:
    """Try one due delivery now; schedule the next attempt, or give up at the cap."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    started = time.monotonic()
    status_code, error = _post(delivery.endpoint, delivery.message)
    latency_ms = int((time.monotonic() - started) * 1000)
    delivery.attempts += 1
    # Ids only: customers put secrets in their endpoints' URLs.
    log.debug(
        "webhook delivery %s attempt %s: %s in %s ms",
        delivery.pk,
        delivery.attempts,
        error or status_code,
        latency_ms,
    )
    delivery.last_status_code = status_code
    delivery.last_error = error
    endpoint = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, status_code=status_code, latency_ms=latency_ms, error=error
        )
        if not error:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.next_attempt_at = None
            endpoint.update(consecutive_failures=0, failing_since=None)
        else:
            endpoint.update(consecutive_failures=F("consecutive_failures") + 1)
            endpoint.filter(failing_since__isnull=True).update(failing_since=timezone.now())
            if delivery.attempts >= settings.LINK_WEBHOOK_MAX_ATTEMPTS:
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = timezone.now() + webhook_backoff(delivery.attempts)
                _enqueue(delivery, run_after=delivery.next_attempt_at)
        delivery.save()
    return delivery


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> None:
    """Send a delivery again from scratch, with the same message id."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    _enqueue(delivery)


def webhook_deliveries_due() -> list[int]:
    """Pending deliveries whose next attempt is due (for backends that cannot defer tasks)."""
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )


def endpoint_is_failing(endpoint: WebhookEndpoint) -> bool:
    return endpoint.consecutive_failures >= FAILING_AFTER
