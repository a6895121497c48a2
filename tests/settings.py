"""Test settings: the project's settings with development fallbacks and fast hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "true")

from linkwidget.settings import *  # noqa: F403

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
