"""With the database unreachable, gunicorn answers 503 with Retry-After, not a traceback."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_unavailable_gives_503(tmp_path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LINK_"))},
        "DJANGO_SETTINGS_MODULE": "linkwidget.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "t" * 50,
        "LINK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/db.sqlite3",
    }
    # Production serves hashed static files, so the admin page needs collectstatic first.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "linkwidget.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(base + "/openapi.json", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        api = requests.get(
            base + "/v2/user", headers={"X-Vital-API-Key": "sk_us_" + "x" * 40}, timeout=10
        )
        assert api.status_code == 503
        assert api.headers["Retry-After"] == "30"
        assert "temporarily unavailable" in api.json()["detail"]
        # A session cookie makes the console look the session up in the database.
        page = requests.get(base + "/admin/", cookies={"sessionid": "s" * 32}, timeout=10)
        assert page.status_code == 503
        assert "Traceback" not in page.text and "Temporarily unavailable" in page.text
    finally:
        server.terminate()
        server.wait(timeout=10)
