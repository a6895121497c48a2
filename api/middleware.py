import json
from http import HTTPStatus

from django.http import HttpResponseBadRequest, JsonResponse

_API_PREFIXES = ("/v2/", "/oauth/")
_NUL_MESSAGE = "Null characters are not allowed."


class ApiTrailingSlashMiddleware:
    """Serve `/v2/user/` as `/v2/user`: Vital's docs use the slash and its SDK does not, and a
    redirect would turn a POST into a GET in clients that follow it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if len(path) > 1 and path.endswith("/") and path.startswith(_API_PREFIXES):
            request.path_info = path.rstrip("/")
        return self.get_response(request)


class ApiJsonErrorsMiddleware:
    """Every `/v2/` answer is JSON, as Vital's (FastAPI's) are: Django's page for a path no
    route matches and ninja's bare 405 become `{"detail": "Not Found"}` and
    `{"detail": "Method Not Allowed"}`, with their headers (`Allow`) kept. A streamed answer
    (the vendor proxy's) is the vendor's own, passed on as it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or response.streaming
            or not request.path_info.startswith("/v2/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        answer = JsonResponse({"detail": HTTPStatus(status).phrase}, status=status)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer


class LegacyClientMiddleware:
    """Read the spellings of the 2021-22 Vital SDKs as today's: their `/v1/` paths (vital 0.3
    and 1.1 default to v1; its user and Link calls are v2's) and their `LinkToken` header for
    `x-vital-link-token`. The routes they name differently are in api.legacy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/v1/"):
            request.path_info = "/v2/" + request.path_info.removeprefix("/v1/")
        meta = request.META
        if "HTTP_LINKTOKEN" in meta and request.path_info.startswith("/v2/"):
            meta.setdefault("HTTP_X_VITAL_LINK_TOKEN", meta["HTTP_LINKTOKEN"])
        return self.get_response(request)


def _contains_nul(value) -> bool:
    """Whether any string in a parsed JSON value holds a NUL; a loop, not recursion, as the
    value may be nested as deep as the parser allows."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            pending += item
    return False


def _body_has_nul(request) -> bool:
    body = request.body
    if b"\x00" in body:
        return True
    if request.content_type == "application/x-www-form-urlencoded":
        return b"%00" in body
    if b"u0000" in body.lower():  # rare: look closer, "\\u0000" is an escaped backslash
        try:
            return _contains_nul(json.loads(body))
        except (ValueError, RecursionError):
            return False  # not JSON, or nested too deep: the view answers that
    return False


class NulCharacterMiddleware:
    """Refuse NUL characters in the path, the query or an API body with a 400, as Django's own
    forms do. PostgreSQL cannot store them, so they would otherwise
    fail deep in a query as a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        api = path.startswith(_API_PREFIXES)
        nul = "\x00" in path or "%00" in request.META.get("QUERY_STRING", "")
        if not (nul or (api and _body_has_nul(request))):
            return self.get_response(request)
        if api:
            return JsonResponse({"detail": _NUL_MESSAGE}, status=400)
        return HttpResponseBadRequest(_NUL_MESSAGE, content_type="text/plain; charset=utf-8")
