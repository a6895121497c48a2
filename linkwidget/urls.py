from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from api.api import api
from api.oauth import token_view

urlpatterns = [
    path("oauth/token", token_view, name="oauth-token"),
    path("admin/", admin.site.urls),
    # The widget: its root "/" (before the API's, which ninja claims as its index), /link/…,
    # /initialize.js and /demo/; exact paths, so nothing under /v2/ or /docs is shadowed.
    path("", include("link.urls")),
    path("", include("health.urls")),  # /push/<provider>: vendors' notifications of new data
    path("", api.urls),
]

if settings.LINK_SANDBOX_ENABLED:
    urlpatterns.append(path("", include("providers.sandbox.urls")))

handler500 = "linkwidget.views.server_error"
