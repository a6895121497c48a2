"""Loaded at start-up by every witness interpreter (this folder is on its PYTHONPATH): each
HTTPS request a vendor's own client library makes through `requests` or `httpx` goes to the
sandbox's mirror of that host, $LINK_WITNESS_SANDBOX/sandbox/<host>/<path>, as
providers.http.sandbox_url rewrites it. The host is all that changes; the library's code is
untouched."""

import os

_SANDBOX = os.environ["LINK_WITNESS_SANDBOX"]


def _in_the_sandbox(url: str) -> str:
    if url.startswith("https://"):
        return f"{_SANDBOX}/sandbox/{url.removeprefix('https://')}"
    return url


try:
    import requests.adapters
except ImportError:
    pass
else:
    _send = requests.adapters.HTTPAdapter.send

    def _send_to_the_sandbox(self, request, *args, **kwargs):
        request.url = _in_the_sandbox(request.url)
        return _send(self, request, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = _send_to_the_sandbox

try:
    import httpx
except ImportError:
    pass
else:

    def _rewrite(request) -> None:
        request.url = httpx.URL(_in_the_sandbox(str(request.url)))
        request.headers["Host"] = request.url.netloc.decode()

    _handle = httpx.HTTPTransport.handle_request
    _handle_async = httpx.AsyncHTTPTransport.handle_async_request

    def _handle_in_the_sandbox(self, request):
        _rewrite(request)
        return _handle(self, request)

    async def _handle_async_in_the_sandbox(self, request):
        _rewrite(request)
        return await _handle_async(self, request)

    httpx.HTTPTransport.handle_request = _handle_in_the_sandbox
    httpx.AsyncHTTPTransport.handle_async_request = _handle_async_in_the_sandbox
