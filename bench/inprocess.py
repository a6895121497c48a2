"""Server time per request, in-process: a scenario's request handed straight to the WSGI
application, with no HTTP server, load driver or network between (the database and the cache
are still real). What a request costs the app itself, apart from gunicorn's share."""

import io
import secrets
import statistics
import time
from urllib.parse import urlsplit


def environ(method: str, url: str, headers: dict, body: bytes) -> dict:
    parts = urlsplit(url)
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        env[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return env


def call(application, scenario: dict) -> str:
    """One request of the scenario ("{n}" filled with a fresh value); its status line."""
    n = secrets.token_hex(4)
    body = (scenario.get("body") or "").replace("{n}", n).encode()
    env = environ(
        scenario["method"], scenario["path"].replace("{n}", n), scenario.get("headers", {}), body
    )
    status = []
    answer = application(env, lambda line, headers, exc_info=None: status.append(line))
    try:
        for _ in answer:
            pass
    finally:
        if hasattr(answer, "close"):
            answer.close()  # Django's request_finished, as a server sends it
    return status[0]


def server_time(application, scenario: dict, requests: int = 500) -> float:
    """Median seconds per request, after a warm-up of a tenth as many."""
    for _ in range(max(10, requests // 10)):
        call(application, scenario)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        call(application, scenario)
        times.append(time.perf_counter() - started)
    return statistics.median(times)
