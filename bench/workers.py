"""The worker model, chosen by measurement (gunicorn.conf.py says which and why).

    .venv/bin/python bench/workers.py [--duration SECONDS]

The widget's real mix: reads that need only the database (an API read and a widget step) while
other clients submit passwords, which wait on the vendor (the sandbox emulators, on a gunicorn of
their own as a vendor is another server). For each worker model, on the same throwaway
PostgreSQL and Redis as `make bench`: the reads' and the submits' throughput and p50/p99, and the
reads alone for comparison. Everything shares the machine's cores, so compare the rows of one
run, not figures across runs."""

import argparse
import json
import os
import subprocess
import sys

from pg import free_port, throwaway_postgres
from run import ROOT, environment, prepare, scenarios, start_server

from tests.processes import throwaway_redis

CORES = os.cpu_count() or 1
MODELS = {  # name: gunicorn's command-line settings (over gunicorn.conf.py)
    f"sync, {2 * CORES + 1} workers": f"--worker-class sync --workers {2 * CORES + 1}",
    f"gthread, {CORES + 1} workers x 4 threads": f"--workers {CORES + 1} --threads 4",
    f"gthread, {CORES} workers x 8 threads": f"--workers {CORES} --threads 8",
}
READS = ("GET /v2/user/{id}", "widget: provider list")
CLIENTS = 8  # of each kind


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    args = parser.parse_args()
    port, vendor_port = free_port(), free_port()
    with throwaway_postgres() as database_url, throwaway_redis() as cache_url:
        env = environment(database_url, cache_url, port, vendor_port)
        os.environ.update(env)
        data = prepare(pool_size=300 * len(MODELS) * len(READS), callbacks=0)
        specs = {s["name"]: s for s in scenarios(data, bare_port=0)}
        submit = {**specs["widget: password submit"], "concurrency": CLIENTS}
        vendor = start_server(env, vendor_port)
        print(f"{CORES} cores; {CLIENTS} clients reading, alone, then beside {CLIENTS} submitting")
        header = f"{'model':32} {'read':24} {'req/s':>7} {'p50':>6} {'p99':>6}"
        print(f"{header}   submits: req/s p50 p99 (ms)")
        try:
            for model, arguments in MODELS.items():
                server = start_server({**env, "GUNICORN_CMD_ARGS": arguments}, port)
                try:
                    for read in READS:
                        alone, beside = load(
                            port, args.duration, [specs[read], {**specs[read], "alongside": submit}]
                        )
                        print_row(model, alone, None)
                        print_row(model, beside, beside["alongside"])
                finally:
                    server.terminate()
                    server.wait(timeout=30)
        finally:
            vendor.terminate()
            vendor.wait(timeout=30)


def load(port: int, duration: float, specs: list[dict]) -> list[dict]:
    spec = {"host": "127.0.0.1", "port": port, "duration": duration, "concurrency": [CLIENTS]}
    answer = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py")],
        input=json.dumps({**spec, "scenarios": specs}),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(answer.stdout)


def print_row(model: str, read: dict, submits: dict | None) -> None:
    def figures(r):
        p50, p99 = (f"{r[k]:.0f}" if r[k] is not None else "-" for k in ("p50_ms", "p99_ms"))
        return f"{r['rps']:>7.0f} {p50:>6} {p99:>6}" + (f" {r['errors']}" if r["errors"] else "")

    beside = f"   {figures(submits)}" if submits else "   (alone)"
    print(f"{model:32} {read['name']:24} {figures(read)}{beside}", flush=True)


if __name__ == "__main__":
    main()
