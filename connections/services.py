import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from providers.errors import ProviderError
from providers.registry import ADAPTERS, adapter_class, provider_adapter
from teams.models import EndUser
from webhooks.services import Event, webhook_send

from .events import connection_created_event
from .lifecycle import connection_schedule_next
from .models import HEALTHY, Connection
from .signals import history_wanted_send

log = logging.getLogger(__name__)


def connection_save(
    *,
    user: EndUser,
    provider: str,
    external_user_id: str,
    credentials: dict,
    pending: bool = False,
    scopes: Sequence[str] = (),
    expires_at: datetime | None = None,
    resume: bool = False,
) -> tuple[Connection, bool]:
    """Store the user's live connection to `provider` with new credentials: a reconnect renews
    the same row, healthy (and refreshed again if paused, with `resume`: a bulk re-import).
    Runs in the caller's transaction, which it must be in; returns the connection and whether
    it is new."""
    connection = (
        Connection.objects.select_for_update()
        .filter(user=user, provider=provider)
        .exclude(status=Connection.Status.DEREGISTERED)
        .first()
    )
    created = connection is None
    connection = connection or Connection(user=user, provider=provider)
    for field, value in HEALTHY.items():
        setattr(connection, field, value)
    if pending:  # an email connection, until the vendor links the account
        connection.status = Connection.Status.PENDING
    connection.external_user_id = external_user_id
    connection.credentials = credentials
    connection.scopes = list(scopes)
    connection.expires_at = expires_at
    if resume:
        connection.paused_at = None
    connection.save()
    return connection, created


def connection_connect(*, also_send: Sequence[Event] = (), **fields) -> Connection:
    """A connection made by its user (connection_save's `fields`), in the caller's
    transaction: the team hears `provider.connection.created` (a pending one, once the vendor
    links it), with `also_send` in the same batch, and its first refresh or check is queued."""
    connection, _ = connection_save(**fields)
    created = [connection_created_event(connection=connection)] if not fields.get("pending") else []
    webhook_send(team=connection.user.team, events=[*created, *also_send])
    connection_schedule_next(connection=connection)
    if not fields.get("pending"):
        history_wanted_send(connection=connection)
    return connection


def connection_taken(*, user: EndUser, provider: str, external_user_id: str) -> bool:
    """Whether another user of the team has a live connection to that vendor account."""
    return (
        Connection.objects.filter(
            user__team_id=user.team_id, provider=provider, external_user_id=external_user_id
        )
        .exclude(user=user)
        .exclude(status=Connection.Status.DEREGISTERED)
        .exists()
    )


def connection_deregister(*, connection: Connection) -> None:
    """Revoke the grant at the vendor the way the vendor revokes, then mark the connection
    deregistered and forget its credentials. A vendor that cannot be reached does not keep the
    user connected: we drop the credentials either way, and log that the revoke failed."""
    credentials = connection.credentials
    if credentials and not credentials.get("demo") and adapter_class(connection.provider):
        try:
            adapter = provider_adapter(connection.provider, team=connection.user.team)
            adapter.revoke(credentials)
        except ProviderError as exc:
            log.warning(
                "revoking %s connection %s failed: %s",
                connection.provider,
                connection.pk,
                exc.error_type,
            )
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.DEREGISTERED,
        credentials=None,
        refresh_lease_until=None,
        updated_at=timezone.now(),
    )


def connection_supersede(*, connection: Connection) -> None:
    """A new connection to a vendor's successor (Google Health after Fitbit) ends the user's
    connection to the old vendor when the successor says they are one account: its
    `legacy_user_id` is the old connection's vendor id. The Vital user, and so the customer's
    view of them, stays the same."""
    legacy_id = ((connection.credentials or {}).get("extra") or {}).get("legacy_user_id")
    replaced = [slug for slug, cls in ADAPTERS.items() if cls.successor == connection.provider]
    if not legacy_id or not replaced:
        return
    old = connection.user.connections.select_related("user__team").filter(
        provider__in=replaced, external_user_id=legacy_id
    )
    for previous in old.exclude(status=Connection.Status.DEREGISTERED):
        connection_deregister(connection=previous)


# How long a deleted user can be restored before `manage.py end_users_purge` erases it (Vital's).
DELETION_GRACE = timedelta(days=7)


class UndoImpossible(Exception):
    pass


def end_user_delete(*, user: EndUser) -> None:
    """Deregister every connection of the user, then mark the user deleted: it is erased after
    DELETION_GRACE, and until then `end_user_undo_delete` can bring it back."""
    live = user.connections.select_related("user__team").exclude(
        status=Connection.Status.DEREGISTERED
    )
    for connection in live:
        connection_deregister(connection=connection)
    user.deleted_at = timezone.now()
    user.save(update_fields=["deleted_at"])


def end_user_undo_delete(*, team, user_id=None, client_user_id=None) -> EndUser:
    """Restore the team's most recently deleted user with that id, still in its grace period,
    without its connections (as Vital does). Raises EndUser.DoesNotExist, or UndoImpossible when
    the team has since created a user with the same `client_user_id`."""
    deleted = EndUser.with_deleted.filter(team=team, deleted_at__gt=timezone.now() - DELETION_GRACE)
    if user_id is not None:
        deleted = deleted.filter(pk=user_id)
    if client_user_id is not None:
        deleted = deleted.filter(client_user_id=client_user_id)
    user = deleted.latest("deleted_at")
    user.deleted_at = None
    try:
        with transaction.atomic():
            user.save(update_fields=["deleted_at"])
    except IntegrityError:  # the unique client_user_id among live users
        raise UndoImpossible(
            f"A user with client_user_id '{user.client_user_id}' was created since the "
            "deletion; delete that one first to restore this one."
        ) from None
    return user


def end_users_purge() -> int:
    """Erase the users deleted more than DELETION_GRACE ago, with everything that is theirs."""
    expired = EndUser.with_deleted.filter(deleted_at__lte=timezone.now() - DELETION_GRACE)
    return expired.delete()[1].get(EndUser._meta.label, 0)
