"""gunicorn's settings, read from the repository root by `gunicorn linkwidget.wsgi` (production
and `make bench`). Each can be overridden on the command line or through GUNICORN_CMD_ARGS.

The worker model, by measurement (`bench/workers.py`: reads alone, then beside clients whose
password submits wait on the vendor; BENCHMARKS.md has the figures). Threaded workers, one more
process than cores: a widget step that waits on a vendor holds a thread, not a whole process, so
the reads beside it keep being served, and threads cost no memory of their own. On the 2-core
development machine sync workers (2 x cores + 1) did as well on reads alone, and no model was
ahead by more than the machine's noise once submits ran beside the reads; with more vendor waits
at once than sync processes, a sync server serves nothing else. An ASGI server was not measured:
Link's views are synchronous, and Django runs a synchronous view under ASGI through a thread at
a cost of about a millisecond per request (Django's documentation, "Asynchronous support",
Performance), more than a read's own time."""

import os
import shutil
import tempfile

_cores = os.cpu_count() or 1

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", _cores + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Browsers keep the connection open between widget steps.
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # off unless set; "-" for stdout

# Prometheus (/metrics): each worker times its vendor calls into files in one folder, which a
# scrape of any worker sums (prometheus-client's multiprocess mode). Set PROMETHEUS_MULTIPROC_DIR
# to share a folder with the task worker on the same host (empty it before they start);
# otherwise each run gets a fresh one of its own.
_metrics_dir = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="link-metrics-")


def on_exit(server):
    if _metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)


def post_worker_init(worker):
    """Access-log lines without link tokens and OAuth codes (linkwidget/access_log.py)."""
    from linkwidget.access_log import RedactUrlSecrets

    worker.log.access_log.addFilter(RedactUrlSecrets())
