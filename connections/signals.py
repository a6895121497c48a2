"""What other apps hear of connections without connections knowing them (imports run one way):
the health app pulls a connection's history when it is wanted."""

from django.db import transaction
from django.dispatch import Signal

from .models import Connection

# Sent with `connection_id` and `provider` once the transaction that asked for it commits: a
# new connection, a reconnect, an email connection the vendor has just linked, or a bulk
# historical pull.
history_wanted = Signal()


def history_wanted_send(*, connection: Connection) -> None:
    wanted = {"connection_id": connection.pk, "provider": connection.provider}
    transaction.on_commit(lambda: history_wanted.send(sender=Connection, **wanted))
