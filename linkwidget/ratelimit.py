"""Rate limits, counted in the shared cache (Redis through CACHE_URL in production, so every
app process counts together): per API key on the API, per client IP everywhere else. Over the
limit answers 429 with Retry-After, which the Vital SDK honours."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse

_API_PREFIXES = ("/v2/", "/oauth/")
_EXEMPT_PREFIXES = ("/static/",)


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/60' → (600 requests, 60 seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def rate_limit_hit(key: str, rate: str) -> int | None:
    """Count one request against `key`; None while under the limit, else seconds to wait."""
    limit, window = parse_rate(rate)
    now = time.time()
    bucket = int(now // window)
    cache_key = f"rl:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, int((bucket + 1) * window - now) + 1)


def client_ip(request) -> str:
    """The client's address; behind LINK_NUM_PROXIES trusted proxies, the address the
    outermost trusted proxy saw."""
    hops = settings.LINK_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        addresses = [a.strip() for a in forwarded.split(",")]
        return addresses[max(0, len(addresses) - hops)]
    return request.META.get("REMOTE_ADDR", "")


def _api_caller(request) -> str:
    credential = (
        request.headers.get("X-Vital-API-Key")
        or request.headers.get("Authorization")
        or request.headers.get("x-vital-link-token")
    )
    if credential:
        return "key:" + hashlib.sha256(credential.encode()).hexdigest()[:32]
    return "ip:" + client_ip(request)


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(_EXEMPT_PREFIXES):
            return self.get_response(request)
        if path.startswith(_API_PREFIXES):
            retry_after = rate_limit_hit(_api_caller(request), settings.LINK_RATE_LIMIT_API)
        else:
            retry_after = rate_limit_hit(
                "ip:" + client_ip(request), settings.LINK_RATE_LIMIT_WIDGET
            )
        if retry_after is None:
            return self.get_response(request)
        message = f"Too many requests. Try again in {retry_after} seconds."
        if path.startswith(_API_PREFIXES):
            response = JsonResponse({"detail": message}, status=429)
        else:
            response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(retry_after)
        return response
