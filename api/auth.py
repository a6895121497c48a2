"""Who is calling: a team, by API key (`X-Vital-API-Key`) or by a short-lived bearer token from
the client-credentials endpoint. Either way `request.auth` is the ApiKey, with its team."""

from django.conf import settings
from django.core import signing
from ninja.security import APIKeyHeader, HttpBearer

from linkwidget.ratelimit import team_rate_limit
from teams.models import ApiKey
from teams.services import api_key_authenticate

_BEARER_SALT = "api.bearer"


def bearer_token_issue(*, api_key: ApiKey) -> str:
    return signing.dumps({"k": api_key.pk}, salt=_BEARER_SALT, compress=True)


def bearer_token_authenticate(token: str) -> ApiKey | None:
    try:
        payload = signing.loads(token, salt=_BEARER_SALT, max_age=settings.API_BEARER_TTL_SECONDS)
    except signing.BadSignature:
        return None
    return (
        ApiKey.objects.select_related("team")
        .filter(pk=payload.get("k"), revoked_at__isnull=True)
        .first()
    )


def _counted(api_key: ApiKey | None) -> ApiKey | None:
    """The caller's team pays for the request (raises RateLimited over its limit)."""
    if api_key is not None:
        team_rate_limit(api_key.team_id)
    return api_key


class TeamApiKey(APIKeyHeader):
    param_name = "X-Vital-API-Key"

    def authenticate(self, request, key):
        return _counted(api_key_authenticate(key=key or ""))


class TeamBearer(HttpBearer):
    def authenticate(self, request, token):
        return _counted(bearer_token_authenticate(token))


team_auth = [TeamApiKey(), TeamBearer()]
