"""Signed webhooks, the way Svix signs them (the `standardwebhooks` library, which the `svix`
one wraps), so customers verify them with either. A message keeps one `svix-id` across every
attempt and replay; each endpoint gets its own delivery, retried with exponential backoff up to
a cap."""

import base64
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
from standardwebhooks.webhooks import Webhook

from teams.models import Team

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from .outbound import Target, UrlRefused, target_post, target_resolve

log = logging.getLogger(__name__)


# -- endpoints --------------------------------------------------------------------------------


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


def webhook_secret_generate() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def webhook_endpoint_upsert(*, team: Team, url: str, secret: str | None = None) -> WebhookEndpoint:
    """Create or re-enable the team's endpoint for `url`. Raises WebhookUrlRejected for a URL
    production may not use."""
    webhook_url_check(team=team, url=url)
    endpoint = team.webhook_endpoints.filter(url__iexact=url).first()
    if endpoint is None:
        endpoint = WebhookEndpoint(team=team, url=url)
    endpoint.secret = secret or endpoint.secret or webhook_secret_generate()
    endpoint.enabled = True
    endpoint.save()
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new secret and return it (shown once)."""
    endpoint.secret = webhook_secret_generate()
    endpoint.save(update_fields=["secret"])
    return endpoint.secret


# -- sending ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    event_type: str
    payload: dict


def webhook_event(event_type: str, *, user, data: dict) -> Event:
    """Vital's envelope around `data`, for an event about one of the team's end users."""
    payload = {
        "event_type": event_type,
        "user_id": str(user.user_id),
        "client_user_id": user.client_user_id,
        "team_id": str(user.team_id),
        "data": data,
    }
    return Event(event_type, payload)


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


# -- delivering -------------------------------------------------------------------------------


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
    sent_at = timezone.now()
    headers = {
        "content-type": "application/json",
        "user-agent": "Link-Webhooks/1",
        "svix-id": message.id,
        "svix-timestamp": str(int(sent_at.timestamp())),
        "svix-signature": Webhook(endpoint.secret).sign(message.id, sent_at, body),
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
