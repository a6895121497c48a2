import hashlib
import hmac
import secrets
import string

from django.db import IntegrityError, transaction
from django.utils import timezone

from .keys_in_use import api_key_forget, api_key_found
from .models import ApiKey, EndUser, Team

_KEY_ALPHABET = string.ascii_letters + string.digits
_KEY_PREFIX_LENGTH = 14  # "sk_us_" and 8 random characters: enough to find the row


def secret_hash(value: str) -> str:
    """Hash of a high-entropy secret (API key, link token). No salt or stretching is needed:
    the secrets are random, not chosen by people."""
    return hashlib.sha256(value.encode()).hexdigest()


def api_key_scheme(*, team: Team) -> str:
    """Vital's key shape: `sk_` for sandbox, `pk_` for production, then the region."""
    kind = "sk" if team.is_sandbox else "pk"
    return f"{kind}_{team.region}_"


def api_key_create(
    *, team: Team, name: str = "default", key: str | None = None, scopes: list[str] | None = None
) -> tuple[str, ApiKey]:
    """Create an API key (with `scopes`, else the default ones); returns the plaintext key (shown
    once) and its row."""
    if key is None:
        key = api_key_scheme(team=team) + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(40))
    elif len(key) < 32:
        raise ValueError("An API key must be at least 32 characters long.")
    api_key = ApiKey(
        team=team, name=name, prefix=key[:_KEY_PREFIX_LENGTH], key_hash=secret_hash(key)
    )
    if scopes is not None:
        api_key.scopes = api_key_scopes_clean(scopes)
    api_key.save()
    return key, api_key


def api_key_scopes_clean(scopes) -> list[str]:
    """The scopes as stored (known ones, each once, in a fixed order); ValueError names any
    unknown one."""
    unknown = set(scopes) - set(ApiKey.Scope.values)
    if unknown:
        raise ValueError(
            f"Unknown scope(s): {', '.join(sorted(unknown))}. "
            f"Choose from: {', '.join(ApiKey.Scope.values)}."
        )
    return [scope for scope in ApiKey.Scope.values if scope in scopes]


def api_key_authenticate(*, key: str) -> ApiKey | None:
    """The active key matching `key`, with its team, or None (teams/keys_in_use.py keeps it
    for a second)."""
    if not key or len(key) < _KEY_PREFIX_LENGTH:
        return None
    digest = secret_hash(key)
    api_key = api_key_found(
        ("hash", digest),
        lambda: (
            ApiKey.objects.select_related("team")  # built only on a miss: it costs
            .filter(prefix=key[:_KEY_PREFIX_LENGTH], revoked_at__isnull=True)
            .first()
        ),
    )
    if api_key is None or not hmac.compare_digest(api_key.key_hash, digest):
        return None
    return api_key


def api_key_active(*, pk, team_id) -> ApiKey | None:
    """The team's active key `pk`, with its team, or None (kept for a second, as above)."""
    return api_key_found(
        ("pk", pk, str(team_id)),
        lambda: (
            ApiKey.objects.select_related("team")
            .filter(pk=pk, team_id=team_id, revoked_at__isnull=True)
            .first()
        ),
    )


def api_key_revoke(*, api_key: ApiKey) -> None:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key_forget(api_key)


class DuplicateUser(Exception):
    def __init__(self, existing: EndUser):
        super().__init__("Client user id already exists.")
        self.existing = existing


def end_user_create(*, team: Team, client_user_id: str, **fields) -> EndUser:
    """Create an end user; a `client_user_id` the team already uses raises DuplicateUser."""
    return end_user_save(user=EndUser(team=team, client_user_id=client_user_id), **fields)


def end_user_apply(
    *,
    user: EndUser,
    fallback_time_zone=None,
    fallback_birth_date=None,
    ingestion_start=None,
    ingestion_end=None,
    client_user_id=None,
) -> None:
    """Set the given fields (None means unchanged), stamping the fallbacks' update times."""
    now = timezone.now()
    if fallback_time_zone is not None:
        user.fallback_time_zone = fallback_time_zone
        user.fallback_time_zone_updated_at = now
    if fallback_birth_date is not None:
        user.fallback_birth_date = fallback_birth_date
        user.fallback_birth_date_updated_at = now
    if ingestion_start is not None:
        user.ingestion_start = ingestion_start
    if ingestion_end is not None:
        user.ingestion_end = ingestion_end
    if client_user_id is not None:
        user.client_user_id = client_user_id


def end_user_save(*, user: EndUser, **fields) -> EndUser:
    """Apply `fields` and save; a `client_user_id` taken in the team raises DuplicateUser."""
    end_user_apply(user=user, **fields)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        existing = EndUser.objects.filter(
            team_id=user.team_id, client_user_id=user.client_user_id
        ).first()
        if existing is None:
            raise
        raise DuplicateUser(existing) from None
    return user
