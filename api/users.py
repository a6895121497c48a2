from datetime import datetime
from types import SimpleNamespace
from uuid import UUID

from django.db.models import Count, FilteredRelation, Prefetch, Q
from django.db.models.functions import TruncWeek
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.tasks import TaskResultStatus
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from connections.models import Connection
from connections.selectors import VISIBLE_STATUSES, visible_connections
from connections.services import (
    UndoImpossible,
    connection_deregister,
    end_user_delete,
    end_user_undo_delete,
)
from connections.tasks import connection_refresh_task
from health.pulling import pulls_enqueue
from link.services import link_token_create, link_web_url
from providers.catalogue import provider_get
from teams.models import EndUser
from teams.services import DuplicateUser, end_user_create, end_user_save

from .auth import team_auth
from .enums import Providers
from .schemas import (
    ConnectedProvidersOut,
    DeviceOut,
    DuplicateUserOut,
    MetricsOut,
    NotFoundOut,
    PortalUrlIn,
    PortalUrlOut,
    SignInTokenOut,
    SuccessOut,
    UserCreateIn,
    UserInfo,
    UserListOut,
    UserOut,
    UserPatchIn,
    UserRefreshErrorOut,
    UserRefreshOut,
)
from .waiting import wait_until

router = Router(tags=["user"], auth=team_auth)

_live_connections = Prefetch(
    "connections",
    queryset=Connection.objects.filter(status__in=VISIBLE_STATUSES).order_by("created_on"),
)


def _team_users(request):
    return EndUser.objects.filter(team=request.auth.team)


def _shown_users(request):
    """The team's users with their live connections, as the list and connection reads show them."""
    return _team_users(request).prefetch_related(_live_connections)


def _provider_out(slug: str) -> dict:
    info = provider_get(slug)
    return {
        "name": info.name if info else slug,
        "slug": slug,
        "logo": info.logo if info else "",
    }


def user_out(user, sources: list[tuple[str, datetime]]) -> dict:
    """A user (an EndUser, or a row with its fields) and its live connections' providers and
    creation times, as Vital shows them."""
    connected = []
    for slug, created_on in sources:
        provider = _provider_out(slug)
        connected.append({"provider": provider, "source": provider, "created_on": created_on})
    return {
        "user_id": user.user_id,
        "team_id": user.team_id,
        "client_user_id": user.client_user_id,
        "created_on": user.created_on,
        "connected_sources": connected,
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
    return get_object_or_404(_shown_users(request), pk=user_id)


def _live_sources(user: EndUser) -> list[tuple[str, datetime]]:
    return [(c.provider, c.created_on) for c in visible_connections(user.connections.all())]


_SHOWN_FIELDS = (
    "user_id",
    "team_id",
    "client_user_id",
    "created_on",
    "fallback_time_zone",
    "fallback_time_zone_updated_at",
    "fallback_birth_date",
    "fallback_birth_date_updated_at",
    "ingestion_start",
    "ingestion_end",
)


def _read_user(request, **lookup) -> dict:
    """One user of the team as a user read shows it, in one query that builds no model (the
    ORM's get and prefetch were most of `GET /v2/user/{id}`)."""
    live = FilteredRelation("connections", condition=Q(connections__status__in=VISIBLE_STATUSES))
    rows = list(
        _team_users(request)
        .filter(**lookup)
        .annotate(live=live)
        .values(*_SHOWN_FIELDS, "live__provider", "live__created_on")
        .order_by("live__created_on")
    )
    if not rows:
        raise Http404
    user = SimpleNamespace(**{field: rows[0][field] for field in _SHOWN_FIELDS})
    sources = [(r["live__provider"], r["live__created_on"]) for r in rows if r["live__provider"]]
    return user_out(user, sources)


@router.post("user", response={200: UserOut, 400: DuplicateUserOut})
def user_create(request, payload: UserCreateIn):
    """Create a user. A `client_user_id` the team already uses answers 400 with the existing
    user's id."""
    try:
        user = end_user_create(team=request.auth.team, **payload.model_dump(mode="json"))
    except DuplicateUser as exc:
        return Status(400, _duplicate_body(exc))
    return user_out(user, [])


class Page(Schema):
    offset: int = Field(0, ge=0, le=2**63 - 1)  # the databases' largest integer
    limit: int = Field(100, ge=1, le=500)


@router.get("user", response=UserListOut)
def user_list(request, page: Query[Page]):
    rows = _shown_users(request)[page.offset : page.offset + page.limit]
    return {
        "users": [user_out(u, _live_sources(u)) for u in rows],
        "total": _team_users(request).count(),
        "offset": page.offset,
        "limit": page.limit,
    }


@router.get("user/resolve/{client_user_id}", response={200: UserOut, 404: NotFoundOut})
def user_resolve(request, client_user_id: str):
    return _read_user(request, client_user_id=client_user_id)


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


# What a refresh task's outcome (connections.lifecycle.connection_refresh) means to the caller.
_REFRESH_DONE = {"refreshed", "not_needed"}
_REFRESH_FAILED = {"retry", "failed"}


class RefreshQuery(Schema):
    timeout: float = Field(10, ge=5, le=60, description="Seconds to wait for the refresh.")


@router.post(
    "user/refresh/{user_id}",
    response={200: UserRefreshOut, 202: UserRefreshOut, 400: UserRefreshErrorOut, 404: NotFoundOut},
)
def user_refresh(request, user_id: UUID, query: Query[RefreshQuery]):
    """Refresh every connection of the user in the background, waiting up to `timeout`
    seconds: 200 when all are done, 202 with the rest in `in_progress_sources`; then pull what
    is new from each (not waited for). A source is a provider slug. A user with no connection
    answers 400, as Vital does."""
    user = _get_user(request, user_id)
    connections = visible_connections(user.connections.all())
    if not connections:
        return Status(
            400,
            {
                "success": False,
                "user_id": user.user_id,
                "error": "user has no connected sources",
                "failed_sources": [],
            },
        )
    results = {c.provider: connection_refresh_task.enqueue(c.pk) for c in connections}
    for connection in connections:  # then what is new, in the background
        pulls_enqueue(connection_id=connection.pk)

    def finished() -> bool:
        for result in results.values():
            if not result.is_finished:
                result.refresh()
        return all(result.is_finished for result in results.values())

    wait_until(finished, query.timeout)
    sources = {"refreshed_sources": [], "in_progress_sources": [], "failed_sources": []}
    for provider, result in results.items():
        outcome = result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None
        if outcome in _REFRESH_DONE:
            sources["refreshed_sources"].append(provider)
        elif outcome in _REFRESH_FAILED or result.status == TaskResultStatus.FAILED:
            sources["failed_sources"].append(provider)
        else:
            sources["in_progress_sources"].append(provider)
    status = 202 if sources["in_progress_sources"] else 200
    return Status(status, {"success": True, "user_id": user.user_id, **sources})


@router.get("user/metrics", response=MetricsOut)
def user_metrics(request):
    """The team's users and connections, and connections made per week (`value`: that week,
    `all`: up to its end)."""
    team = request.auth.team
    connections = Connection.objects.filter(
        user__in=_team_users(request), status__in=VISIBLE_STATUSES
    )
    weeks = (
        connections.annotate(week=TruncWeek("created_on"))
        .values("week")
        .annotate(made=Count("pk"))
        .order_by("week")
    )
    points, total = [], 0
    for week in weeks:
        total += week["made"]
        points.append({"date": week["week"], "value": week["made"], "all": total})
    return {
        "team_id": team.pk,
        "number_of_connected_sources": connections.count(),
        "number_of_users": _team_users(request).count(),
        "number_of_errored_connected_sources": connections.filter(
            status=Connection.Status.ERROR
        ).count(),
        "number_of_connected_sources_by_week": points,
        "number_of_ordered_tests": 0,
    }


class UndoDeleteQuery(Schema):
    user_id: UUID | None = Field(None, description="Mutually exclusive with `client_user_id`.")
    client_user_id: str | None = Field(
        None, max_length=255, description="Mutually exclusive with `user_id`."
    )


@router.post("user/undo_delete", response={200: SuccessOut, 400: NotFoundOut, 404: NotFoundOut})
def user_undo_delete(request, query: Query[UndoDeleteQuery]):
    """Restore a user deleted in the last seven days, by `user_id` or `client_user_id`. Its
    connections are not restored (as at Vital): the user connects again. 400 when the team has
    since created a user with the same `client_user_id`, or unless exactly one id is given."""
    if (query.user_id is None) == (query.client_user_id is None):
        # Not a 422: no OpenAPI schema can say "exactly one of two query parameters".
        return Status(400, {"detail": "Give exactly one of user_id and client_user_id."})
    try:
        end_user_undo_delete(
            team=request.auth.team, user_id=query.user_id, client_user_id=query.client_user_id
        )
    except EndUser.DoesNotExist:
        return Status(404, {"detail": "No user deleted in the last seven days has that id."})
    except UndoImpossible as exc:
        return Status(400, {"detail": str(exc)})
    return {"success": True}


@router.get("user/{user_id}", response={200: UserOut, 404: NotFoundOut})
def user_get(request, user_id: UUID):
    return _read_user(request, pk=user_id)


@router.patch("user/{user_id}", response={204: None, 400: DuplicateUserOut, 404: NotFoundOut})
def user_patch(request, user_id: UUID, payload: UserPatchIn):
    user = get_object_or_404(_team_users(request), pk=user_id)
    try:
        end_user_save(user=user, **payload.model_dump(mode="json", exclude_unset=True))
    except DuplicateUser as exc:
        return Status(400, _duplicate_body(exc))
    return HttpResponse(status=204)


@router.delete("user/{user_id}", response={200: SuccessOut, 404: NotFoundOut})
def user_delete(request, user_id: UUID):
    """Delete a user, deregistering every connection first. The user is erased after seven
    days; until then `POST /v2/user/undo_delete` restores it (without its connections)."""
    end_user_delete(user=get_object_or_404(_team_users(request), pk=user_id))
    return {"success": True}


@router.patch("user/{user_id}/info", response={200: UserInfo, 404: NotFoundOut})
def user_info_upsert(request, user_id: UUID, payload: UserInfo):
    """Set the user's demographics (kept encrypted). Link does not need them; they are kept
    for the customer, as Vital keeps them."""
    user = get_object_or_404(_team_users(request), pk=user_id)
    user.info = payload.model_dump(mode="json")
    user.save(update_fields=["info"])
    return user.info


@router.get("user/{user_id}/info/latest", response={200: UserInfo, 404: NotFoundOut})
def user_info_latest(request, user_id: UUID):
    user = get_object_or_404(_team_users(request), pk=user_id)
    if user.info is None:
        return Status(404, {"detail": "No demographics were set for this user."})
    return user.info


@router.get("user/{user_id}/device", response={200: list[DeviceOut], 404: NotFoundOut})
def user_devices(request, user_id: UUID):
    """The devices that recorded the user's data. Link pulls no health data yet, so it knows
    of no device: the list is empty until the data API arrives."""
    get_object_or_404(_team_users(request), pk=user_id)
    return []


@router.get("user/{user_id}/device/{device_id}", response={200: DeviceOut, 404: NotFoundOut})
def user_device(request, user_id: UUID, device_id: UUID):
    """One device of the user; none is known yet (see the list)."""
    get_object_or_404(_team_users(request), pk=user_id)
    return Status(404, {"detail": f"The user has no device {device_id}."})


@router.post("user/{user_id}/sign_in_token", response={200: SignInTokenOut, 404: NotFoundOut})
def user_sign_in_token(request, user_id: UUID):
    """A credential for one user, to give a device instead of the team's API key. In Link it
    is a link token for the user (the `x-vital-link-token` of the Link endpoints, or
    `?token=` of the widget); Vital's mobile SDKs cannot sign in with it, since Link serves
    no mobile SDK data."""
    user = get_object_or_404(_team_users(request), pk=user_id)
    token, _ = link_token_create(team=request.auth.team, user_id=user.pk)
    return {"user_id": user.pk, "sign_in_token": token}


@router.post("user/{user_id}/create_portal_url", response={200: PortalUrlOut, 404: NotFoundOut})
def user_portal_url(request, user_id: UUID, payload: PortalUrlIn):
    """In Link the user portal is the hosted widget, open on this user: the URL holds a fresh
    link token. Both contexts get the link token's lifetime (`expires_in`, seconds), so a URL
    for `communications` lasts an hour, not Vital's weeks; the widget needs no demographics,
    and `order_id` (lab orders) is ignored."""
    user = get_object_or_404(_team_users(request), pk=user_id)
    token, link_token = link_token_create(team=request.auth.team, user_id=user.pk)
    expires_in = int((link_token.expires_at - timezone.now()).total_seconds())
    return {"url": link_web_url(token=token, team=request.auth.team), "expires_in": expires_in}


@router.delete("user/{user_id}/{provider}", response={200: SuccessOut, 404: NotFoundOut})
def user_deregister_provider(request, user_id: UUID, provider: Providers):
    """Deregister the user's connection to `provider`; 404 when there is none."""
    user = get_object_or_404(_team_users(request), pk=user_id)
    connection = get_object_or_404(
        user.connections.exclude(status=Connection.Status.DEREGISTERED), provider=provider
    )
    connection_deregister(connection=connection)
    return {"success": True}
