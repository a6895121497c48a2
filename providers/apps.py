import os

from django.apps import AppConfig
from django.conf import settings


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self):
        # oauthlib refuses plain-http endpoints; the sandbox emulators are served over http in
        # development and tests. Real vendor hosts are https constants in the adapters.
        if settings.LINK_SANDBOX_ENABLED and settings.LINK_SANDBOX_BASE_URL.startswith("http:"):
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
