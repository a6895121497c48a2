"""The load driver, run as its own process so it does not share the server's interpreter.

Reads a JSON list of scenarios on stdin and writes results as JSON on stdout. A scenario is
{name, method, path, headers, body, pool, ok}: "{n}" in the path or body becomes a value
unique to each request of the run, and "{pool}" the next unused value of `pool` (for what a
request uses up, such as a link token). Each scenario runs at each concurrency for `duration`
seconds; responses with a status outside `ok` (default [200]) count as errors."""

import http.client
import itertools
import json
import statistics
import sys
import threading
import time


def _run(base: tuple[str, int], scenario: dict, concurrency: int, duration: float) -> dict:
    counter = itertools.count()
    pool = iter(scenario.get("pool") or [])
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + duration

    def fill(text: str) -> str:
        with lock:
            n = next(counter)
            value = next(pool, None) if "{pool}" in text else None
        if "{pool}" in text and value is None:
            raise StopIteration
        return text.replace("{n}", f"{concurrency}-{n}").replace("{pool}", value or "")

    def worker():
        while time.monotonic() < deadline:
            try:
                path, body = fill(scenario["path"] + "\x00" + (scenario.get("body") or "")).split(
                    "\x00"
                )
            except StopIteration:
                return
            conn = http.client.HTTPConnection(*base, timeout=30)
            started = time.perf_counter()
            try:
                conn.request(
                    scenario["method"], path, body=body or None, headers=scenario.get("headers", {})
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError as exc:
                status = type(exc).__name__
            finally:
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
    base = (spec["host"], spec["port"])
    results = [
        _run(base, scenario, concurrency, spec["duration"])
        for scenario in spec["scenarios"]
        for concurrency in spec["concurrency"]
    ]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
