"""Rate limits, counted in the shared cache (Redis through CACHE_URL in production, so every
app process counts together), keyed only by what a caller cannot choose: the client address
(behind LINK_NUM_PROXIES trusted proxies), the link token a request acts on, and the team whose
API credentials it carries (api.auth.caller). A made-up API key or link token gets a bucket of its
own, but its requests still count against the address. Over a limit answers 429 with
Retry-After, which the Vital SDK honours.

One round trip to the cache per request: a script on Redis counts every bucket of the request at
once (fixed windows: one counter per bucket and window, expiring with it). Static files and the
probes are not counted (linkwidget.kinds)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.checks import Error, register
from django.http import HttpResponse, JsonResponse
from redis.exceptions import NoScriptError

from api.auth import caller

# Caches that do not count across processes: each worker would have its own limit.
_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
# Adds one to each counter in KEYS and returns the counts; a new counter expires after its
# ARGV seconds. Atomic, so a counter never outlives its window.
_COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""
_COUNT_SHA = hashlib.sha1(_COUNT.encode(), usedforsecurity=False).hexdigest()


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/60' → (600 requests, 60 seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def _count(keys: list[str], ttls: list[int]) -> list[int]:
    cache = caches["default"]
    if not isinstance(cache, RedisCache):  # development's cache: a call per counter
        return [_count_one(cache, key, ttl) for key, ttl in zip(keys, ttls, strict=True)]
    keys = [cache.make_and_validate_key(key) for key in keys]
    client = _redis(cache)
    try:
        return client.evalsha(_COUNT_SHA, len(keys), *keys, *ttls)
    except NoScriptError:  # a Redis that has not seen the script yet keeps it from EVAL on
        return client.eval(_COUNT, len(keys), *keys, *ttls)


def _redis(cache: RedisCache):
    """A client on the cache's own connection pool, made once per cache object (each thread
    has its own): Django's backend builds a new one on every call, which cost a fifth of a
    cached API read."""
    inner = cache._cache
    client = getattr(inner, "link_client", None)
    if client is None:
        client = inner.link_client = inner.get_client(write=True)
    return client


def _count_one(cache, key: str, ttl: int) -> int:
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request
        return 1 if cache.add(key, 1, timeout=ttl) else cache.incr(key)


def rate_limit(buckets: list[tuple[str, str]]) -> int | None:
    """Count one request against every (key, rate) bucket; None while each is within its
    limit, else the seconds to wait."""
    now = time.time()
    counters, limits, ends, ttls = [], [], [], []
    for key, rate in buckets:
        limit, seconds = parse_rate(rate)
        window = int(now // seconds)
        counters.append(f"rl:{key}:{window}")
        limits.append(limit)
        ends.append((window + 1) * seconds)
        ttls.append(seconds + 1)
    counts = _count(counters, ttls)
    waits = [
        max(1, int(end - now) + 1)
        for count, limit, end in zip(counts, limits, ends, strict=True)
        if count > limit
    ]
    return max(waits, default=None)


def client_ip(request) -> str:
    """The client's address; behind LINK_NUM_PROXIES trusted proxies, the address the
    outermost trusted proxy saw."""
    hops = settings.LINK_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        addresses = [a.strip() for a in forwarded.split(",")]
        return addresses[max(0, len(addresses) - hops)]
    return request.META.get("REMOTE_ADDR", "")


def _link_token_bucket(token: str | None) -> list[tuple[str, str]]:
    if not token:
        return []
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    return [(f"link:{digest}", settings.LINK_RATE_LIMIT_WIDGET)]


class _RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        retry_after = rate_limit(self.buckets(request))
        if retry_after is None:
            return self.get_response(request)
        response = self.refusal(f"Too many requests. Try again in {retry_after} seconds.")
        response["Retry-After"] = str(retry_after)
        return response


class PageRateLimitMiddleware(_RateLimitMiddleware):
    """Pages (the widget, the sandbox, the console, the demo): per client address, and per
    link token for the steps that carry one."""

    @staticmethod
    def buckets(request) -> list[tuple[str, str]]:
        data = request.POST if request.method == "POST" else request.GET
        ip = [(f"ip:{client_ip(request)}", settings.LINK_RATE_LIMIT_WIDGET)]
        return ip + _link_token_bucket(data.get("token"))

    @staticmethod
    def refusal(message: str) -> HttpResponse:
        return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")


class ApiRateLimitMiddleware(_RateLimitMiddleware):
    """The API: per client address, per link token (`x-vital-link-token`), and per team for
    a request with the team's credentials."""

    @staticmethod
    def buckets(request) -> list[tuple[str, str]]:
        buckets = [(f"api-ip:{client_ip(request)}", settings.LINK_RATE_LIMIT_API)]
        api_key = caller(request)
        if api_key is not None:
            buckets.append((f"team:{api_key.team_id}", settings.LINK_RATE_LIMIT_API))
        return buckets + _link_token_bucket(request.headers.get("x-vital-link-token"))

    @staticmethod
    def refusal(message: str) -> HttpResponse:
        return JsonResponse({"detail": message}, status=429)


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
