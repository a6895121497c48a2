"""The health data benchmark, on a throwaway PostgreSQL and Redis: ingestion (service to
database, one worker), pulls from the emulators (vendor to database, one worker), and the data
API's latency for a 30-day heart-rate window at one sample per minute.

    .venv/bin/python bench/data.py [--days 30] [--requests 20]

Ingestion puts a user's heart rate in a day (1,440 samples, one vendor page) at a time: as a
backfill (no events), again unchanged (a re-pull: compared, nothing written), and changed as
new daily data (updated rows and their webhooks' payloads built). Pulls: a user connected to
each OAuth vendor Link pulls has its backfill run here, resource by resource, against the
vendor's emulator on a second gunicorn (as a vendor is another server); the rate counts the
samples and summaries stored. The API is then asked for the whole window by gunicorn's workers,
one request at a time: raw HTTP, the grouped first page, and the official SDK's
`client.vitals.heartrate` (its parse included)."""

import argparse
import os
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from pg import free_port, throwaway_postgres  # noqa: E402
from run import API_KEY, environment, start_server  # noqa: E402
from widget import oauth_callbacks  # noqa: E402

from tests.processes import throwaway_redis  # noqa: E402

PER_DAY = 24 * 60
warnings.filterwarnings("ignore", module="pydantic")  # the SDK's v1-style model config
WARM_UP = 10  # requests before measuring, so that each gunicorn worker has served some


def seed(days: int):
    """The user and its Oura connection; returns (user_id, connection, first day)."""
    import django

    django.setup()
    from django.core.management import call_command

    from connections.models import Connection
    from teams.models import ApiKey, Team
    from teams.services import end_user_create

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # the sources' logos
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", "--allow-production", "--api-key", API_KEY, stdout=quiet)
    team = Team.objects.get(pk=ApiKey.objects.get(prefix=API_KEY[:14]).team_id)
    user = end_user_create(team=team, client_user_id="bench-data")
    connection = Connection.objects.create(
        user=user, provider="oura", status="connected", external_user_id="bench-oura"
    )
    first = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return user.pk, connection, first - timedelta(days=days)


def day_pages(first: datetime, days: int, shift: float = 0.0) -> list[list]:
    from providers.data import SampleRecord

    return [
        [
            SampleRecord(
                timestamp=first + timedelta(days=d, minutes=m),
                value=60.0 + (d * PER_DAY + m) % 40 + shift,
                timezone_offset=3600,
                source_type="ring",
            )
            for m in range(PER_DAY)
        ]
        for d in range(days)
    ]


def ingestion(connection, first: datetime, days: int) -> None:
    from health.ingest import ingest

    print(f"\ningestion, heart rate, {days} pages of {PER_DAY} samples (one worker)")
    print(f"{'pass':42} {'samples/s':>10} {'created':>8} {'updated':>8} {'unchanged':>9}")
    passes = [
        ("backfill (new rows, no events)", 0.0, True),
        ("re-pull (identical: nothing written)", 0.0, True),
        ("daily, every value changed (+ events)", 0.5, False),
    ]
    for name, shift, historical in passes:
        pages = day_pages(first, days, shift)
        created = updated = unchanged = 0
        began = time.perf_counter()
        for page in pages:
            done = ingest(
                connection=connection, resource="heartrate", records=page, historical=historical
            )
            created, updated = created + done.created, updated + done.updated
            unchanged += done.unchanged
        rate = days * PER_DAY / (time.perf_counter() - began)
        print(f"{name:42} {rate:>10,.0f} {created:>8} {updated:>8} {unchanged:>9}")


def pulls(team, public_url: str) -> None:
    """Each OAuth vendor's backfill of every resource it serves, from its emulator, for a user
    of its own."""
    from connections.models import Connection
    from health.models import PullState
    from health.pulling import pull_run
    from health.pulls import historical_pull_schedule
    from providers.registry import ADAPTERS, DATA_READERS
    from teams.services import end_user_create

    user = end_user_create(team=team, client_user_id="bench-pulls")
    print(f"\npulls from the emulators, a {os.environ['LINK_BACKFILL_DAYS']}-day backfill each")
    print(f"{'vendor':16} {'resources':>9} {'stored':>8} {'seconds':>8} {'stored/s':>9}")
    for slug, reader in DATA_READERS.items():
        if ADAPTERS[slug].auth_type != "oauth":
            continue  # connected otherwise; their tests time nothing here
        [(path, browser)] = oauth_callbacks(team, user, 1, slug)
        requests.get(public_url + path, headers=browser, timeout=60).raise_for_status()
        connection = Connection.objects.get(user=user, provider=slug, status="connected")
        end = datetime.now(UTC)
        start = end - timedelta(days=int(os.environ["LINK_BACKFILL_DAYS"]))
        resources = list(reader.resources)
        historical_pull_schedule(connection=connection, resources=resources, start=start, end=end)
        began = time.perf_counter()
        outcomes = {
            r: pull_run(connection_id=connection.pk, resource=r, historical=True) for r in resources
        }
        seconds = time.perf_counter() - began
        stored = sum(
            PullState.objects.filter(connection=connection).values_list("created_count", flat=True)
        )
        failed = [r for r, outcome in outcomes.items() if outcome != "pulled"]
        note = f"  (not pulled: {', '.join(failed)})" if failed else ""
        rate = f"{stored / seconds:,.0f}"
        print(f"{slug:16} {len(resources):>9} {stored:>8} {seconds:>8.2f} {rate:>9}{note}")


def latency(base_url: str, user_id, first: datetime, days: int, count: int) -> None:
    from vital.client import Vital

    window = {
        "start_date": first.date().isoformat(),
        "end_date": datetime.now(UTC).date().isoformat(),
    }
    headers = {"X-Vital-API-Key": API_KEY}
    url = f"{base_url}/v2/timeseries/{user_id}/heartrate"
    sdk = Vital(api_key=API_KEY, base_url=base_url, timeout=60)

    def raw():
        answer = requests.get(url, window, headers=headers, timeout=60)
        answer.raise_for_status()
        return len(answer.content), answer.content.count(b'"timestamp"')

    def grouped():
        answer = requests.get(f"{url}/grouped", window, headers=headers, timeout=60)
        answer.raise_for_status()
        return len(answer.content), answer.content.count(b'"timestamp"')

    def with_sdk():
        samples = sdk.vitals.heartrate(str(user_id), **window)
        return 0, len(samples)

    print(f"\nAPI, heart rate over {days} days at one sample a minute, {count} requests each")
    print(f"{'request':42} {'samples':>8} {'MB':>6} {'p50 ms':>8} {'max ms':>8} {'min ms':>8}")
    for name, call in [
        ("GET /v2/timeseries/{id}/heartrate", raw),
        ("GET …/heartrate/grouped (first page)", grouped),
        ("SDK client.vitals.heartrate (parse incl.)", with_sdk),
    ]:
        for _ in range(WARM_UP):
            call()
        times = []
        for _ in range(count):
            began = time.perf_counter()
            size, samples = call()
            times.append((time.perf_counter() - began) * 1000)
        mb = f"{size / 1e6:.1f}" if size else "-"
        print(
            f"{name:42} {samples:>8} {mb:>6} {statistics.median(times):>8.0f} "
            f"{max(times):>8.0f} {min(times):>8.0f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30, help="days of heart rate")
    parser.add_argument("--requests", type=int, default=20, help="requests per measurement")
    args = parser.parse_args()

    port, vendor_port = free_port(), free_port()
    with throwaway_postgres() as database_url, throwaway_redis() as cache_url:
        env = environment(database_url, cache_url, port, vendor_port)
        env["LINK_BACKFILL_DAYS"] = str(args.days)
        os.environ.update(env)
        user_id, connection, first = seed(args.days)
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, PostgreSQL 15")
        ingestion(connection, first, args.days)
        servers = [start_server(env, port), start_server(env, vendor_port)]
        try:
            pulls(connection.user.team, env["LINK_PUBLIC_URL"])
            latency(env["LINK_PUBLIC_URL"], user_id, first, args.days, args.requests)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main()
