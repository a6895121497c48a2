"""Link bulk operations (Vital's `/v2/link/bulk_*`): moving a team's OAuth connections in
(import) and out (pause, then export), and asking for their history again. Imports and
historical pulls are BulkOperation rows worked through by a task; the listing shows progress."""

from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from providers.base import TokenSet
from teams.models import EndUser, Team

from .events import connection_created_emit
from .lifecycle import connection_schedule_next
from .models import BulkOperation, Connection
from .services import connection_save
from .signals import history_wanted_send

# Vital's `expires_at` for a token that never expires (OAuth 1.0 providers such as Garmin's).
NEVER_EXPIRES = 2147483647
EXPORT_PAGE_SIZE = 100
_LIVE = (Connection.Status.CONNECTED, Connection.Status.ERROR)


def bulk_operation_submit(*, team: Team, kind: str, provider: str, items: list) -> BulkOperation:
    """Record the operation and queue its task (the task gets only the row's id: imported
    tokens never sit in the task queue)."""
    from .tasks import bulk_operation_task

    operation = BulkOperation.objects.create(
        team=team, kind=kind, provider=provider, items=items, pending=len(items)
    )
    bulk_operation_task.enqueue(operation.pk)
    return operation


def bulk_operation_run(*, operation_id: int) -> str:
    """Work through the operation's items once; an operation already finished is left alone."""
    operation = BulkOperation.objects.select_related("team").get(pk=operation_id)
    if operation.status != BulkOperation.Status.IN_PROGRESS:
        return operation.status
    step = _import_one if operation.kind == BulkOperation.Kind.IMPORT else _historical_pull_one
    done, failed = [], []
    for item in operation.items or []:
        user_id = item["user_id"] if isinstance(item, dict) else item
        ok = step(team=operation.team, provider=operation.provider, item=item)
        (done if ok else failed).append(str(user_id))
    BulkOperation.objects.filter(pk=operation_id).update(
        status=BulkOperation.Status.SUCCESS,
        items=None,
        pending=0,
        processed=len(done) + len(failed),
        user_ids_done=done,
        user_ids_failed=failed,
        ended_at=timezone.now(),
    )
    return BulkOperation.Status.SUCCESS


def _import_one(*, team: Team, provider: str, item: dict) -> bool:
    """Create or replace the user's connection with the recipe's tokens; it is refreshed from
    then on (and unpaused) like one made in the widget."""
    user = EndUser.objects.filter(team=team, pk=item["user_id"]).first()
    if user is None:
        return False
    try:
        expires_at = datetime.fromtimestamp(item["expires_at"], UTC)
    except (OverflowError, OSError, ValueError):
        return False
    tokens = TokenSet(
        access_token=item["access_token"],
        refresh_token=item["refresh_token"] or None,
        expires_at=None if item["expires_at"] == NEVER_EXPIRES else expires_at,
        scopes=tuple(item.get("oauth_scopes") or ()),
    )
    with transaction.atomic():
        connection, created = connection_save(
            user=user,
            provider=provider,
            external_user_id=item["provider_id"],
            credentials=tokens.as_credentials(),
            scopes=tokens.scopes,
            expires_at=tokens.expires_at,
            resume=True,
        )
    if created:
        connection_created_emit(connection=connection)
    connection_schedule_next(connection=connection)
    return True


def _historical_pull_one(*, team: Team, provider: str, item: str) -> bool:
    """Pull a live connection's history again (the health app hears history_wanted)."""
    connection = Connection.objects.filter(
        user__team=team, user_id=item, provider=provider, status__in=_LIVE
    ).first()
    if connection is not None:
        history_wanted_send(connection=connection)
    return connection is not None


def bulk_pause(*, team: Team, provider: str, user_ids: list) -> tuple[list[str], list[str]]:
    """Stop refreshing these users' connections (so an export stays the latest tokens);
    returns the user ids paused and those with no live connection to pause."""
    live = Connection.objects.filter(
        user__team=team, user_id__in=user_ids, provider=provider, status__in=_LIVE
    )
    paused = {str(u) for u in live.values_list("user_id", flat=True)}
    live.update(paused_at=timezone.now(), refresh_lease_until=None)
    asked = [str(u) for u in user_ids]
    return [u for u in asked if u in paused], [u for u in asked if u not in paused]


def bulk_export(
    *, team: Team, provider: str, user_ids: list | None, after: int
) -> tuple[list[dict], str | None]:
    """One page of the team's live connections of `provider` as Vital's connection recipes,
    tokens included, and the token for the next page (None on the last)."""
    rows = Connection.objects.filter(
        user__team=team, provider=provider, status__in=_LIVE, pk__gt=after
    ).exclude(credentials=None)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    page = list(rows.order_by("pk")[: EXPORT_PAGE_SIZE + 1])
    recipes = [_recipe(c) for c in page[:EXPORT_PAGE_SIZE] if not c.credentials.get("demo")]
    more = len(page) > EXPORT_PAGE_SIZE
    return recipes, str(page[EXPORT_PAGE_SIZE - 1].pk) if more else None


def _recipe(connection: Connection) -> dict:
    tokens = TokenSet.from_credentials(connection.credentials)
    return {
        "user_id": str(connection.user_id),
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token or "",
        "provider_id": connection.external_user_id,
        "expires_at": int(tokens.expires_at.timestamp()) if tokens.expires_at else NEVER_EXPIRES,
        "oauth_scopes": list(tokens.scopes) or None,
    }
