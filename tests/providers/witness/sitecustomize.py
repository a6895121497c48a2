"""Loaded at start-up by every witness interpreter (this folder is on its PYTHONPATH): each
HTTPS request a vendor's own client library makes through `requests` goes to the sandbox's
mirror of that host, $LINK_WITNESS_SANDBOX/sandbox/<host>/<path>, as providers.http.sandbox_url
rewrites it. The host is all that changes; the library's code is untouched."""

import os

import requests.adapters

_SANDBOX = os.environ["LINK_WITNESS_SANDBOX"]
_send = requests.adapters.HTTPAdapter.send


def _send_to_the_sandbox(self, request, *args, **kwargs):
    if request.url.startswith("https://"):
        request.url = f"{_SANDBOX}/sandbox/{request.url.removeprefix('https://')}"
    return _send(self, request, *args, **kwargs)


requests.adapters.HTTPAdapter.send = _send_to_the_sandbox
