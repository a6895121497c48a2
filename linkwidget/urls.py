from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from api.api import api
from api.oauth import token_view
from linkwidget.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("oauth/token", token_view, name="oauth-token"),
    path("admin/", admin.site.urls),
    path("", api.urls),
    # The widget (its root "/" and /link/…, /initialize.js, /demo/): exact paths, after the API.
    path("", include("link.urls")),
]

if settings.LINK_SANDBOX_ENABLED:
    urlpatterns.append(path("", include("providers.sandbox.urls")))

handler500 = "linkwidget.views.server_error"
