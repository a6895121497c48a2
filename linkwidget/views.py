"""Error pages for the whole site. A database outage answers 503 with Retry-After (clients and
the SDK retry it) instead of a traceback; anything else unexpected is a plain 500."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

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
    """Liveness probe, and the benchmark's bare view: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")
