"""Who is calling: a team, by API key (`X-Vital-API-Key`) or by a short-lived bearer token from
the client-credentials endpoint. Either way `request.auth` is the ApiKey, with its team.

The bearer is a JWT (RFC 9068 claims, HS256 with a key derived from SECRET_KEY): the 2022 Vital
SDKs decode it to read `exp`. We verify it on every request and look its API key up, so revoking
the key ends the token too.

The credentials are checked once per request, by the rate limiter (which counts the team's
requests, linkwidget/ratelimit.py), and the operation's auth reads the answer."""

import secrets
import time

import jwt
from django.conf import settings
from django.utils.crypto import salted_hmac
from ninja.security import APIKeyHeader, HttpBearer

from teams.keys_in_use import api_key_used
from teams.models import ApiKey
from teams.services import api_key_active, api_key_authenticate

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
    return api_key_active(pk=claims["key"], team_id=claims["sub"])


def caller(request) -> ApiKey | None:
    """The API key the request's credentials name (`X-Vital-API-Key`, else a bearer token), or
    None; looked up once per request."""
    if not hasattr(request, "_caller"):
        key = request.headers.get(TeamApiKey.param_name)
        api_key = api_key_authenticate(key=key) if key else None
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if api_key is None and scheme.lower() == "bearer" and token:
            api_key = bearer_token_authenticate(token)
        request._caller = api_key
    return request._caller


class ScopeMissing(Exception):
    """A valid API key without the scope the operation needs (answered 403)."""

    def __init__(self, scope: str):
        super().__init__(
            f"This API key does not have the '{scope}' scope. An operator grants it on the key's "
            f"page in the console (API keys), or with `manage.py seed_demo --scope {scope}` "
            "for the demo team."
        )


def _authenticated(request, scope: str) -> ApiKey | None:
    """The caller's key for an operation that takes the team's credentials, if it has `scope`
    (else raises ScopeMissing); only such a use stamps it (a link-token operation that is sent
    the key too leaves it as it was)."""
    api_key = caller(request)
    if api_key is not None:
        if scope not in api_key.scopes:
            raise ScopeMissing(scope)
        api_key_used(api_key)
    return api_key


class TeamApiKey(APIKeyHeader):
    param_name = "X-Vital-API-Key"

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, key):
        return _authenticated(request, self.scope)


class TeamBearer(HttpBearer):
    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token):
        return _authenticated(request, self.scope)


def scoped_auth(scope: str) -> list:
    """An operation's auth: a team's API key or bearer token with `scope`."""
    return [TeamApiKey(scope), TeamBearer(scope)]


team_auth = scoped_auth(ApiKey.Scope.LINK)
