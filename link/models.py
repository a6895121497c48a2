import uuid

from django.db import models
from django.utils import timezone

from teams.crypto import EncryptedJSONField
from teams.models import EndUser, Team


class LinkToken(models.Model):
    """One link session: what the customer's backend asked for, and where the end user is.
    The token itself is random and stored only as a hash; it is what authorises each step."""

    class State(models.TextChoices):
        PENDING = "pending"
        SUCCESS = "success"
        ERROR = "error"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="link_tokens")
    user = models.ForeignKey(EndUser, on_delete=models.CASCADE, related_name="link_tokens")
    provider = models.CharField(max_length=40, blank=True)
    filter_on_providers = models.JSONField(default=list, blank=True)
    redirect_url = models.CharField(max_length=2000, blank=True)
    on_error = models.CharField(max_length=16, blank=True)
    on_close = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # When the agreement first showed (its OPENED event is recorded then): kept on the row
    # that every step reads, so a reload learns it without a query of its own.
    opened_at = models.DateTimeField(null=True, blank=True)
    consumed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    error_type = models.CharField(max_length=40, blank=True)
    # Credentials or codes the vendor rejected in this session (the token closes at a limit).
    rejected_attempts = models.PositiveSmallIntegerField(default=0)
    # Server-side flow state between steps (OAuth state and PKCE verifier, a vendor's MFA
    # session), encrypted because it can hold vendor secrets.
    flow = EncryptedJSONField(null=True, blank=True)

    class Meta:
        verbose_name = "link session"
        indexes = [models.Index(fields=["team", "created_at"])]

    def __str__(self):
        return f"link session {self.id}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class LinkEvent(models.Model):
    """What happened in a link session, in order. Never holds a secret."""

    class Kind(models.TextChoices):
        CREATED = "created"
        OPENED = "opened"
        PROVIDER_CHOSEN = "provider_chosen"
        SUBMITTED = "submitted"
        MFA_REQUESTED = "mfa_requested"
        OAUTH_STARTED = "oauth_started"
        OAUTH_RETURNED = "oauth_returned"
        CONNECTED = "connected"
        FAILED = "failed"
        CLOSED = "closed"

    link_token = models.ForeignKey(LinkToken, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    provider = models.CharField(max_length=40, blank=True)
    error_type = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self):
        return self.kind


class LinkCode(models.Model):
    """A short code a mobile app exchanges for a link session (`/v2/link/code/create`). Vital's
    format gives it only 32 random bits, so only a keyed hash is stored (a plain hash falls to
    trying every code), and it lives a day at most."""

    code_hash = models.CharField(max_length=64, unique=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    user = models.ForeignKey(EndUser, on_delete=models.CASCADE)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"link code for {self.user_id}"


class OAuthState(models.Model):
    """One trip to a vendor's consent page: the `state` we sent (only its hash is kept), bound
    to a link session, single use and short-lived. The outcome is kept so that a refreshed
    callback shows the same result instead of connecting twice."""

    state_hash = models.CharField(max_length=64, unique=True)
    link_token = models.ForeignKey(LinkToken, on_delete=models.CASCADE, related_name="oauth_states")
    provider = models.CharField(max_length=40)
    # PKCE verifier and region: needed at the callback, secret until then.
    secrets = EncryptedJSONField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)

    def __str__(self):
        return f"{self.provider} sign-in for {self.link_token_id}"
