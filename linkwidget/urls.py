from django.contrib import admin
from django.urls import path

from api.api import api
from api.oauth import token_view
from linkwidget.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("oauth/token", token_view, name="oauth-token"),
    path("admin/", admin.site.urls),
    path("", api.urls),
]

handler500 = "linkwidget.views.server_error"
