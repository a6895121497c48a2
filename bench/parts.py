"""Where a read's time goes, in-process on a throwaway PostgreSQL and Redis (production
settings, as bench/run.py): per scenario that uses nothing up, the median of the whole request
and of its parts, timed around the functions that do them, without a profiler's overhead.

    .venv/bin/python bench/parts.py [--requests 500] [--only NAME ...]

The parts: the rate limiter's Redis round trip; the ORM's queries whole (building the query,
compiling its SQL, the database's answer, the rows made into objects), and of that the wait for
the database alone; the template's rendering; the rest is the middleware, the view's own code and
the response."""

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from functools import wraps

import run
from inprocess import call
from pg import free_port, throwaway_postgres

from tests.processes import throwaway_redis

PARTS = ("limiter", "orm", "database", "template")
# What a query is built and run through: its time from the manager to the rows.
_BUILD_AND_RUN = (
    *("filter", "exclude", "annotate", "alias", "values", "values_list", "order_by"),
    *("select_related", "prefetch_related", "only", "defer", "__getitem__", "_fetch_all"),
    *("get", "first", "exists", "count", "update"),
)


def _timed(part: str, spent: dict, *places: tuple[object, tuple[str, ...]]) -> None:
    """Wrap each (owner, names) so a call adds its time to spent[part]; a call inside another
    of the part's calls is counted once, in the outermost."""
    depth = [0]

    def wrap(original):
        @wraps(original)
        def wrapper(*args, **kwargs):
            depth[0] += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1
                if not depth[0]:
                    spent[part] += time.perf_counter() - started

        return wrapper

    for owner, names in places:
        for name in names:
            setattr(owner, name, wrap(getattr(owner, name)))


def _time_the_parts(spent: dict) -> None:
    from django.db import connection
    from django.db.models import Manager, QuerySet
    from django.template.backends.django import Template

    from linkwidget import ratelimit

    def execute(execute_sql, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute_sql(sql, params, many, context)
        finally:
            spent["database"] += time.perf_counter() - started

    _timed("limiter", spent, (ratelimit, ("_count",)))
    _timed("orm", spent, (Manager, ("get_queryset",)), (QuerySet, _BUILD_AND_RUN))
    _timed("template", spent, (Template, ("render",)))
    connection.execute_wrappers.append(execute)


def measure(application, scenario: dict, requests: int, spent: dict) -> dict[str, float]:
    """Median milliseconds per request of the whole and of each part."""
    samples = defaultdict(list)
    for n in range(requests + requests // 10):
        spent.clear()
        started = time.perf_counter()
        call(application, scenario)
        whole = time.perf_counter() - started
        if n >= requests // 10:  # after a warm-up
            for part in PARTS:
                samples[part].append(spent[part])
            samples["whole"].append(whole)
            samples["rest"].append(whole - spent["limiter"] - spent["orm"] - spent["template"])
    return {part: statistics.median(times) * 1000 for part, times in samples.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--only", nargs="+", default=[], help="scenarios whose name has one")
    args = parser.parse_args()
    with throwaway_postgres() as database_url, throwaway_redis() as cache_url:
        os.environ.update(run.environment(database_url, cache_url, free_port(), free_port()))
        data = run.prepare(pool_size=1, callbacks=0)
        data["oura"] = {"access_token": ""}  # the proxy's scenarios are not measured here
        _, *specs = run.scenarios(data, free_port(), free_port())
        from linkwidget.wsgi import application

        spent = defaultdict(float)
        _time_the_parts(spent)

        print(
            f"{'ms per request (median)':34} {'whole':>7} {'limiter':>8} {'ORM':>7} "
            f"{'(db)':>7} {'template':>9} {'rest':>7}"
        )
        print(f"{'bare view':34} {run.bare_time(args.requests) * 1000:7.3f}")
        for spec in specs:
            # the reads: no used-up token, no vendor behind
            if (
                "pool" in spec
                or "port" in spec
                or "proxy" in spec["path"]
                or spec["method"] != "GET"
            ):
                continue
            if args.only and not any(n in spec["name"] for n in args.only):
                continue
            t = measure(application, spec, args.requests, spent)
            print(
                f"{spec['name']:34} {t['whole']:7.3f} {t['limiter']:8.3f} {t['orm']:7.3f} "
                f"{t['database']:7.3f} {t['template']:9.3f} {t['rest']:7.3f}"
            )


if __name__ == "__main__":
    sys.exit(main())
