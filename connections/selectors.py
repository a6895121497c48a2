from .models import Connection

# Connections a customer sees as the user's providers: connected, or connected and since broken.
VISIBLE_STATUSES = (Connection.Status.CONNECTED, Connection.Status.ERROR)


def visible_connections(connections) -> list[Connection]:
    """Filter an already-fetched (prefetched) set of connections, in creation order."""
    return sorted(
        (c for c in connections if c.status in VISIBLE_STATUSES), key=lambda c: c.created_on
    )
