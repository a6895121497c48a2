from django.db import models
from django.db.models import Q

from teams.crypto import EncryptedJSONField
from teams.models import EndUser


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
    # Background refresh bookkeeping: who holds the refresh now, and failures in a row.
    refresh_lease_until = models.DateTimeField(null=True, blank=True)
    refresh_failures = models.PositiveIntegerField(default=0)
    # Paused by `POST /v2/link/bulk_pause` (before an export): not refreshed until imported.
    paused_at = models.DateTimeField(null=True, blank=True)
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
        indexes = [
            models.Index(fields=["provider", "external_user_id"]),
            # The due-work query (lifecycle.connections_due): tokens expiring soon, pending ones.
            models.Index(fields=["status", "expires_at"], name="connection_due_idx"),
        ]

    def __str__(self):
        return f"{self.provider} for {self.user_id}"


class CredentialRead(models.Model):
    """A connection's vendor credentials handed to an API key (`GET …/credentials`): who read
    them and when. The credentials themselves are not kept here."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="credential_reads"
    )
    # Kept when the key is deleted: the read happened all the same.
    api_key = models.ForeignKey(
        "teams.ApiKey", on_delete=models.SET_NULL, null=True, related_name="credential_reads"
    )
    read_at = models.DateTimeField(auto_now_add=True)
    refreshed = models.BooleanField(default=False, help_text="Refreshed for this read.")

    class Meta:
        ordering = ["-read_at", "-id"]
        indexes = [models.Index(fields=["connection", "-read_at"])]

    def __str__(self):
        return f"{self.connection} read at {self.read_at:%Y-%m-%d %H:%M:%S}"


# What a connection made or renewed starts from: working, nobody refreshing it, no failures.
HEALTHY = {
    "status": Connection.Status.CONNECTED,
    "error_type": "",
    "error_message": "",
    "errored_at": None,
    "refresh_failures": 0,
    "refresh_lease_until": None,
}


class BulkOperation(models.Model):
    """One of a team's Link bulk operations (`/v2/link/bulk_*`), run by a task. The imported
    credentials wait here, encrypted, only until the task has read them."""

    class Kind(models.TextChoices):
        IMPORT = "link_bulk_import"
        HISTORICAL_PULL = "link_bulk_historical_trigger"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        SUCCESS = "success"
        FAILURE = "failure"
        ABORTED = "aborted"

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="bulk_ops")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    provider = models.CharField(max_length=40)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    items = EncryptedJSONField(null=True, blank=True)
    pending = models.PositiveIntegerField()
    processed = models.PositiveIntegerField(default=0)
    user_ids_done = models.JSONField(default=list)
    user_ids_failed = models.JSONField(default=list)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["team", "-started_at"])]

    def __str__(self):
        return f"{self.kind} {self.provider} ({self.status})"
