"""gunicorn's settings, read from the repository root by `gunicorn linkwidget.wsgi` (production
and `make bench`). Each can be overridden on the command line or through GUNICORN_CMD_ARGS.

Threaded workers: a widget step waits on a vendor (in sandbox, on an emulator served by this
same server) and the database, so threads keep the cores busy while requests wait. With only
sync processes, a few concurrent connects could hold every worker while their calls to the
emulator queue behind them."""

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
