"""`GET /v2/connections/{user_id}/{provider}/credentials`: a connection's vendor token, for the
team's own pipeline (not in Vital's API: Vital pulls the data itself, a self-hosted Link lets its
owner do it). Needs the `credentials:read` scope; every read is recorded for the console."""

from datetime import datetime
from uuid import UUID

from django.http import JsonResponse
from ninja import Path, Router, Schema

from connections.credentials import CredentialsUnavailable, connection_credentials_read
from connections.models import Connection
from providers.registry import adapter_class
from teams.models import ApiKey

from .auth import scoped_auth
from .schemas import ErrorDetail, NotFoundOut

router = Router(tags=["connections"])

ProviderPath = Path(..., max_length=40)


class CredentialsOut(Schema):
    provider: str
    user_id: UUID
    status: str
    external_user_id: str | None
    access_token: str
    token_type: str
    expires_at: datetime | None
    scopes: list[str]
    region: str | None


class UnavailableDetail(ErrorDetail):
    status: str


class UnavailableOut(Schema):
    detail: UnavailableDetail


class NoConnection(Exception):
    pass


def team_connection(request, user_id: UUID, provider: str) -> Connection:
    """The calling team's live connection of that user to that provider; NoConnection when
    there is none (another team's connections included)."""
    connection = (
        Connection.objects.select_related("user__team")
        .filter(
            user__team=request.auth.team,
            user__deleted_at__isnull=True,
            user__user_id=user_id,
            provider=provider,
        )
        .exclude(status=Connection.Status.DEREGISTERED)
        .first()
    )
    if connection is None or adapter_class(provider) is None:
        raise NoConnection()
    return connection


def not_found(provider: str) -> JsonResponse:
    return JsonResponse({"detail": f"This user has no {provider} connection."}, status=404)


def unavailable(exc: CredentialsUnavailable) -> JsonResponse:
    """400 when only the user can fix it (reconnect, finish linking), 503 with Retry-After when
    the vendor cannot renew the token right now."""
    body = {
        "detail": {
            "error_type": exc.error_type,
            "error_message": exc.message,
            "status": exc.status,
        }
    }
    if exc.retry_after is None:
        return JsonResponse(body, status=400)
    return JsonResponse(body, status=503, headers={"Retry-After": str(exc.retry_after)})


@router.get(
    "connections/{user_id}/{provider}/credentials",
    auth=scoped_auth(ApiKey.Scope.CREDENTIALS_READ),
    response={200: CredentialsOut, 400: UnavailableOut, 404: NotFoundOut, 503: UnavailableOut},
)
def connection_credentials(request, user_id: UUID, provider: str = ProviderPath):
    """The connection's vendor access token, refreshed first when it expires within
    `LINK_CREDENTIALS_MIN_TTL_SECONDS` (300 by default). For a password vendor, the session
    token the vendor issued (never the password). A broken or not yet linked connection answers
    400 with its error; a vendor that cannot renew the token right now, 503 with Retry-After.
    Not in Vital's API. Needs the `credentials:read` scope; every read is recorded."""
    try:
        connection = team_connection(request, user_id, provider)
    except NoConnection:
        return not_found(provider)
    try:
        connection = connection_credentials_read(connection=connection, api_key=request.auth)
    except CredentialsUnavailable as exc:
        return unavailable(exc)
    credentials, vendor = connection.credentials, adapter_class(provider)
    return {
        "provider": provider,
        "user_id": user_id,
        "status": connection.status,
        "external_user_id": connection.external_user_id or None,
        "access_token": credentials["access_token"],
        "token_type": vendor.token_type,
        "expires_at": connection.expires_at,
        "scopes": connection.scopes,
        "region": vendor.region_of(credentials),
    }
