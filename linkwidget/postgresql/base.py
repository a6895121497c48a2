"""Django's PostgreSQL backend, with a health check that runs only when it can find something.

CONN_HEALTH_CHECKS sends `SELECT 1` before the first query of every request on a kept
connection: a round trip of about 0.3 ms on every read that touches the database, some 15% of
`GET /v2/user/{id}` in-process (BENCHMARKS.md, "The lean request path"). Here a connection that
sent a query less than a second ago is not checked again. A connection that busy has no quiet
moment in which a database restart or a dropped TCP connection could break it unnoticed: such a
failure meets the requests in flight, checked or not, and at most one request after it (Django
then closes the connection, and the next request opens a new one). A connection that sat idle,
the one a restart leaves broken, is still checked before its next request uses it."""

import time

from django.db.backends.postgresql import base

FRESH_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = float("-inf")  # monotonic time of the last query's start

    def close_if_health_check_failed(self):
        # Django calls this before every query; only the first in a request may check.
        now = time.monotonic()
        if self.connection is not None and now - self.used_at < FRESH_SECONDS:
            self.health_check_done = True
        super().close_if_health_check_failed()
        self.used_at = now
