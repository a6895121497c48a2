"""Test settings: the project's settings with development fallbacks and fast hashing."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

os.environ.setdefault("DJANGO_DEBUG", "true")

# Each pytest-xdist worker takes a Redis database of its own (gw1 the next after CACHE_URL's),
# so that a test emptying its cache (a fresh rate-limit window) leaves the others' alone.
_cache, _worker = os.environ.get("CACHE_URL", ""), os.environ.get("PYTEST_XDIST_WORKER")
if _cache.startswith("redis://") and _worker:
    _url = urlsplit(_cache)
    _db = int(_url.path.strip("/") or 0) + int(_worker.removeprefix("gw"))
    os.environ["CACHE_URL"] = _url._replace(path=f"/{_db}").geturl()

from linkwidget.settings import *  # noqa: E402, F403 (after the environment it reads)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# Live-server threads must not keep connections open past a test (PostgreSQL would refuse to
# drop the test database).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# The suite makes many requests from one address; tests of the limits set their own.
LINK_RATE_LIMIT_API = LINK_RATE_LIMIT_WIDGET = "100000/60"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, as in production: threads of the live server sharing an in-memory database lock
    # whole tables (SQLITE_LOCKED, which no timeout waits out), so two requests at once would
    # fail where a real deployment would have them wait their turn.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"link-test-{os.getpid()}.sqlite3")
    }
