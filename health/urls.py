from django.urls import path

from .push import push_view

urlpatterns = [path("push/<slug:provider>", push_view, name="vendor-push")]
