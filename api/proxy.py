"""`/v2/proxy/{user_id}/{provider}/{path}`: the team's pipeline calls a vendor's API through
Link, which adds the connection's credentials the vendor's way, so the pipeline never holds a
vendor secret (Nango's proxy). Needs the `proxy` scope.

The host is the vendor's API base for the connection (its adapter's `api_base`, in its region),
never the caller's: only the path and the query come from the caller, and a path that could
leave that base is refused. The vendor's status, headers and body come back as they are,
streamed, with a timeout; a token the vendor refuses is refreshed once and the call retried.
Bodies are never logged, and nothing of the caller's identity (our API key, its Authorization,
cookies, forwarding headers) reaches the vendor: only the headers below do."""

import logging
import re
import threading
from datetime import timedelta
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID

import requests
from django.conf import settings
from django.http import JsonResponse, StreamingHttpResponse
from ninja import Path, Router

from connections.credentials import CredentialsUnavailable, connection_credentials_fresh
from providers.errors import ProviderTimeout, ProviderUnavailable
from providers.http import HttpSession
from providers.registry import adapter_class, provider_adapter
from teams.models import ApiKey

from .auth import scoped_auth
from .credentials import NoConnection, UnavailableOut, not_found, team_connection, unavailable
from .schemas import ErrorOut, NotFoundOut

log = logging.getLogger(__name__)

router = Router(tags=["connections"])

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# The caller's headers that reach the vendor: content negotiation and the body's type.
FORWARDED_HEADERS = (
    "Accept",
    "Accept-Language",
    "Content-Type",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "Range",
)
# The vendor's headers that do not come back: hop-by-hop ones, what requests has already decoded
# (the body comes back decoded, at a length of its own), and cookies for the vendor's domain.
NOT_RETURNED = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-encoding",
    "content-length",
    "set-cookie",
    "date",
    "server",
}
# A path segment: RFC 3986 `pchar` without percent-encoding and without "@", so that nothing
# the vendor (or a URL parser on the way) decodes can turn into another host or path.
_SEGMENT = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:-]+")
_CHUNK = 64 * 1024
_local = threading.local()


class PathRefused(ValueError):
    pass


def vendor_path(path: str) -> str:
    """The caller's path as it goes after the vendor's API base; PathRefused for an empty or
    dot segment, a backslash, "@", a percent sign (an encoded character, once decoded by the
    server already) or anything else outside plain path characters."""
    segments = path.split("/")
    for segment in segments:
        if segment in ("", ".", "..") or not _SEGMENT.fullmatch(segment):
            raise PathRefused(
                "The path may only name an endpoint under the provider's API: no empty or dot "
                "segments, and no '@', '\\', '%' or characters outside RFC 3986 path characters."
            )
    return path


def _session(vendor: str) -> HttpSession:
    """This thread's session to `vendor`: proxied calls reuse its kept-alive connections (and
    TLS sessions) rather than open one each. It serves every team, so it keeps no cookies."""
    sessions = vars(_local).setdefault("sessions", {})
    if vendor not in sessions:
        sessions[vendor] = HttpSession(vendor=vendor)
        sessions[vendor].cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return sessions[vendor]


def _call(request, adapter, credentials: dict, path: str) -> requests.Response:
    base = adapter.api_url(credentials)
    url = f"{base}/{path}"
    if urlsplit(url).netloc != urlsplit(base).netloc:  # vendor_path makes this impossible
        raise PathRefused("The path leaves the provider's API.")
    auth_headers, auth_params = adapter.api_auth(credentials)
    query = [
        (name, value)
        for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        if name not in auth_params
    ]
    headers = {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}
    return _session(adapter.slug).request(
        request.method,
        url,
        params=[*query, *auth_params.items()],
        headers={**headers, **auth_headers},
        data=request.body or None,
        allow_redirects=False,
        stream=True,
        passthrough=True,
    )


def _streamed(upstream: requests.Response) -> StreamingHttpResponse:
    def body():
        try:
            yield from upstream.iter_content(_CHUNK)
        except requests.RequestException as exc:  # cut off midway: the caller sees it short
            log.warning("proxied body from %s cut off (%s)", upstream.url.split("?")[0], type(exc))
        finally:
            upstream.close()

    response = StreamingHttpResponse(body(), status=upstream.status_code)
    for name, value in upstream.headers.items():
        if name.lower() not in NOT_RETURNED:
            response[name] = value
    return response


def _gateway_error(exc: ProviderUnavailable) -> JsonResponse:
    status = 504 if isinstance(exc, ProviderTimeout) else 502
    return JsonResponse({"detail": exc.message}, status=status)


@router.api_operation(
    METHODS,
    "proxy/{user_id}/{provider}/{path:path}",
    auth=scoped_auth(ApiKey.Scope.PROXY),
    response={
        400: ErrorOut,
        404: NotFoundOut,
        502: NotFoundOut,
        503: UnavailableOut,
        504: NotFoundOut,
    },
)
def proxy(request, user_id: UUID, provider: str = Path(..., max_length=40), path: str = Path(...)):
    """Call `{path}` (with the query string) at the provider's API base for this connection
    (Strava's `https://www.strava.com/api/v3`, Oura's `https://api.ouraring.com`, …), with the
    connection's credentials added the provider's way. Any status, headers and body the
    provider answers come back as they are; a token it refuses is refreshed once and the call
    retried. 400: a path that would leave the provider's API, a provider Link cannot proxy, or
    a broken connection; 502/504: the provider did not answer. Not in Vital's API. Needs the
    `proxy` scope."""
    try:
        path = vendor_path(path)
        connection = team_connection(request, user_id, provider)
    except PathRefused as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    except NoConnection:
        return not_found(provider)
    vendor = adapter_class(provider)
    if vendor.api_base is None:
        return JsonResponse({"detail": f"Link has no proxy to {vendor.name}'s API."}, status=400)
    # The token must outlive the call.
    min_ttl = timedelta(seconds=settings.LINK_PROVIDER_TIMEOUT_SECONDS)
    try:
        adapter = provider_adapter(provider, team=connection.user.team)
        connection, _ = connection_credentials_fresh(connection=connection, min_ttl=min_ttl)
        upstream = _call(request, adapter, connection.credentials, path)
        if adapter.api_rejected(upstream):
            upstream.close()
            refused = connection.credentials["access_token"]
            connection, _ = connection_credentials_fresh(
                connection=connection, min_ttl=min_ttl, rejected=refused
            )
            upstream = _call(request, adapter, connection.credentials, path)
    except CredentialsUnavailable as exc:
        return unavailable(exc)
    except ProviderUnavailable as exc:
        return _gateway_error(exc)
    return _streamed(upstream)
