"""Error pages for the whole site, and the operators' endpoints (probes and metrics). A
database outage answers 503 with Retry-After (clients and the SDK retry it) instead of a
traceback; anything else unexpected is a plain 500."""

import logging
import secrets
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST

from .metrics import metrics_text

log = logging.getLogger(__name__)

_RETRY_AFTER_SECONDS = "30"


def server_error(request):
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    message = (
        "The service is temporarily unavailable. Please try again in a minute."
        if unavailable
        else "Something went wrong on our side. It has been logged; please try again."
    )
    if request.path.startswith(("/v2/", "/oauth/")):
        response = JsonResponse({"detail": message}, status=status)
    else:
        response = HttpResponse(
            f'<!doctype html><html lang="en"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width">'
            f"<title>Link: {'unavailable' if unavailable else 'error'}</title>"
            f'<main style="font:16px system-ui;max-width:32rem;margin:15vh auto;padding:1rem">'
            f"<h1>{'Temporarily unavailable' if unavailable else 'Something went wrong'}</h1>"
            f"<p>{message}</p></main></html>",
            status=status,
        )
    if unavailable:
        response["Retry-After"] = _RETRY_AFTER_SECONDS
    return response


def healthz(request):
    """Liveness: the process answers. No database, no cache (restarting the app would not mend
    them), no template; the benchmark's bare view."""
    return HttpResponse("ok", content_type="text/plain")


def _database_check() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache_check() -> None:
    key = f"readyz:{secrets.token_hex(8)}"
    cache.set(key, 1, timeout=10)
    if cache.get(key) != 1:
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def readyz(request):
    """Readiness: 200 when the database and the cache both answer, else 503 naming which does
    not (by exception class only: a message can hold a host or a user name)."""
    checks = {"database": _database_check, "cache": _cache_check}
    status = {}
    for name, check in checks.items():
        try:
            check()
            status[name] = "ok"
        except Exception as exc:  # any failure means not ready
            log.warning("readiness: %s unavailable (%s)", name, type(exc).__name__)
            status[name] = f"unavailable ({type(exc).__name__})"
    ready = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if ready else 503)


def metrics(request):
    """Prometheus metrics for `Authorization: Bearer LINK_METRICS_TOKEN`; 404 while no token is
    set."""
    token = settings.LINK_METRICS_TOKEN
    if not token:
        return HttpResponseNotFound("Not found", content_type="text/plain")
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not secrets.compare_digest(offered.encode(), token.encode()):
        response = HttpResponse("A bearer token is required.", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
