"""The benchmark: gunicorn on a throwaway PostgreSQL, load from a second process.

    .venv/bin/python bench/run.py [--duration SECONDS] [--concurrency 1 8 32]

Prints, per endpoint and concurrency: throughput, p50/p99 latency and the ratio to a bare
Django view (bench/bare.py, on a gunicorn of its own), measured again just before each endpoint;
each endpoint's server time in-process with its ratio to the bare view's; the vendor proxy's
overhead over a direct call to the emulator; SQL queries per request; then, in headless
Chromium, the weight of each widget step, the static files' headers and a full connect per auth
type. Figures from a noisy (shared) machine compare through the
ratios, not the absolute numbers."""

import argparse
import json
import os
import runpy
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import browser  # noqa: E402
import proxy  # noqa: E402
import widget  # noqa: E402
from inprocess import server_time  # noqa: E402
from pg import free_port, throwaway_postgres  # noqa: E402

from tests.processes import throwaway_redis  # noqa: E402

API_KEY = "sk_us_bench" + "0" * 35


def environment(database_url: str, cache_url: str, port: int, vendor_port: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "linkwidget.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "LINK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "LINK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LINK_RATE_LIMIT_API": "100000000/60",
        "LINK_RATE_LIMIT_WIDGET": "100000000/60",
        "DJANGO_LOG_LEVEL": "WARNING",
        "CACHE_URL": cache_url,  # Redis, as in production
        "LINK_SANDBOX_ENABLED": "true",  # the widget scenarios connect to the emulators
        # served by a second gunicorn, as a vendor is another server: calls from a busy server
        # to itself would wait behind the requests that make them.
        "LINK_SANDBOX_BASE_URL": f"http://127.0.0.1:{vendor_port}",
    }


def prepare(pool_size: int, callbacks: int | None = None) -> dict:
    """Migrate, seed and create what the scenarios use up (link tokens, and as many OAuth
    callbacks unless `callbacks` says otherwise)."""
    callbacks = pool_size if callbacks is None else callbacks
    import django

    django.setup()
    from django.core.management import call_command

    from link.services import link_token_create
    from teams.models import ApiKey, Team
    from teams.services import end_user_create

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    public_url = os.environ["LINK_PUBLIC_URL"]
    call_command(
        "seed_demo",
        "--allow-production",
        "--api-key",
        API_KEY,
        "--redirect-url",
        f"{public_url}/healthz",
        "--scope",
        ApiKey.Scope.PROXY,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    team = Team.objects.get(pk=ApiKey.objects.get(prefix=API_KEY[:14]).team_id)
    user = end_user_create(team=team, client_user_id=f"bench-{secrets.token_hex(4)}")
    tokens = [link_token_create(team=team, user_id=user.pk)[0] for _ in range(pool_size + 1)]
    return {
        "team": team,
        "user": user,
        "user_id": str(user.pk),
        "token": tokens.pop(),
        "tokens": tokens,
        "callbacks": widget.oauth_callbacks(team, user, callbacks),
        "browser": widget.browser_links(team, public_url, f"{public_url}/healthz"),
    }


def scenarios(data: dict, bare_port: int, vendor_port: int) -> list[dict]:
    key = {"X-Vital-API-Key": API_KEY}
    json_key = {**key, "Content-Type": "application/json"}
    return [
        {"name": "bare view", "method": "GET", "path": "/ping", "port": bare_port},
        {"name": "GET /v2/providers", "method": "GET", "path": "/v2/providers", "headers": key},
        {
            "name": "GET /v2/user/{id}",
            "method": "GET",
            "path": f"/v2/user/{data['user_id']}",
            "headers": key,
        },
        {
            "name": "POST /v2/user",
            "method": "POST",
            "path": "/v2/user",
            "headers": json_key,
            "body": '{"client_user_id": "load-{n}"}',
        },
        {
            "name": "POST /v2/link/token",
            "method": "POST",
            "path": "/v2/link/token",
            "headers": json_key,
            "body": json.dumps({"user_id": data["user_id"]}),
        },
        *widget.scenarios(data["token"], data["tokens"], data["callbacks"]),
        *proxy.scenarios(data["user_id"], data["oura"], API_KEY, vendor_port),
    ]


_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def count_queries(scenario: dict) -> int:
    """SQL statements for one request of the scenario, in-process, after a warm-up request;
    transaction control aside, as in tests/perf."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    headers = scenario.get("headers", {})

    def send():
        drawn = (scenario.get("pool") or [""]).pop()
        drawn, extra = drawn if isinstance(drawn, list) else (drawn, {})
        fill = {"{n}": secrets.token_hex(4), "{pool}": drawn}
        path, body = scenario["path"], scenario.get("body") or ""
        for placeholder, value in fill.items():
            path, body = path.replace(placeholder, value), body.replace(placeholder, value)
        return client.generic(
            scenario["method"],
            path,
            body,
            content_type=headers.get("Content-Type", "application/octet-stream"),
            headers={**{k: v for k, v in headers.items() if k != "Content-Type"}, **extra},
        )

    send()
    with CaptureQueriesContext(connection) as queries:
        send()
    return sum(not q["sql"].startswith(_TRANSACTION_CONTROL) for q in queries)


def start_server(env: dict, port: int, app: str = "linkwidget.wsgi") -> subprocess.Popen:
    """gunicorn with the repository's gunicorn.conf.py, serving `app` (a module of the
    repository or of bench/)."""
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")),
            *("--pythonpath", str(ROOT / "bench"), "-b", f"127.0.0.1:{port}", app),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe = "/ping" if app == "bare" else "/healthz"
    for _ in range(200):
        try:
            requests.get(f"http://127.0.0.1:{port}{probe}", timeout=1)
            return server
        except requests.RequestException:  # still booting
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def bare_time(requests: int) -> float:
    """The bare view's median server time in-process, in a process of its own (it has settings
    of its own)."""
    bare = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bare.py"), str(requests)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(bare.stdout)


def server_times(specs: list[dict], requests: int = 500) -> dict[str, float]:
    """Median server time per request in-process (bench/inprocess.py) of every scenario that
    uses nothing up; the bare view's in a process of its own (it has settings of its own)."""
    from linkwidget.wsgi import application

    times = {specs[0]["name"]: bare_time(requests)}
    for spec in specs[1:]:
        if not spec.get("pool"):
            times[spec["name"]] = server_time(application, spec, requests)
    return times


def print_table(results: list[dict]) -> None:
    """Each endpoint with its ratio to the bare view measured just before it; the bare view
    itself as the median of its runs."""
    header = f"{'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8}  errors"
    print(f"\n{'endpoint':34} {header}")
    bare, bare_runs = {}, {}
    for r in results:
        if r["name"].startswith("bare"):
            bare[r["concurrency"]] = r["rps"]
            bare_runs.setdefault(r["concurrency"], []).append(r)
            continue
        _print_row(r, r["rps"] / bare[r["concurrency"]] if bare.get(r["concurrency"]) else 0)
    for runs in bare_runs.values():
        median = {k: statistics.median(run[k] for run in runs) for k in ("rps", "p50_ms", "p99_ms")}
        _print_row({**runs[0], **median, "name": f"bare view, median of {len(runs)}"}, 1)


def _print_row(r: dict, ratio: float) -> None:
    p50 = f"{r['p50_ms']:.1f}" if r["p50_ms"] is not None else "-"
    p99 = f"{r['p99_ms']:.1f}" if r["p99_ms"] is not None else "-"
    print(
        f"{r['name']:34} {r['concurrency']:>4} {r['rps']:>8.1f} {p50:>8} {p99:>8} "
        f"{ratio:>7.0%}  {r['errors'] or ''}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--pool", type=int, default=1500, help="link tokens per used-up scenario")
    parser.add_argument("--only", nargs="+", default=[], help="endpoints whose name has one")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium tables")
    args = parser.parse_args()

    port, vendor_port, bare_port = free_port(), free_port(), free_port()
    with throwaway_postgres() as database_url, throwaway_redis() as cache_url:
        env = environment(database_url, cache_url, port, vendor_port)
        os.environ.update(env)
        data = prepare(pool_size=args.pool)
        servers = [
            start_server(env, port),
            start_server(env, vendor_port),
            start_server(env, bare_port, app="bare"),
        ]
        try:
            data["oura"] = proxy.connect(data["team"], data["user"], env["LINK_PUBLIC_URL"])
            bare, *specs = scenarios(data, bare_port, vendor_port)
            specs = [s for s in specs if not args.only or any(n in s["name"] for n in args.only)]
            # (a direct call to the emulator is not ours to count or time)
            ours = [s for s in specs if "port" not in s]
            query_counts = {s["name"]: count_queries(s) for s in ours}
            times = server_times([bare, *ours])
            load = subprocess.run(
                [sys.executable, str(ROOT / "bench" / "load.py")],
                input=json.dumps(
                    {
                        "host": "127.0.0.1",
                        "port": port,
                        "duration": args.duration,
                        "concurrency": args.concurrency,
                        "scenarios": [x for s in specs for x in (bare, s)],
                    }
                ),
                capture_output=True,
                text=True,
                check=True,
            )
            print_results(args.duration, json.loads(load.stdout), times, query_counts)
            if not args.no_browser:
                links = data["browser"]
                browser.print_tables(
                    *browser.weigh(links.pop("weigh")),
                    browser.connect(links, f"{env['LINK_PUBLIC_URL']}/healthz"),
                )
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)


def print_results(
    duration: float, results: list[dict], times: dict[str, float], query_counts: dict[str, int]
) -> None:
    gunicorn = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{duration:g} s per measurement, gunicorn {gunicorn['workers']} "
        f"{gunicorn['worker_class']} workers x {gunicorn['threads']} threads"
    )
    print_table(results)
    bare = next(iter(times.values()))
    print(f"\n{'endpoint':34} {'server ms':>9} {'vs bare':>8}  (in-process, median)")
    for name, seconds in times.items():
        print(f"{name:34} {seconds * 1000:>9.3f} {bare / seconds:>8.0%}")
    proxy.print_overhead(results)
    print(f"\n{'endpoint':34} SQL queries per request")
    for name, count in query_counts.items():
        print(f"{name:34} {count}")


if __name__ == "__main__":
    main()
