"""`make demo` as a person runs it: it serves, and stopping make (Ctrl-C in its terminal, or a
SIGTERM to make alone, as a process manager sends) stops everything it started."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.processes import ROOT, free_port


def _descendants(pid: int) -> set[int]:
    found, queue = set(), [pid]
    while queue:
        parent = queue.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except FileNotFoundError:  # the thread (or process) ended since the listing
                continue
            found.update(map(int, children))
            queue.extend(map(int, children))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.parametrize("stop", ["ctrl_c", "sigterm_to_make"])
def test_stopping_the_demo_stops_everything_it_started(tmp_path, stop):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LINK_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3",
    }
    env.pop("CACHE_URL", None)
    make = subprocess.Popen(
        ["make", "demo", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group, as in a terminal
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                if requests.get(f"http://127.0.0.1:{port}/demo/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert make.poll() is None, "make demo stopped by itself"
            time.sleep(0.2)
        started = _descendants(make.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in started]
        assert any(b"runserver" in c for c in commands) and any(b"db_worker" in c for c in commands)

        if stop == "ctrl_c":
            os.killpg(make.pid, signal.SIGINT)
        else:
            os.kill(make.pid, signal.SIGTERM)
        make.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(map(_running, started)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in started if _running(pid)] == []
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
