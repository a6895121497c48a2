"""The one doorway for outbound vendor HTTP: a mandatory timeout, our User-Agent, and network
failures, rate limits and server errors turned into ProviderUnavailable, and 410 Gone (a vendor
that switched the service off) into ProviderRetired. Other 4xx answers are left to the adapter,
because vendors put their credential and grant errors there.

The sandbox mirrors the internet by host name: the emulator of `https://api.ouraring.com/oauth/token`
answers at `{LINK_SANDBOX_BASE_URL}/sandbox/api.ouraring.com/oauth/token`. Rewriting the host is
all it takes to point a sandbox team's adapter, or any vendor's own client library, at it."""

import logging
import time

import requests
from django.conf import settings
from prometheus_client import Histogram
from requests_oauthlib import OAuth2Session

from .errors import (
    ProviderApiError,
    ProviderRateLimited,
    ProviderRetired,
    ProviderTimeout,
    ProviderUnavailable,
)

log = logging.getLogger(__name__)

USER_AGENT = "LinkWidget/1.0 (+https://github.com/link-widget)"

VENDOR_CALLS = Histogram(
    "link_vendor_request_duration_seconds",
    "Calls to vendors, by vendor and outcome (2xx, 4xx, 429, 5xx, timeout, unreachable).",
    ["vendor", "outcome"],
)


class _Doorway:
    def __init__(self, *args, vendor: str = "unknown", gone: str = "", **kwargs):
        """`gone`: what to tell the user if the vendor answers that the service is gone."""
        super().__init__(*args, **kwargs)
        self.vendor = vendor
        self.gone = gone

    def request(
        self, method, url, *args, errors_in_5xx: bool = False, passthrough: bool = False, **kwargs
    ):
        """`errors_in_5xx`: the vendor reports ordinary errors (bad password) with a 5xx status
        and a JSON body (Dexcom Share does): hand those to the adapter to read. `passthrough`:
        hand back every answer the vendor gives, 429 and 5xx included (the vendor proxy passes
        them on to its caller); only a timeout or no answer at all raises."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = settings.LINK_PROVIDER_TIMEOUT_SECONDS
        headers = kwargs.setdefault("headers", None) or {}
        kwargs["headers"] = {"User-Agent": USER_AGENT, **headers}
        outcome, started = "unreachable", time.monotonic()
        try:
            response = super().request(method, url, *args, **kwargs)
            code = response.status_code
            outcome = "429" if code == 429 else f"{code // 100}xx"
        except requests.Timeout:
            outcome = "timeout"
            log.warning("provider timeout: %s %s", method, _no_query(url))
            raise ProviderTimeout() from None
        except requests.RequestException as exc:
            log.warning("provider unreachable: %s %s (%s)", method, _no_query(url), type(exc))
            raise ProviderUnavailable() from None
        finally:
            VENDOR_CALLS.labels(self.vendor, outcome).observe(time.monotonic() - started)
        if passthrough:
            return response
        if response.status_code == 410:
            log.warning("provider gone (410): %s %s", method, _no_query(url))
            raise ProviderRetired(self.gone or None)
        if response.status_code == 429:
            raise ProviderRateLimited(_retry_after(response))
        if response.status_code >= 500 and not (errors_in_5xx and _is_json(response)):
            log.warning("provider %s: %s %s", response.status_code, method, _no_query(url))
            raise ProviderUnavailable()
        return response


def sandbox_path(url: str) -> str:
    """Where the sandbox serves a vendor URL, under this server's root: its host moves into the
    path (`https://api.ouraring.com/x` -> `sandbox/api.ouraring.com/x`)."""
    return "sandbox/" + url.split("://", 1)[1]


def sandbox_url(url: str) -> str:
    """A vendor URL with its host rewritten to the sandbox's mirror of it."""
    return f"{settings.LINK_SANDBOX_BASE_URL}/{sandbox_path(url)}"


def _is_json(response: requests.Response) -> bool:
    return response.headers.get("Content-Type", "").startswith("application/json")


def _retry_after(response: requests.Response) -> int:
    """Seconds to wait, from a 429's Retry-After (seconds; a date is taken as a minute), or
    Strava's and others' silence taken as a minute; at least a second, at most an hour."""
    try:
        seconds = int(response.headers.get("Retry-After", "60"))
    except ValueError:
        seconds = 60
    return min(max(seconds, 1), 3600)


def _no_query(url: str) -> str:
    # Some vendors (iHealth, Dexcom) put secrets in the query string: never log it.
    return url.split("?", 1)[0]


class HttpSession(_Doorway, requests.Session):
    """A plain session for vendor calls."""


class OAuth2HttpSession(_Doorway, OAuth2Session):
    """requests-oauthlib's session, through the doorway."""


def json_or_none(response: requests.Response):
    """The response's JSON, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def json_body(response: requests.Response):
    """The response's JSON, or ProviderApiError when the vendor sent something else."""
    try:
        return response.json()
    except ValueError:  # requests.JSONDecodeError included
        raise ProviderApiError() from None
