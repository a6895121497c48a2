"""Rate limits, counted in the shared cache (Redis through CACHE_URL in production, so every
app process counts together), keyed only by what a caller cannot choose: the client address
(behind LINK_NUM_PROXIES trusted proxies), the link token a request acts on, and the team an API
credential belongs to (counted once the credential is checked, in api.auth). A made-up API key
or link token gets a bucket of its own, but its requests still count against the address. Over
a limit answers 429 with Retry-After, which the Vital SDK honours."""

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.core.checks import Error, register
from django.http import HttpResponse, JsonResponse

_API_PREFIXES = ("/v2/", "/oauth/")
_EXEMPT_PREFIXES = ("/static/",)
# Caches that do not count across processes: each worker would have its own limit.
_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many requests. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/60' → (600 requests, 60 seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def rate_limit_hit(key: str, rate: str) -> int | None:
    """Count one request against `key`; None while under the limit, else seconds to wait."""
    limit, window = parse_rate(rate)
    now = time.time()
    bucket = int(now // window)
    cache, cache_key = caches["default"], f"rl:{key}:{bucket}"
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window's first request
        count = 1 if cache.add(cache_key, 1, timeout=window + 1) else cache.incr(cache_key)
    if count <= limit:
        return None
    return max(1, int((bucket + 1) * window - now) + 1)


def team_rate_limit(team_id) -> None:
    """Count an authenticated API request against its team; raises RateLimited."""
    retry_after = rate_limit_hit(f"team:{team_id}", settings.LINK_RATE_LIMIT_API)
    if retry_after is not None:
        raise RateLimited(retry_after)


def client_ip(request) -> str:
    """The client's address; behind LINK_NUM_PROXIES trusted proxies, the address the
    outermost trusted proxy saw."""
    hops = settings.LINK_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        addresses = [a.strip() for a in forwarded.split(",")]
        return addresses[max(0, len(addresses) - hops)]
    return request.META.get("REMOTE_ADDR", "")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _buckets(request, api: bool) -> list[tuple[str, str]]:
    """(key, rate) of every bucket this request counts against."""
    ip = client_ip(request)
    if api:
        buckets = [(f"api-ip:{ip}", settings.LINK_RATE_LIMIT_API)]
        token = request.headers.get("x-vital-link-token")
    else:
        buckets = [(f"ip:{ip}", settings.LINK_RATE_LIMIT_WIDGET)]
        token = (request.POST if request.method == "POST" else request.GET).get("token")
    if token:
        buckets.append((f"link:{_digest(token)}", settings.LINK_RATE_LIMIT_WIDGET))
    return buckets


def too_many_requests(request, retry_after: int) -> HttpResponse:
    message = str(RateLimited(retry_after))
    if request.path_info.startswith(_API_PREFIXES):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(_EXEMPT_PREFIXES):
            return self.get_response(request)
        buckets = _buckets(request, api=path.startswith(_API_PREFIXES))
        waits = [w for key, rate in buckets if (w := rate_limit_hit(key, rate)) is not None]
        if waits:
            return too_many_requests(request, max(waits))
        return self.get_response(request)


@register("caches")
def shared_cache_check(app_configs, **kwargs):
    """With DEBUG off the rate limits must count across every process of every server."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in _PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The default cache ({backend}) is not shared between processes, so each process "
            "would count its own rate limits.",
            hint="Set CACHE_URL to a shared cache, e.g. redis://127.0.0.1:6379/0.",
            id="linkwidget.E001",
        )
    ]
