import logging

from django.utils import timezone

from providers.errors import ProviderError
from providers.registry import adapter_class, provider_adapter
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


def end_user_delete(*, user: EndUser) -> None:
    """Deregister every connection of the user, then delete the user."""
    live = user.connections.select_related("user__team").exclude(
        status=Connection.Status.DEREGISTERED
    )
    for connection in live:
        connection_deregister(connection=connection)
    user.delete()
