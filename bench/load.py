"""The load driver, run as its own process so it does not share the server's interpreter.

Reads a JSON list of scenarios on stdin and writes results as JSON on stdout. A scenario is
{name, method, path, headers, body, pool, ok, port}: "{n}" in the path or body becomes a value
unique to each request of the run, and "{pool}" the next unused value of `pool` (for what a
request uses up, such as a link token; shared by all concurrencies, a run stops when it is
empty); a value may be a pair [value, headers], whose headers go with that request (the cookie
of the browser an OAuth sign-in is bound to). `port`, if given, is another server's (the bare
view's). Each scenario runs at each concurrency for `duration` seconds, after an unmeasured
warm-up if it uses nothing up; responses with a status outside `ok` (default [200]) count as
errors. A scenario's `alongside` (a scenario with a `concurrency` of its own) is sent at the
same time, to measure one kind of request while another keeps the server busy."""

import http.client
import itertools
import json
import statistics
import sys
import threading
import time


class _Clients:
    """`concurrency` clients sending `scenario` back to back until `deadline`."""

    def __init__(self, base, scenario: dict, pool, concurrency: int, deadline: float):
        self.base, self.scenario, self.pool = base, scenario, pool
        self.concurrency, self.deadline = concurrency, deadline
        self.counter, self.lock = itertools.count(), threading.Lock()
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.threads = [threading.Thread(target=self.client) for _ in range(concurrency)]

    def fill(self, text: str) -> tuple[str, dict]:
        with self.lock:
            n = next(self.counter)
            value = next(self.pool, None) if "{pool}" in text else None
        if "{pool}" in text and value is None:
            raise StopIteration
        value, headers = value if isinstance(value, list) else (value, {})
        text = text.replace("{n}", f"{self.concurrency}-{n}").replace("{pool}", value or "")
        return text, headers

    def client(self):
        scenario = self.scenario
        # One kept-alive connection per client, as a browser or the SDK's session keeps it.
        conn = http.client.HTTPConnection(*self.base, timeout=30)
        while time.monotonic() < self.deadline:
            try:
                text, headers = self.fill(scenario["path"] + "\x00" + (scenario.get("body") or ""))
            except StopIteration:
                return
            path, body = text.split("\x00")
            started = time.perf_counter()
            try:
                conn.request(
                    scenario["method"],
                    path,
                    body=body or None,
                    headers={**scenario.get("headers", {}), **headers},
                )
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()  # reopened by the next request
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
            elapsed = time.perf_counter() - started
            with self.lock:
                if status in scenario.get("ok", [200]):
                    self.latencies.append(elapsed)
                else:
                    self.errors[str(status)] = self.errors.get(str(status), 0) + 1

    def result(self, wall: float) -> dict:
        ordered = sorted(self.latencies)
        return {
            "name": self.scenario["name"],
            "concurrency": self.concurrency,
            "requests": len(ordered),
            "rps": len(ordered) / wall if wall else 0.0,
            "p50_ms": statistics.median(ordered) * 1000 if ordered else None,
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
            if ordered
            else None,
            "errors": self.errors,
        }


def _run(base, scenario: dict, pools: dict, concurrency: int, duration: float) -> dict:
    """The scenario's figures; with those of its `alongside` scenario, if it has one, sent at
    the same time by clients of their own."""
    deadline = time.monotonic() + duration
    groups = [_Clients(base, scenario, pools[scenario["name"]], concurrency, deadline)]
    if alongside := scenario.get("alongside"):
        pool = pools[alongside["name"]]
        groups.append(_Clients(base, alongside, pool, alongside["concurrency"], deadline))
    started = time.monotonic()
    threads = [t for group in groups for t in group.threads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    result, *others = [group.result(wall) for group in groups]
    return {**result, "alongside": others[0] if others else None}


def main():
    spec = json.load(sys.stdin)
    results = []
    pools = {}  # one per scenario name, shared by all its runs
    for scenario in spec["scenarios"]:
        for s in (scenario, scenario.get("alongside") or scenario):
            pools.setdefault(s["name"], iter(s.get("pool") or []))
        base = (spec["host"], scenario.get("port", spec["port"]))
        if not scenario.get("pool") and not scenario.get("alongside"):
            # Unmeasured: each server thread's first request opens its database connection
            # and each process compiles its templates, costs a steady state does not pay.
            # (Scenarios that use values up keep them for the measurement.)
            _run(base, scenario, pools, max(spec["concurrency"]), min(1.0, spec["duration"] / 4))
        for concurrency in spec["concurrency"]:
            results.append(_run(base, scenario, pools, concurrency, spec["duration"]))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
