"""How the cost grows with the number of connections, on PostgreSQL and Redis.

    .venv/bin/python bench/scale.py [--sizes 1000 10000 100000] [--rate 20] [--seconds 15]
                                    [--explain]

Seeds, cumulatively, 1k, 10k and 100k end users, each with a Google Health connection (mostly
connected, with tokens expiring over the next eight hours and the refresh task each has
scheduled; some pending, broken or deregistered), a finished link session, a delivered webhook
and a finished task. Then, per size:

- the time of the due-work queries: the cron's `connections_due`, the task worker's next-task
  query, the webhook retries due, and a `/metrics` scrape (median of several runs);
- refreshes per second of one task worker (`manage.py db_worker`) against the Google Health emulator
  (a second gunicorn, as a vendor is another server), and webhook deliveries per second of one
  worker (to that gunicorn's /healthz), from the tasks' own start and finish times;
- the API's p50/p99 at a steady rate (open loop) with the workers idle, then while one works
  through refreshes and webhooks.

--explain prints EXPLAIN (ANALYZE, BUFFERS) of each due-work query at the largest size."""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from pg import free_port, throwaway_postgres  # noqa: E402
from run import API_KEY, environment, start_server  # noqa: E402
from soak import Pacer, Recorder, percentiles  # noqa: E402

from tests.processes import throwaway_redis  # noqa: E402

METRICS_TOKEN = secrets.token_urlsafe(16)
TASK = "connections.tasks.connection_due_task"


def seed(team, start: int, stop: int) -> None:
    """Users start..stop-1, each with a connection, a link session, a delivered webhook, a
    finished task and (when connected) its scheduled refresh."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from connections.models import Connection
    from link.models import LinkToken
    from providers.sandbox.base import Grant, sandbox_client
    from providers.vendors.google_health.emulator import GoogleHealthEmulator
    from teams.models import EndUser
    from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookMessage

    now = timezone.now()
    emulator, client = GoogleHealthEmulator(), sandbox_client("google_health").client_id
    endpoint = team.webhook_endpoints.get()
    for first in range(start, stop, 5000):
        numbers = range(first, min(stop, first + 5000))
        users = EndUser.objects.bulk_create(
            EndUser(team=team, client_user_id=f"scale-{n}") for n in numbers
        )
        connections = []
        for n, user in zip(numbers, users, strict=True):
            status = ("pending", "error", "deregistered")[n % 3] if n % 20 == 0 else "connected"
            tokens = emulator.issue(Grant("user_good", client, ["activity", "profile"]))
            # Spread over the eight hours after the next one: nothing falls due during the run.
            expires_at = now + timedelta(hours=1, seconds=(n * 7919) % (8 * 3600))
            credentials = {
                "access_token": tokens["access_token"],
                "refresh_token": tokens["refresh_token"],
                "expires_at": expires_at.isoformat(),
                "scopes": ["activity", "profile"],
                "extra": {},
            }
            connections.append(
                Connection(
                    user=user,
                    provider="google_health",
                    status=status,
                    external_user_id=f"F{n}",
                    credentials=None if status == "deregistered" else credentials,
                    scopes=["activity", "profile"],
                    expires_at=expires_at,
                )
            )
        connections = Connection.objects.bulk_create(connections)
        LinkToken.objects.bulk_create(
            LinkToken(
                token_hash=secrets.token_hex(32),
                team=team,
                user=user,
                provider="google_health",
                state="success" if n % 4 else "error",
                error_type="" if n % 4 else "provider_credential_error",
                expires_at=now,
                consumed_at=now,
            )
            for n, user in zip(numbers, users, strict=True)
        )
        messages = WebhookMessage.objects.bulk_create(
            WebhookMessage(id=f"msg_scale_{n}", team=team, event_type="e", payload={})
            for n in numbers
        )
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(message=m, endpoint=endpoint, status="succeeded", attempts=1)
            for m in messages
        )
        WebhookAttempt.objects.bulk_create(
            WebhookAttempt(delivery=d, status_code=200, latency_ms=5 + n % 300)
            for n, d in zip(numbers, deliveries, strict=True)
        )
        tasks = [_task(c.pk, run_after=now, status="SUCCESSFUL") for c in connections]
        tasks += [
            _task(c.pk, run_after=c.expires_at - timedelta(minutes=10))
            for c in connections
            if c.status == "connected"
        ]
        DBTaskResult.objects.bulk_create(tasks, batch_size=5000)


def _task(connection_id: int, *, run_after=None, status="READY", path=TASK):
    """A task row as django-tasks-db enqueues it: with no run_after, as soon as possible;
    scheduled ones behind, as connections.lifecycle schedules them."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    from webhooks.tasks import DEFERRED_PRIORITY

    return DBTaskResult(
        priority=0 if run_after is None else DEFERRED_PRIORITY,
        args_kwargs={"args": [connection_id], "kwargs": {}},
        task_path=path,
        backend_name="default",
        run_after=run_after or get_date_max(),
        status=status,
    )


def due_work_queries(base: str) -> dict:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from connections.lifecycle import connections_due
    from webhooks.selectors import webhook_deliveries_due

    def next_task():
        with transaction.atomic():
            return DBTaskResult.objects.ready().filter(backend_name="default").get_locked()

    def scrape():
        answer = requests.get(
            f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=60
        )
        answer.raise_for_status()

    return {
        "connections_due (cron)": connections_due,
        "task worker: next task": next_task,
        "webhook retries due": webhook_deliveries_due,
        "/metrics scrape (HTTP)": scrape,
    }


def median_ms(call, runs: int = 9) -> float:
    call()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def explain(call) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT the call makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if query["sql"].startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def drain(env: dict, enqueue) -> float:
    """Enqueue a batch (`enqueue()` returns its task ids), let one task worker work through
    it, and return tasks per second between the first start and the last finish."""
    from django.db.models import Max, Min
    from django_tasks_db.models import DBTaskResult

    ids = enqueue()
    batch = DBTaskResult.objects.filter(pk__in=ids)
    with worker(env):
        while batch.filter(status__in=("READY", "RUNNING")).exists():
            time.sleep(0.2)
    span = batch.aggregate(first=Min("started_at"), last=Max("finished_at"))
    failed = batch.exclude(status="SUCCESSFUL").count()
    if failed:
        print(f"  ({failed} of {len(ids)} tasks failed)")
    return len(ids) / (span["last"] - span["first"]).total_seconds()


class worker:
    """One `manage.py db_worker` while the block runs."""

    def __init__(self, env: dict):
        self.env = env

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=60)


def refresh_batch(team, count: int):
    """`count` connected connections made due now, each with its refresh task due."""

    def enqueue() -> list:
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from connections.models import Connection

        now = timezone.now()
        rows = Connection.objects.filter(user__team=team, status="connected").order_by("pk")
        chosen = list(rows.values_list("pk", flat=True)[:count])
        Connection.objects.filter(pk__in=chosen).update(expires_at=now + timedelta(minutes=1))
        tasks = DBTaskResult.objects.bulk_create(_task(pk, run_after=now) for pk in chosen)
        return [t.pk for t in tasks]

    return enqueue


def webhook_batch(team, count: int):
    """`count` webhook deliveries due now, each with its delivery task (enqueued to run as
    soon as possible, as a new event's are)."""

    def enqueue() -> list:
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from webhooks.models import WebhookDelivery, WebhookMessage

        now = timezone.now()
        endpoint = team.webhook_endpoints.get()
        messages = WebhookMessage.objects.bulk_create(
            WebhookMessage(
                id=f"msg_{secrets.token_hex(8)}", team=team, event_type="e", payload={"n": n}
            )
            for n in range(count)
        )
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(message=m, endpoint=endpoint, next_attempt_at=now) for m in messages
        )
        tasks = DBTaskResult.objects.bulk_create(
            _task(d.pk, path="connections.tasks.webhook_deliver") for d in deliveries
        )
        return [t.pk for t in tasks]

    return enqueue


def api_latency(base: str, user_id: str, rate: float, seconds: float) -> str:
    """p50/p99 of a steady mix of API reads and writes."""
    key = {"X-Vital-API-Key": API_KEY}
    calls = [
        ("GET", f"/v2/user/{user_id}", None),
        ("GET", "/v2/providers", None),
        ("POST", "/v2/link/token", {"user_id": user_id}),
    ]
    pacer, recorder = Pacer(rate), Recorder()

    def one(n: int):
        method, path, body = calls[n % len(calls)]
        pacer.wait()
        started = time.monotonic()
        try:
            answer = requests.request(method, base + path, json=body, headers=key, timeout=30)
            problem = None if answer.status_code == 200 else f"{path} {answer.status_code}"
        except requests.RequestException as exc:
            problem = f"{path} {type(exc).__name__}"
        recorder.add(started, time.monotonic() - started, problem)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, range(int(rate * seconds))))
    errors = f", {sum(recorder.errors.values())} errors" if recorder.errors else ""
    return percentiles([elapsed for _, elapsed in recorder.samples]) + errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--rate", type=float, default=20.0, help="API requests per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="of API load per phase")
    parser.add_argument("--batch", type=int, default=300, help="refreshes and webhooks timed")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    port, vendor_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    with throwaway_postgres() as database_url, throwaway_redis() as redis_url:
        env = {
            **environment(database_url, redis_url, port, vendor_port),
            "LINK_METRICS_TOKEN": METRICS_TOKEN,
        }
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from teams.models import ApiKey, Team
        from webhooks.services import webhook_endpoint_upsert

        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        call_command("seed_demo", "--api-key", API_KEY, stdout=open(os.devnull, "w"))  # noqa: SIM115
        team = Team.objects.get(pk=ApiKey.objects.get(prefix=API_KEY[:14]).team_id)
        webhook_endpoint_upsert(team=team, url=f"http://127.0.0.1:{vendor_port}/healthz")
        servers = [start_server(env, port), start_server(env, vendor_port)]
        print(
            f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
            f"API load {args.rate:g} req/s for {args.seconds:g} s per phase, "
            f"batches of {args.batch}"
        )
        try:
            seeded = 0
            for size in args.sizes:
                started = time.monotonic()
                seed(team, seeded, size)
                seeded = size
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
                print(f"\n== {size} connections (seeded in {time.monotonic() - started:.0f} s)")
                measure(args, env, team, base)
            if args.explain:
                for name, call in due_work_queries(base).items():
                    if not name.startswith("/metrics"):
                        print(f"\n-- EXPLAIN {name} at {seeded}")
                        print("\n\n".join(explain(call)))
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)


def measure(args, env: dict, team, base: str) -> None:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from teams.models import EndUser

    for name, call in due_work_queries(base).items():
        print(f"{name:28} {median_ms(call):9.1f} ms")
    refreshes = drain(env, refresh_batch(team, args.batch))
    print(f"{'refreshes, one worker':28} {refreshes:9.1f} /s")
    deliveries = drain(env, webhook_batch(team, args.batch))
    print(f"{'webhooks, one worker':28} {deliveries:9.1f} /s")
    user_id = str(EndUser.objects.filter(team=team).latest("created_on").pk)
    print(f"{'API, workers idle':28} {api_latency(base, user_id, args.rate, args.seconds)}")
    # Enough work to keep one worker busy through the API's phase.
    busy = worker(env)
    refresh_batch(team, int(refreshes * args.seconds / 2) + 1)()
    webhook_batch(team, int(deliveries * args.seconds / 2) + 1)()
    with busy:
        latency = api_latency(base, user_id, args.rate, args.seconds)
    print(f"{'API, one worker busy':28} {latency}")
    DBTaskResult.objects.filter(status="READY", run_after__lte=timezone.now()).delete()


if __name__ == "__main__":
    main()
