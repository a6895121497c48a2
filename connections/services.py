from django.utils import timezone

from teams.models import EndUser

from .models import Connection


def connection_deregister(*, connection: Connection) -> None:
    """Mark a connection deregistered and forget its credentials."""
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.DEREGISTERED, credentials=None, updated_at=timezone.now()
    )


def end_user_delete(*, user: EndUser) -> None:
    """Deregister every connection of the user, then delete the user."""
    for connection in user.connections.exclude(status=Connection.Status.DEREGISTERED):
        connection_deregister(connection=connection)
    user.delete()
