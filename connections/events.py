"""The webhooks a connection's life sends (Vital's `provider.connection.*`)."""

from providers.catalogue import provider_get
from webhooks.services import Event, webhook_event, webhook_send

from .models import Connection


def connection_created_event(*, connection: Connection) -> Event:
    info = provider_get(connection.provider)
    provider = {"name": info.name, "slug": info.slug, "logo": info.logo}
    data = {
        "user_id": str(connection.user_id),
        "provider": provider,
        "source": provider,
        "external_user_id": connection.external_user_id or None,
        "resource_availability": {r: {"status": "available"} for r in info.supported_resources},
    }
    return webhook_event("provider.connection.created", user=connection.user, data=data)


def connection_error_event(*, connection: Connection) -> Event:
    data = {
        "provider": connection.provider,
        "user_id": str(connection.user_id),
        "message": connection.error_message,
        "error_type": connection.error_type or "unknown",
        "error_details": connection.error_message,
    }
    return webhook_event("provider.connection.error", user=connection.user, data=data)


def connection_created_emit(*, connection: Connection) -> None:
    webhook_send(
        team=connection.user.team, events=[connection_created_event(connection=connection)]
    )


def connection_error_emit(*, connection: Connection) -> None:
    webhook_send(team=connection.user.team, events=[connection_error_event(connection=connection)])
