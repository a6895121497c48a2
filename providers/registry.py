"""Every vendor we can connect: one folder each under providers/vendors/ (its __init__ says what
a folder holds), found there and kept in Vital's source-id order. The catalogue, the sandbox
routes, the apps vendors need and what each team is offered all derive from this one list."""

import pkgutil
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import vendors
from .base import Adapter, AppCredentials
from .data import VendorData
from .errors import ProviderUnavailable
from .http import sandbox_url


def vendor_class(slug: str, module: str, base: type) -> type:
    """The one class that providers/vendors/<slug>/<module>.py defines deriving from `base`."""
    loaded = import_module(f"{vendors.__name__}.{slug}.{module}")
    found = [
        value
        for value in vars(loaded).values()
        # type(value), not isinstance: that would ask a lazy object (django's `settings`,
        # which a module may import) for its class and so configure it at import time
        if issubclass(type(value), type)
        and issubclass(value, base)
        and value.__module__ == loaded.__name__
    ]
    if len(found) != 1:
        raise ImproperlyConfigured(
            f"providers/vendors/{slug}/{module}.py defines {len(found)} {base.__name__} classes; "
            "a vendor's module defines one."
        )
    return found[0]


VENDOR_SLUGS = sorted(m.name for m in pkgutil.iter_modules(vendors.__path__) if m.ispkg)
ADAPTERS: dict[str, type[Adapter]] = dict(
    sorted(
        ((slug, vendor_class(slug, "adapter", Adapter)) for slug in VENDOR_SLUGS),
        key=lambda item: item[1].vital_id,
    )
)


# The vendors whose data Link pulls: those whose folder has a data.py.
DATA_READERS: dict[str, type[VendorData]] = {
    slug: vendor_class(slug, "data", VendorData)
    for slug in ADAPTERS
    if find_spec(f"{vendors.__name__}.{slug}.data")
}


def adapter_class(slug: str) -> type[Adapter] | None:
    return ADAPTERS.get(slug)


def oauth_redirect_uri(slug: str) -> str:
    return f"{settings.LINK_PUBLIC_URL}/v2/link/connect/{slug}"


def provider_app(slug: str, *, team) -> AppCredentials | None:
    """The app to use for a team: the emulator's for sandbox teams, else the team's own enabled
    app, else the operator's from settings; None when there is none."""
    if team.is_sandbox:
        from .sandbox.base import sandbox_client

        return sandbox_client(slug)
    own = team.provider_apps.filter(provider=slug, enabled=True).first()
    if own is not None:
        return AppCredentials(own.client_id, own.client_secret)
    return configured_app(slug)


def push_apps(slug: str) -> list[AppCredentials]:
    """Every app of a vendor whose secret may sign its push notifications: the operator's, the
    teams' own, and the sandbox emulator's while the sandbox is on. A notification names a vendor
    user, not an app."""
    from teams.models import ProviderApp

    apps = [configured_app(slug)]
    own = ProviderApp.objects.filter(provider=slug, enabled=True)
    apps += [AppCredentials(a.client_id, a.client_secret) for a in own]
    if settings.LINK_SANDBOX_ENABLED:
        from .sandbox.base import sandbox_client

        apps.append(sandbox_client(slug))
    return [app for app in apps if app is not None]


def configured_app(slug: str) -> AppCredentials | None:
    """The operator's app for a vendor, from LINK_<SLUG>_CLIENT_ID and _CLIENT_SECRET."""
    configured = settings.LINK_OAUTH_APPS.get(slug) or {}
    if configured.get("client_id") and configured.get("client_secret"):
        return AppCredentials(configured["client_id"], configured["client_secret"])
    return None


def provider_adapter(slug: str, *, team) -> Adapter:
    """The adapter for one team, talking to the vendor or, for a sandbox team, to the sandbox's
    mirror of the vendor's hosts."""
    cls = ADAPTERS[slug]
    if team.is_sandbox:
        if not settings.LINK_SANDBOX_ENABLED:
            raise ProviderUnavailable("The sandbox is switched off on this server.")
        base_urls = {host: sandbox_url(url) for host, url in cls.hosts.items()}
    else:
        base_urls = dict(cls.hosts)
    app = provider_app(slug, team=team) if cls.requires_app else None
    return cls(base_urls=base_urls, app=app, redirect_uri=oauth_redirect_uri(slug))
