"""`GET /v2/introspect/resources` and `GET /v2/introspect/historical_pull`: per user, provider
and resource, how the pulls went (health.models.PullState), a page of the team's users at a
time."""

from datetime import datetime
from uuid import UUID

from ninja import Query, Router, Schema
from pydantic import Field

from health.models import PullState
from health.resources import RESOURCES
from providers.catalogue import provider_get
from teams.models import EndUser

from ..auth import team_auth

router = Router(tags=["data"], auth=team_auth)

# Vital's `release` is required and undocumented; Link names itself.
RELEASE = "link"


class IntrospectQuery(Schema):
    user_id: UUID | None = Field(None, description="Only this user.")
    provider: str = Field("", max_length=40, description="Only this provider.")
    user_limit: int = Field(50, ge=1, le=1000, description="Users per page.")
    next_cursor: UUID | None = Field(None, description="The page after this one.")
    cursor: UUID | None = Field(
        None, json_schema_extra={"deprecated": True}, description="Same as `next_cursor`."
    )


class LastAttemptOut(Schema):
    timestamp: datetime
    status: str


class ResourceStatisticsOut(Schema):
    last_attempt: LastAttemptOut | None = None
    oldest_data: datetime | None = None
    newest_data: datetime | None = None
    sent_count: int | None = None


class UserResourcesOut(Schema):
    user_id: UUID
    provider: dict[str, dict[str, ResourceStatisticsOut]]


class UserResourcesResponse(Schema):
    data: list[UserResourcesOut]
    next: str | None = None
    next_cursor: str | None = None


class TimelineOut(Schema):
    scheduled_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None


class HistoricalPullOut(Schema):
    status: str
    range_start: datetime | None = None
    range_end: datetime | None = None
    timeline: TimelineOut
    days_with_data: int | None = None
    release: str
    trace_id: str | None = None
    error_details: str | None = None


class ProviderHistoricalPullsOut(Schema):
    pulled: dict[str, HistoricalPullOut]
    not_pulled: list[str]


class UserHistoricalPullsOut(Schema):
    user_id: UUID
    provider: dict[str, ProviderHistoricalPullsOut]


class UserHistoricalPullsResponse(Schema):
    data: list[UserHistoricalPullsOut]
    next: str | None = None
    next_cursor: str | None = None


def _page(request, query: IntrospectQuery) -> tuple[dict[UUID, list[PullState]], str | None]:
    """A page of the team's users with pull bookkeeping, each with its states, and the cursor
    of the next page."""
    states = PullState.objects.filter(connection__user__team=request.auth.team).exclude(
        connection__status="deregistered"
    )
    if query.provider:
        states = states.filter(connection__provider=query.provider)
    if query.user_id:
        states = states.filter(connection__user_id=query.user_id)
    after = query.next_cursor or query.cursor
    if after:
        states = states.filter(connection__user_id__gt=after)
    users = EndUser.objects.filter(pk__in=states.values("connection__user_id")).order_by("pk")
    page = list(users.values_list("pk", flat=True)[: query.user_limit + 1])
    more = len(page) > query.user_limit
    page = page[: query.user_limit]
    found = {user_id: [] for user_id in page}
    chosen = states.filter(connection__user_id__in=page).select_related("connection")
    for state in chosen.order_by("connection__provider", "resource"):
        found[state.connection.user_id].append(state)
    return found, str(page[-1]) if more else None


def _statistics(state: PullState) -> dict:
    attempt = None
    if state.last_attempt_at and state.last_status:
        attempt = {"timestamp": state.last_attempt_at, "status": state.last_status}
    return {
        "last_attempt": attempt,
        "oldest_data": state.oldest_data,
        "newest_data": state.newest_data,
        "sent_count": state.created_count,
    }


def _historical(state: PullState) -> dict:
    return {
        "status": state.historical_status,
        "range_start": state.historical_start,
        "range_end": state.historical_end,
        "timeline": {
            "scheduled_at": state.historical_scheduled_at,
            "started_at": state.historical_started_at,
            "ended_at": state.historical_ended_at,
        },
        "days_with_data": state.historical_days_with_data,
        "release": RELEASE,
        "error_details": state.historical_error or None,
    }


@router.get("introspect/resources", response=UserResourcesResponse)
def introspect_resources(request, query: Query[IntrospectQuery]):
    """Per user, provider and resource: the last pull, and the data the store holds."""
    found, following = _page(request, query)
    data = []
    for user_id, states in found.items():
        providers = {}
        for state in states:
            providers.setdefault(state.connection.provider, {})[state.resource] = _statistics(state)
        data.append({"user_id": user_id, "provider": providers})
    return {"data": data, "next": following, "next_cursor": following}


def _not_pulled(provider: str, pulled: dict) -> list[str]:
    info = provider_get(provider)
    offered = info.supported_resources if info else ()
    return [r for r in RESOURCES if r in offered and r not in pulled]


@router.get("introspect/historical_pull", response=UserHistoricalPullsResponse)
def introspect_historical_pull(request, query: Query[IntrospectQuery]):
    """Per user and provider, each resource's backfill, and the resources not backfilled."""
    found, following = _page(request, query)
    data = []
    for user_id, states in found.items():
        providers: dict[str, dict] = {}
        for state in states:
            pulled = providers.setdefault(state.connection.provider, {"pulled": {}})["pulled"]
            if state.historical_status:
                pulled[state.resource] = _historical(state)
        for provider, entry in providers.items():
            entry["not_pulled"] = _not_pulled(provider, entry["pulled"])
        data.append({"user_id": user_id, "provider": providers})
    return {"data": data, "next": following, "next_cursor": following}
