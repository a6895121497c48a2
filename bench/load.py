"""The load driver, run as its own process so it does not share the server's interpreter.

Reads a JSON list of scenarios on stdin and writes results as JSON on stdout. A scenario is
{name, method, path, headers, body, pool, ok, port}: "{n}" in the path or body becomes a value
unique to each request of the run, and "{pool}" the next unused value of `pool` (for what a
request uses up, such as a link token; shared by all concurrencies, a run stops when it is
empty); a value may be a pair [value, headers], whose headers go with that request (the cookie
of the browser an OAuth sign-in is bound to); `port`, when given, is another server's than the
spec's. Each scenario runs at each concurrency for `duration` seconds; responses with a status
outside `ok` (default [200]) count as errors."""

import http.client
import itertools
import json
import statistics
import sys
import threading
import time


def _run(base: tuple[str, int], scenario: dict, pool, concurrency: int, duration: float) -> dict:
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + duration

    def fill(text: str) -> tuple[str, dict]:
        with lock:
            n = next(counter)
            value = next(pool, None) if "{pool}" in text else None
        if "{pool}" in text and value is None:
            raise StopIteration
        value, headers = value if isinstance(value, list) else (value, {})
        return text.replace("{n}", f"{concurrency}-{n}").replace("{pool}", value or ""), headers

    def worker():
        # One kept-alive connection per client, as a browser or the SDK's session keeps it.
        conn = http.client.HTTPConnection(*base, timeout=30)
        while time.monotonic() < deadline:
            try:
                text, headers = fill(scenario["path"] + "\x00" + (scenario.get("body") or ""))
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
            with lock:
                if status in scenario.get("ok", [200]):
                    latencies.append(elapsed)
                else:
                    errors[str(status)] = errors.get(str(status), 0) + 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "name": scenario["name"],
        "concurrency": concurrency,
        "requests": len(ordered),
        "rps": len(ordered) / wall if wall else 0.0,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else None,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        if ordered
        else None,
        "errors": errors,
    }


def main():
    spec = json.load(sys.stdin)
    results = []
    for scenario in spec["scenarios"]:
        base = (spec["host"], scenario.get("port", spec["port"]))
        pool = iter(scenario.get("pool") or [])
        for concurrency in spec["concurrency"]:
            results.append(_run(base, scenario, pool, concurrency, spec["duration"]))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
