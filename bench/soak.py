"""The soak: gunicorn on a throwaway PostgreSQL, driven at a steady rate for minutes.

    .venv/bin/python bench/soak.py [--duration SECONDS] [--rate REQUESTS_PER_SECOND]

This process is the client: a customer backend and its end users, side by side. Each flow
creates a user and a link token through the API, opens the widget, lists the providers, and
connects Zwift by password through the emulator (served by a second gunicorn, as a vendor is
another server); an API read is mixed in. Requests start on a fixed schedule (open loop), so a
slow server does not slow the client down. Prints the errors (goal: none), p50/p99 latency
per minute and overall, and the servers' memory (RSS of gunicorn and its workers) at the start
and the end (goal: flat)."""

import argparse
import itertools
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from pg import free_port, throwaway_postgres  # noqa: E402
from run import API_KEY, environment, start_server  # noqa: E402

from tests.processes import throwaway_redis  # noqa: E402


class Pacer:
    """Hands out request start times `1/rate` apart, whichever thread asks."""

    def __init__(self, rate: float):
        self.interval = 1 / rate
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            slot = self.next = max(self.next + self.interval, time.monotonic())
        time.sleep(max(0.0, slot - time.monotonic()))


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[float, float]] = []  # (when, seconds)
        self.errors: dict[str, int] = {}

    def add(self, started: float, elapsed: float, problem: str | None) -> None:
        with self.lock:
            if problem:
                self.errors[problem] = self.errors.get(problem, 0) + 1
            else:
                self.samples.append((started, elapsed))


def flow(base: str, pacer: Pacer, recorder: Recorder, n: int) -> None:
    """One end user connecting, request by request; stops at the first failure."""
    session = requests.Session()
    key = {"X-Vital-API-Key": API_KEY}

    def send(method, path, expect=200, **kwargs):
        pacer.wait()
        started = time.monotonic()
        try:
            response = session.request(method, base + path, timeout=30, **kwargs)
            problem = None if response.status_code == expect else f"{path} {response.status_code}"
        except requests.RequestException as exc:
            response, problem = None, f"{path} {type(exc).__name__}"
        recorder.add(started, time.monotonic() - started, problem)
        if problem:
            raise RuntimeError(problem)
        return response

    try:
        user = send("POST", "/v2/user", json={"client_user_id": f"soak-{n}"}, headers=key).json()
        send("GET", "/v2/providers", headers=key)
        token = send(
            "POST", "/v2/link/token", json={"user_id": user["user_id"]}, headers=key
        ).json()["link_token"]
        send("GET", "/", params={"token": token})
        send("GET", "/link/providers", params={"token": token})
        form = {"token": token, "username": "user_good", "password": "pass_good"}
        done = send("POST", "/link/provider/zwift", data=form, allow_redirects=False, expect=302)
        send("GET", done.headers["Location"])
        send("GET", f"/v2/user/{user['user_id']}", headers=key)
    except RuntimeError:
        return


def rss_kib(server: subprocess.Popen) -> int:
    """Resident memory of gunicorn's master and its workers, in KiB."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    total = 0
    for pid in [server.pid, *map(int, children)]:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def percentiles(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    if not ordered:
        return "no successful requests"
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load")
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second")
    args = parser.parse_args()

    port, vendor_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    with throwaway_postgres() as database_url, throwaway_redis() as cache_url:
        env = environment(database_url, cache_url, port, vendor_port)
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
            ["seed_demo", "--allow-production", "--api-key", API_KEY],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        server, vendor = start_server(env, port), start_server(env, vendor_port)
        try:
            recorder, pacer = Recorder(), Pacer(args.rate)
            started = time.monotonic()
            deadline = started + args.duration
            memory = [(0.0, rss_kib(server))]
            # Enough users at once that the schedule, not the server, sets the pace.
            with ThreadPoolExecutor(max_workers=32) as pool:
                for n in itertools.count():
                    now = time.monotonic()
                    if now >= deadline:
                        break
                    if now - started - memory[-1][0] >= 60:
                        memory.append((now - started, rss_kib(server)))
                    while pool._work_queue.qsize() > 32:  # keep the backlog short
                        time.sleep(0.05)
                    pool.submit(flow, base, pacer, recorder, n)
                pool.shutdown(cancel_futures=True)
            wall = time.monotonic() - started
            memory.append((wall, rss_kib(server)))
        finally:
            for process in (server, vendor):
                process.terminate()
                process.wait(timeout=30)

    total = len(recorder.samples) + sum(recorder.errors.values())
    print(
        f"soak: {total} requests in {wall:.0f} s ({total / wall:.1f} req/s, target {args.rate:g})"
    )
    print(f"errors: {sum(recorder.errors.values())} {recorder.errors or ''}")
    for minute in range(int(wall // 60) + 1):
        window = [e for s, e in recorder.samples if minute * 60 <= s - started < (minute + 1) * 60]
        if window:
            print(f"minute {minute + 1}: {len(window)} requests, {percentiles(window)}")
    print(f"overall: {percentiles([e for _, e in recorder.samples])}")
    samples = ", ".join(f"{at:.0f} s {kib / 1024:.1f}" for at, kib in memory)
    drift = (memory[-1][1] - memory[0][1]) / 1024
    print(f"server RSS (gunicorn + workers), MiB: {samples} (start to end {drift:+.1f} MiB)")


if __name__ == "__main__":
    main()
