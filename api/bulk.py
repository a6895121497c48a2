"""Vital's Link bulk operations (`/v2/link/bulk_*`): importing a team's existing OAuth
connections, pausing and exporting them, and asking for their history again. Imports and
historical pulls run as tasks; `GET /v2/link/bulk_op` shows their progress."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Query, Router, Schema, Status
from pydantic import Field

from connections.bulk import bulk_export, bulk_operation_submit, bulk_pause
from connections.models import BulkOperation
from link.errors import InvalidProvider
from providers.availability import provider_availability

from .auth import team_auth
from .enums import OAuthProviders
from .schemas import ErrorOut, NotFoundOut
from .waiting import wait_until

router = Router(tags=["link"], auth=team_auth)

# How long `wait_for_completion` waits before answering 202 (Vital's figure).
_WAIT_SECONDS = 20
_MAX_ITEMS = 10_000


class TeamQuery(Schema):
    team_id: UUID | Literal["infer_from_context"] | None = Field(
        None, description="The API key's team (its id, or `infer_from_context`)."
    )


class ConnectionRecipe(Schema):
    user_id: UUID
    access_token: str = Field(max_length=4096)
    refresh_token: str = Field(max_length=4096)
    provider_id: str = Field(max_length=255)
    expires_at: int = Field(ge=0, description="Access token expiry, UNIX epoch seconds.")
    oauth_scopes: list[str] | None = Field(None, max_length=100)


class BulkImportIn(Schema):
    provider: OAuthProviders
    connections: list[ConnectionRecipe] = Field(max_length=_MAX_ITEMS)
    wait_for_completion: bool = False


class BulkImportOut(Schema):
    user_ids_imported: list[UUID]
    user_ids_failed: list[UUID]


class BulkUsersIn(Schema):
    user_ids: list[UUID] = Field(max_length=_MAX_ITEMS)
    provider: OAuthProviders


class BulkHistoricalPullIn(BulkUsersIn):
    wait_for_completion: bool = False


class BulkHistoricalPullOut(Schema):
    user_ids_triggered: list[UUID]
    user_ids_failed: list[UUID]


class BulkPauseOut(Schema):
    user_ids_paused: list[UUID]
    user_ids_failed: list[UUID]


class BulkExportIn(Schema):
    provider: OAuthProviders
    user_ids: list[UUID] | None = Field(None, max_length=_MAX_ITEMS)
    next_token: str | None = Field(None, pattern=r"^[0-9]{1,18}$")


class BulkExportOut(Schema):
    data: list[ConnectionRecipe]
    next_token: str | None


class BulkOpOut(Schema):
    type: str
    status: str
    provider: str
    pending: int
    processed: int
    started_at: datetime
    ended_at: datetime | None


class BulkOpsOut(Schema):
    data: list[BulkOpOut]
    next_cursor: str | None


class BulkOpsQuery(TeamQuery):
    next_cursor: str | None = Field(None, pattern=r"^[0-9]{1,18}$")
    page_size: int = Field(10, ge=0, le=50)


_ERRORS = {400: ErrorOut, 404: NotFoundOut}


def _team(request, query: TeamQuery):
    """The API key's team; another team's id is not found (a key acts for its own team only,
    and another team is a 404 like everything of it)."""
    team = request.auth.team
    if query.team_id not in (None, "infer_from_context", team.pk):
        return None
    return team


def _other_team():
    return Status(404, {"detail": "No such team: an API key acts for its own team only."})


def _offered(provider: str, team) -> None:
    availability = provider_availability(team=team)
    if provider not in availability or availability[provider] is not None:
        raise InvalidProvider(f"Provider '{provider}' is not offered by this server or team.")


def _submitted(operation: BulkOperation, wait: bool) -> tuple[int, list[str], list[str]]:
    """200 with the outcome once the task has run (at once if the caller waits for it and it
    ends in time), else 202 with what is known so far."""

    def ended() -> bool:
        operation.refresh_from_db()
        return operation.status != BulkOperation.Status.IN_PROGRESS

    done = ended() or (wait and wait_until(ended, _WAIT_SECONDS))
    return (200 if done else 202), operation.user_ids_done, operation.user_ids_failed


@router.get("link/bulk_op", response={200: BulkOpsOut, **_ERRORS})
def bulk_ops_list(request, query: Query[BulkOpsQuery]):
    """The team's bulk imports and historical pulls, newest first."""
    team = _team(request, query)
    if team is None:
        return _other_team()
    rows = team.bulk_ops.order_by("-pk")
    if query.next_cursor:
        rows = rows.filter(pk__lt=int(query.next_cursor))
    page = list(rows[: query.page_size + 1])
    more = len(page) > query.page_size and query.page_size > 0
    return {
        "data": [
            {
                "type": op.kind,
                "status": op.status,
                "provider": op.provider,
                "pending": op.pending,
                "processed": op.processed,
                "started_at": op.started_at,
                "ended_at": op.ended_at,
            }
            for op in page[: query.page_size]
        ],
        "next_cursor": str(page[query.page_size - 1].pk) if more else None,
    }


@router.post("link/bulk_import", response={200: BulkImportOut, 202: BulkImportOut, **_ERRORS})
def bulk_import(request, payload: BulkImportIn, query: Query[TeamQuery]):
    """Import connections made elsewhere with the team's OAuth app (its own app in the
    console, or the operator's): each becomes a live connection, refreshed from then on.
    The users must exist. Runs as a task: 202 (nothing imported yet, as far as the answer
    knows) unless it ends first or within 20 s of `wait_for_completion`; then 200 with the
    outcome per user."""
    team = _team(request, query)
    if team is None:
        return _other_team()
    _offered(payload.provider, team)
    recipes = [recipe.model_dump(mode="json") for recipe in payload.connections]
    operation = bulk_operation_submit(
        team=team, kind=BulkOperation.Kind.IMPORT, provider=payload.provider, items=recipes
    )
    status, imported, failed = _submitted(operation, payload.wait_for_completion)
    return Status(status, {"user_ids_imported": imported, "user_ids_failed": failed})


@router.post(
    "link/bulk_trigger_historical_pull",
    response={200: BulkHistoricalPullOut, 202: BulkHistoricalPullOut, **_ERRORS},
)
def bulk_trigger_historical_pull(request, payload: BulkHistoricalPullIn, query: Query[TeamQuery]):
    """Ask for the history of these users' connections again. Accepted and recorded as a bulk
    operation (a user without a live connection to `provider` is in `user_ids_failed`), but
    Link pulls no health data yet: the pulls themselves come with the data API. Answers as
    `bulk_import` does (200 or 202, never an empty body)."""
    team = _team(request, query)
    if team is None:
        return _other_team()
    _offered(payload.provider, team)
    operation = bulk_operation_submit(
        team=team,
        kind=BulkOperation.Kind.HISTORICAL_PULL,
        provider=payload.provider,
        items=[str(u) for u in payload.user_ids],
    )
    status, triggered, failed = _submitted(operation, payload.wait_for_completion)
    return Status(status, {"user_ids_triggered": triggered, "user_ids_failed": failed})


@router.post("link/bulk_pause", response={200: BulkPauseOut, **_ERRORS})
def bulk_pause_connections(request, payload: BulkUsersIn, query: Query[TeamQuery]):
    """Stop refreshing these users' connections to `provider` (do it before an export, so
    the exported tokens stay the latest). A paused connection is refreshed again once it is
    imported. Vital leaves the answer untyped; ours lists who was paused."""
    team = _team(request, query)
    if team is None:
        return _other_team()
    paused, failed = bulk_pause(team=team, provider=payload.provider, user_ids=payload.user_ids)
    return {"user_ids_paused": paused, "user_ids_failed": failed}


@router.post("link/bulk_export", response={200: BulkExportOut, **_ERRORS})
def bulk_export_connections(request, payload: BulkExportIn, query: Query[TeamQuery]):
    """The team's live connections to `provider` (optionally only `user_ids`'), with their
    tokens, 100 a page; pass `next_token` for the next page."""
    team = _team(request, query)
    if team is None:
        return _other_team()
    recipes, next_token = bulk_export(
        team=team,
        provider=payload.provider,
        user_ids=payload.user_ids,
        after=int(payload.next_token or 0),
    )
    return {"data": recipes, "next_token": next_token}
