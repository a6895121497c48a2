import uuid

from django.core.validators import RegexValidator
from django.db import models

from .crypto import EncryptedJSONField


class Team(models.Model):
    """A customer of ours: its API keys, end users and branding."""

    class Environment(models.TextChoices):
        SANDBOX = "sandbox", "Sandbox"
        PRODUCTION = "production", "Production"

    class Region(models.TextChoices):
        US = "us", "US"
        EU = "eu", "EU"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    environment = models.CharField(
        max_length=16, choices=Environment.choices, default=Environment.SANDBOX
    )
    region = models.CharField(max_length=2, choices=Region.choices, default=Region.US)
    logo_url = models.URLField(blank=True)
    accent_color = models.CharField(
        max_length=7,
        default="#2563eb",
        help_text="#rrggbb",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #2563eb.")],
    )
    terms_url = models.URLField(blank=True)
    privacy_url = models.URLField(blank=True)
    allowed_redirect_urls = models.JSONField(
        default=list,
        blank=True,
        help_text="Redirect URLs a link token may use (origin and path prefix).",
    )
    disabled_providers = models.JSONField(
        default=list, blank=True, help_text="Providers this team does not offer its users."
    )
    enabled_providers = models.JSONField(
        default=list,
        blank=True,
        help_text="Beta and legacy providers this team offers in production (sandbox teams are "
        "offered them all).",
    )
    reject_duplicate_connection = models.BooleanField(
        default=False,
        help_text="Refuse a vendor account already connected to another user of this team.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.name} ({self.environment})"

    @property
    def is_sandbox(self) -> bool:
        return self.environment == self.Environment.SANDBOX


def api_key_default_scopes() -> list[str]:
    return [ApiKey.Scope.LINK]


class ApiKey(models.Model):
    """A team API key. Only the prefix (for lookup and display) and a hash are stored; the key
    itself is shown once, when it is created. Its scopes say what it may do: a key has `link`
    (what every key could do before scopes) unless told otherwise; the two scopes that hand a
    connection's vendor access to the caller are granted only explicitly."""

    class Scope(models.TextChoices):
        LINK = "link", "link: the Vital-compatible API (users, link tokens, providers, bulk)"
        CREDENTIALS_READ = "credentials:read", "credentials:read: read connections' vendor tokens"
        PROXY = "proxy", "proxy: call vendors' APIs through Link's proxy"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, default="default")
    prefix = models.CharField(max_length=32, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(default=api_key_default_scopes)

    class Meta:
        verbose_name = "API key"

    def __str__(self):
        return f"{self.prefix}…"


class LiveEndUserManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class EndUser(models.Model):
    """One of a team's end users, known to the team by its own `client_user_id`. A deleted
    user is kept, without connections, for a grace period in which the deletion can be undone
    (as Vital does); `objects` only sees the others."""

    user_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="users")
    client_user_id = models.CharField(max_length=255)
    created_on = models.DateTimeField(auto_now_add=True)
    fallback_time_zone = models.CharField(max_length=64, blank=True)
    fallback_time_zone_updated_at = models.DateTimeField(null=True, blank=True)
    fallback_birth_date = models.DateField(null=True, blank=True)
    fallback_birth_date_updated_at = models.DateTimeField(null=True, blank=True)
    ingestion_start = models.CharField(max_length=32, blank=True)
    ingestion_end = models.CharField(max_length=32, blank=True)
    # Demographics (`PATCH /v2/user/{id}/info`): personal data, so encrypted at rest.
    info = EncryptedJSONField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = LiveEndUserManager()
    with_deleted = models.Manager()  # noqa: DJ012 (ruff reads a second manager as a field)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "client_user_id"],
                condition=models.Q(deleted_at__isnull=True),
                name="unique_client_user",
            )
        ]
        ordering = ["created_on", "user_id"]
        base_manager_name = "with_deleted"

    def __str__(self):
        return self.client_user_id


class ProviderApp(models.Model):
    """A team's own OAuth app at a vendor, used instead of the operator's (LINK_OAUTH_APPS)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="provider_apps")
    provider = models.CharField(max_length=40)
    client_id = models.CharField(max_length=255)
    client_secret = EncryptedJSONField()
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "provider"], name="one_app_per_team_provider")
        ]

    def __str__(self):
        return f"{self.provider} app of {self.team_id}"
