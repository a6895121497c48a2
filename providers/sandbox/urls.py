"""The emulators' URLs: /sandbox/<vendor>/<host name>/<the vendor's own path>. Mounted only
when LINK_SANDBOX_ENABLED is on (linkwidget/urls.py)."""

from django.urls import include, path

from .vendors.strava import StravaEmulator

EMULATORS = {e.slug: e for e in (StravaEmulator(),)}

urlpatterns = [path(f"sandbox/{slug}/", include(e.urls())) for slug, e in EMULATORS.items()]
