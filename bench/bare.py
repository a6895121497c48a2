"""The bare Django view every figure is compared with: Django with no middleware, no database and
no template, one view that answers a short text. `make bench` serves it on a gunicorn of its own
with the repository's `gunicorn.conf.py`, as it serves Link.

    .venv/bin/python bench/bare.py [REQUESTS]   # its server time per request, in-process"""

import sys

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-bare-view",  # noqa: S106 (signs nothing)
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)


def ping(request):
    return HttpResponse("pong", content_type="text/plain")


urlpatterns = [path("ping", ping)]
application = get_wsgi_application()

if __name__ == "__main__":
    from inprocess import server_time

    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(server_time(application, {"method": "GET", "path": "/ping"}, requests))
