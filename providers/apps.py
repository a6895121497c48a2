import os

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self):
        # oauthlib refuses plain-http endpoints; the sandbox emulators are served over http in
        # development and tests. Real vendor hosts are https constants in the adapters.
        if settings.LINK_SANDBOX_ENABLED and settings.LINK_SANDBOX_BASE_URL.startswith("http:"):
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
        checks.register(check_configured_apps)


def check_configured_apps(app_configs=None, **kwargs):
    """A LINK_<VENDOR>_CLIENT_ID that names no vendor needing an app is a typo: say so."""
    from .registry import ADAPTERS

    return [
        checks.Warning(
            f"LINK_{slug.upper()}_CLIENT_ID is set, but no vendor '{slug}' needs an app.",
            hint="Vendors that need one: "
            + ", ".join(s for s, cls in ADAPTERS.items() if cls.requires_app),
            id="providers.W001",
        )
        for slug in settings.LINK_OAUTH_APPS
        if not getattr(ADAPTERS.get(slug), "requires_app", False)
    ]
