"""A throwaway PostgreSQL 15 cluster in a temporary directory, on a free port."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile

PGBIN = "/usr/lib/postgresql/15/bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> None:
    if os.geteuid() == 0:  # initdb and pg_ctl refuse to run as root
        cmd = ["su", "postgres", "-c", " ".join(cmd)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextlib.contextmanager
def throwaway_postgres():
    """Yields a DATABASE_URL; the cluster is stopped and deleted afterwards."""
    workdir = tempfile.mkdtemp(prefix="link-bench-pg-")
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
    port = free_port()
    data = f"{workdir}/data"
    _as_postgres([f"{PGBIN}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    options = f"'-p {port} -k {workdir} -h 127.0.0.1 -c max_connections=200'"
    _as_postgres(
        [f"{PGBIN}/pg_ctl", "-D", data, "-o", options, "-l", f"{workdir}/log", "-w", "start"]
    )
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres([f"{PGBIN}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(workdir, ignore_errors=True)
