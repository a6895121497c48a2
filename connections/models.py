from django.db import models
from django.db.models import Q

from teams.models import EndUser

from .crypto import EncryptedJSONField


class Connection(models.Model):
    """An end user's link to one provider account. Credentials (tokens, or a password where the
    vendor offers nothing else) are encrypted; at most one live connection per user and
    provider."""

    class Status(models.TextChoices):
        CONNECTED = "connected"
        PENDING = "pending"
        ERROR = "error"
        DEREGISTERED = "deregistered"

    user = models.ForeignKey(EndUser, on_delete=models.CASCADE, related_name="connections")
    provider = models.CharField(max_length=40)
    status = models.CharField(max_length=16, choices=Status.choices)
    external_user_id = models.CharField(max_length=255, blank=True)
    credentials = EncryptedJSONField(null=True, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error_type = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    errored_at = models.DateTimeField(null=True, blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    created_on = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "provider"],
                condition=~Q(status="deregistered"),
                name="one_live_connection_per_provider",
            )
        ]
        indexes = [models.Index(fields=["provider", "external_user_id"])]

    def __str__(self):
        return f"{self.provider} for {self.user_id}"
