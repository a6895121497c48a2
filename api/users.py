from uuid import UUID

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from connections.models import Connection
from connections.selectors import visible_connections
from connections.services import connection_deregister, end_user_delete
from connections.tasks import connection_refresh_task
from providers.catalogue import CATALOGUE, provider_get
from teams.models import EndUser
from teams.services import DuplicateUser, end_user_create, end_user_save

from .auth import team_auth
from .schemas import (
    ConnectedProvidersOut,
    DuplicateUserOut,
    NotFoundOut,
    SuccessOut,
    UserCreateIn,
    UserListOut,
    UserOut,
    UserPatchIn,
    UserRefreshOut,
)

router = Router(tags=["user"], auth=team_auth)

_live_connections = Prefetch(
    "connections",
    queryset=Connection.objects.filter(status__in=["connected", "error"]).order_by("created_on"),
)


def _team_users(request):
    return EndUser.objects.filter(team=request.auth.team)


def _provider_out(slug: str) -> dict:
    info = provider_get(slug)
    return {
        "name": info.name if info else slug,
        "slug": slug,
        "logo": info.logo if info else "",
    }


def user_out(user: EndUser) -> dict:
    sources = []
    for connection in visible_connections(user.connections.all()):
        provider = _provider_out(connection.provider)
        sources.append(
            {"provider": provider, "source": provider, "created_on": connection.created_on}
        )
    return {
        "user_id": user.user_id,
        "team_id": user.team_id,
        "client_user_id": user.client_user_id,
        "created_on": user.created_on,
        "connected_sources": sources,
        "fallback_time_zone": {
            "id": user.fallback_time_zone,
            "source_slug": "manual",
            "updated_at": user.fallback_time_zone_updated_at,
        }
        if user.fallback_time_zone
        else None,
        "fallback_birth_date": {
            "value": user.fallback_birth_date,
            "source_slug": "manual",
            "updated_at": user.fallback_birth_date_updated_at,
        }
        if user.fallback_birth_date
        else None,
        "ingestion_start": user.ingestion_start or None,
        "ingestion_end": user.ingestion_end or None,
    }


def _duplicate_body(exc: DuplicateUser) -> dict:
    return {
        "detail": {
            "error_type": "INVALID_REQUEST",
            "error_message": "Client user id already exists.",
            "user_id": exc.existing.user_id,
            "created_on": exc.existing.created_on,
        }
    }


def _get_user(request, user_id: UUID) -> EndUser:
    return get_object_or_404(_team_users(request).prefetch_related(_live_connections), pk=user_id)


@router.post("user", response={200: UserOut, 400: DuplicateUserOut})
def user_create(request, payload: UserCreateIn):
    """Create a user. A `client_user_id` the team already uses answers 400 with the existing
    user's id."""
    try:
        user = end_user_create(team=request.auth.team, **payload.dict())
    except DuplicateUser as exc:
        return Status(400, _duplicate_body(exc))
    user._prefetched_objects_cache = {"connections": Connection.objects.none()}
    return user_out(user)


class Page(Schema):
    offset: int = Field(0, ge=0, le=2**63 - 1)  # the databases' largest integer
    limit: int = Field(100, ge=1, le=500)


@router.get("user", response=UserListOut)
def user_list(request, page: Query[Page]):
    users = _team_users(request)
    rows = users.prefetch_related(_live_connections)[page.offset : page.offset + page.limit]
    return {
        "users": [user_out(u) for u in rows],
        "total": users.count(),
        "offset": page.offset,
        "limit": page.limit,
    }


@router.get("user/resolve/{client_user_id}", response={200: UserOut, 404: NotFoundOut})
def user_resolve(request, client_user_id: str):
    return user_out(
        get_object_or_404(
            _team_users(request).prefetch_related(_live_connections),
            client_user_id=client_user_id,
        )
    )


@router.get("user/providers/{user_id}", response={200: ConnectedProvidersOut, 404: NotFoundOut})
def user_connected_providers(request, user_id: UUID):
    user = _get_user(request, user_id)
    providers = []
    for connection in visible_connections(user.connections.all()):
        errored = connection.status == Connection.Status.ERROR
        info = provider_get(connection.provider)
        providers.append(
            {
                **_provider_out(connection.provider),
                "created_on": connection.created_on,
                "status": connection.status,
                "resource_availability": {
                    resource: {"status": "available"}
                    for resource in (info.supported_resources if info else ())
                },
                "external_user_id": connection.external_user_id or None,
                "error_details": {
                    "error_type": connection.error_type or "unknown",
                    "error_message": connection.error_message,
                    "errored_at": connection.errored_at or connection.updated_at,
                }
                if errored
                else None,
            }
        )
    return {"providers": providers}


@router.post("user/refresh/{user_id}", response={200: UserRefreshOut, 404: NotFoundOut})
def user_refresh(request, user_id: UUID, timeout: float | None = None):
    """Queue a refresh of every connection of the user. `timeout` is accepted for
    compatibility; the refresh always runs in the background."""
    user = get_object_or_404(_team_users(request).prefetch_related(_live_connections), pk=user_id)
    connections = visible_connections(user.connections.all())
    for connection in connections:
        connection_refresh_task.enqueue(connection.pk)
    return {
        "success": True,
        "user_id": user.user_id,
        "refreshed_sources": [],
        "in_progress_sources": [c.provider for c in connections],
        "failed_sources": [],
    }


@router.get("user/{user_id}", response={200: UserOut, 404: NotFoundOut})
def user_get(request, user_id: UUID):
    return user_out(_get_user(request, user_id))


@router.patch("user/{user_id}", response={204: None, 400: DuplicateUserOut, 404: NotFoundOut})
def user_patch(request, user_id: UUID, payload: UserPatchIn):
    user = get_object_or_404(_team_users(request), pk=user_id)
    try:
        end_user_save(user=user, **payload.dict(exclude_unset=True))
    except DuplicateUser as exc:
        return Status(400, _duplicate_body(exc))
    return HttpResponse(status=204)


@router.delete("user/{user_id}", response={200: SuccessOut, 404: NotFoundOut})
def user_delete(request, user_id: UUID):
    """Delete a user, deregistering every connection first."""
    end_user_delete(user=get_object_or_404(_team_users(request), pk=user_id))
    return {"success": True}


@router.delete("user/{user_id}/{provider}", response={200: SuccessOut, 404: NotFoundOut})
def user_deregister_provider(request, user_id: UUID, provider: str):
    user = get_object_or_404(_team_users(request), pk=user_id)
    if provider not in CATALOGUE:
        return Status(404, {"detail": f"Unknown provider '{provider}'."})
    connection = get_object_or_404(
        user.connections.exclude(status=Connection.Status.DEREGISTERED), provider=provider
    )
    connection_deregister(connection=connection)
    return {"success": True}
