"""Real app processes with production settings (DJANGO_DEBUG off), for the tests that need a
gunicorn or a management command outside the test process. Production shares its cache through
Redis: the one in CACHE_URL when the run has one (CI's), else a throwaway redis-server."""

import atexit
import contextlib
import fcntl
import functools
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
# One set per run, so that every process started here can read what the others sealed.
SECRETS = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "LINK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def production_env(**extra) -> dict:
    """The environment of a production process: ours, without the test run's settings. Its
    cache keys have a prefix of their own, so that tests do not share rate-limit counters."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LINK_"))},
        "DJANGO_SETTINGS_MODULE": "linkwidget.settings",
        "DJANGO_DEBUG": "false",
        "CACHE_URL": f"{redis_url()}?key_prefix={secrets.token_hex(4)}",
        **SECRETS,
        **extra,
    }


@functools.cache
def redis_url() -> str:
    """CACHE_URL if it is Redis, else a redis-server started for the rest of the run."""
    configured = os.environ.get("CACHE_URL", "")
    if configured.startswith("redis://"):
        return configured
    server = throwaway_redis()
    url = server.__enter__()
    atexit.register(server.__exit__, None, None, None)
    return url


@contextlib.contextmanager
def throwaway_redis():
    """A redis-server (Debian's) on a free port, keeping nothing on disk; yields its URL."""
    workdir = tempfile.mkdtemp(prefix="link-redis-")
    port = free_port()
    server = subprocess.Popen(
        [
            *("redis-server", "--bind", "127.0.0.1", "--port", str(port)),
            *("--dir", workdir, "--save", "", "--appendonly", "no"),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def manage(*args: str, env: dict, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database, as a DATABASE_URL for processes started here."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def postgres_url() -> str | None:
    """The test database for other processes when it is PostgreSQL; None when the run is SQLite
    (several processes share state only through PostgreSQL)."""
    return database_url() if connection.vendor == "postgresql" else None


@contextlib.contextmanager
def task_workers(env: dict, count: int):
    """`count` task workers (`manage.py db_worker`), stopped (SIGTERM) when the block ends."""
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        yield workers
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)


@contextlib.contextmanager
def gunicorns(
    env: dict,
    ports: list[int],
    *,
    tls: tuple[Path, Path] | None = None,
    log=subprocess.DEVNULL,
):
    """Gunicorns on `ports` (static files collected first, as production serves them hashed);
    stopped when the block ends. Plain http on loopback, so no redirect to https unless the
    environment asks for it or `tls` gives a certificate and its key. Their output goes to `log`
    (an open file), if given."""
    env = {"DJANGO_SECURE_SSL_REDIRECT": "false", **env}
    collect_static(env)
    scheme, tls_args = (
        ("https", ["--certfile", tls[0], "--keyfile", tls[1]]) if tls else ("http", [])
    )
    servers = []
    try:
        for port in ports:
            servers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "linkwidget.wsgi",
                        "-b",
                        f"127.0.0.1:{port}",
                        *tls_args,
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=log,
                )
            )
            _wait_until_up(f"{scheme}://127.0.0.1:{port}", verify=tls[0] if tls else True)
        yield [f"{scheme}://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def collect_static(env: dict) -> None:
    """Collect the static files once a run. pytest-xdist's workers start gunicorns side by side,
    and one that starts while another worker's collectstatic rewrites the manifest finds none:
    so the first to come collects, under a lock, and notes the run in the lock's file."""
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid())
    with open(Path(tempfile.gettempdir()) / f"link-static-{checkout}", "a+") as note:
        fcntl.flock(note, fcntl.LOCK_EX)  # released when the file closes
        note.seek(0)
        if note.read() != run:
            manage("collectstatic", "--noinput", "-v0", env=env, check=True)
            note.truncate(0)
            note.write(run)


def _wait_until_up(base: str, verify) -> None:
    for _ in range(150):
        try:
            requests.get(f"{base}/healthz", timeout=5, verify=verify)
            return
        except requests.RequestException:  # still booting
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn at {base} did not start")
