"""Who is calling: a team, by API key (`X-Vital-API-Key`) or by a short-lived bearer token from
the client-credentials endpoint. Either way `request.auth` is the ApiKey, with its team.

The bearer is a JWT (RFC 9068 claims, HS256 with a key derived from SECRET_KEY): the 2022 Vital
SDKs decode it to read `exp`. We verify it on every request and look its API key up, so revoking
the key ends the token too."""

import secrets
import time

import jwt
from django.conf import settings
from django.utils.crypto import salted_hmac
from ninja.security import APIKeyHeader, HttpBearer

from linkwidget.ratelimit import team_rate_limit
from teams.models import ApiKey
from teams.services import api_key_authenticate

_BEARER_SALT = "api.bearer"
_ALGORITHM = "HS256"


def _signing_key(secret: str) -> bytes:
    return salted_hmac(_BEARER_SALT, "jwt", secret=secret, algorithm="sha256").digest()


def bearer_token_issue(*, api_key: ApiKey) -> str:
    now = int(time.time())
    claims = {
        "iss": settings.LINK_PUBLIC_URL,
        "aud": settings.LINK_PUBLIC_URL,
        "sub": str(api_key.team_id),
        "client_id": str(api_key.team_id),
        "key": api_key.pk,
        "iat": now,
        "exp": now + settings.API_BEARER_TTL_SECONDS,
        "jti": secrets.token_urlsafe(12),
    }
    return jwt.encode(claims, _signing_key(settings.SECRET_KEY), algorithm=_ALGORITHM)


def _claims(token: str) -> dict | None:
    # Any audience is accepted at issue (clients send Vital's), so it is not checked here.
    options = {"require": ["exp", "sub", "key"], "verify_aud": False}
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        try:
            return jwt.decode(token, _signing_key(secret), algorithms=[_ALGORITHM], options=options)
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidTokenError:
            return None
    return None


def bearer_token_authenticate(token: str) -> ApiKey | None:
    claims = _claims(token)
    if claims is None:
        return None
    return (
        ApiKey.objects.select_related("team")
        .filter(pk=claims["key"], team_id=claims["sub"], revoked_at__isnull=True)
        .first()
    )


class ScopeMissing(Exception):
    """A valid API key without the scope the operation needs (answered 403)."""

    def __init__(self, scope: str):
        super().__init__(
            f"This API key does not have the '{scope}' scope. An operator grants it on the key's "
            f"page in the console (API keys), or with `manage.py seed_demo --scope {scope}` "
            "for the demo team."
        )


def _allowed(api_key: ApiKey | None, scope: str) -> ApiKey | None:
    """The caller's team pays for the request (raises RateLimited over its limit), and its key
    must have `scope` (raises ScopeMissing)."""
    if api_key is not None:
        team_rate_limit(api_key.team_id)
        if scope not in api_key.scopes:
            raise ScopeMissing(scope)
    return api_key


class TeamApiKey(APIKeyHeader):
    param_name = "X-Vital-API-Key"

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, key):
        return _allowed(api_key_authenticate(key=key or ""), self.scope)


class TeamBearer(HttpBearer):
    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token):
        return _allowed(bearer_token_authenticate(token), self.scope)


def scoped_auth(scope: str) -> list:
    """An operation's auth: a team's API key or bearer token with `scope`."""
    return [TeamApiKey(scope), TeamBearer(scope)]


team_auth = scoped_auth(ApiKey.Scope.LINK)
