"""What other apps hear of connections without connections knowing them (imports run one way):
the health app starts a backfill when a connection becomes usable."""

from django.db import transaction
from django.dispatch import Signal

from .models import Connection

# Sent with `connection_id` once the transaction that connected it commits: a new connection,
# a reconnect, or an email connection the vendor has just linked.
connection_ready = Signal()


def connection_ready_send(*, connection: Connection) -> None:
    connection_id = connection.pk
    transaction.on_commit(
        lambda: connection_ready.send(sender=Connection, connection_id=connection_id)
    )
