"""Where a team receives signed events, the events, and their way to each endpoint. The tables
keep the names they had in `teams` and `connections` before this app held them."""

from django.db import models
from django.db.models.functions import Lower

from teams.crypto import EncryptedJSONField

# An endpoint with this many failed attempts in a row is failing.
FAILING_AFTER = 5


class WebhookEndpointQuerySet(models.QuerySet):
    def failing(self):
        return self.filter(consecutive_failures__gte=FAILING_AFTER)


class WebhookEndpoint(models.Model):
    """Where a team receives signed events. The secret (`whsec_…`) is kept encrypted because
    we need it to sign; it is shown once."""

    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    secret = EncryptedJSONField()
    enabled = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Since the first of the failed attempts in a row.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        db_table = "teams_webhookendpoint"
        constraints = [
            models.UniqueConstraint(Lower("url"), "team", name="unique_team_webhook_url")
        ]

    def __str__(self):
        return self.url


class WebhookMessage(models.Model):
    """One event for one team. Its id is the `svix-id`, the same on every delivery attempt."""

    id = models.CharField(primary_key=True, max_length=40)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="messages")
    event_type = models.CharField(max_length=60)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "connections_webhookmessage"
        indexes = [models.Index(fields=["team", "created_at"])]

    def __str__(self):
        return f"{self.event_type} {self.id}"


class WebhookDelivery(models.Model):
    """A message on its way to one endpoint: retried with backoff, replayable."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "connections_webhookdelivery"
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.message_id} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: what came back and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "connections_webhookattempt"
        ordering = ["attempted_at", "id"]

    def __str__(self):
        return f"{self.status_code or self.error}"
