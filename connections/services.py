import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from providers.errors import ProviderError
from providers.registry import ADAPTERS, adapter_class, provider_adapter
from teams.models import EndUser

from .models import Connection

log = logging.getLogger(__name__)


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
