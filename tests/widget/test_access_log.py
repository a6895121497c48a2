"""No access-log line carries a link token (or an OAuth code): the penetration test found
`GET /?token=…` in the logs. Gunicorn with production settings, and runserver's log."""

import logging

import requests

from tests.processes import free_port, gunicorns, manage, production_env

TOKEN = "LinkTokenCanary0123456789abcdefghijklmnopq"  # a canary


def test_gunicorn_access_log_has_no_link_token(tmp_path):
    log = tmp_path / "access.log"
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", GUNICORN_ACCESS_LOG=str(log)
    )
    manage("migrate", "--noinput", "-v0", env=env, check=True)
    with gunicorns(env, [free_port()]) as [base]:
        for path in (
            f"/?token={TOKEN}&env=sandbox&region=us",
            f"/link/providers?token={TOKEN}&embed=iframe",
            f"/link/provider/fitbit/oauth?lang=es&token={TOKEN}",
            f"/v2/link/connect/fitbit?code={TOKEN}&state={TOKEN}",
        ):
            assert requests.get(base + path, timeout=10).status_code < 500, path
    lines = log.read_text().splitlines()
    assert len(lines) >= 4 and all("[redacted]" in line for line in lines[-4:]), lines
    assert TOKEN not in log.read_text()
    assert "env=sandbox&region=us" in lines[-4]  # the rest of the line is kept


def test_runserver_access_log_has_no_link_token(caplog):
    server = logging.getLogger("django.server")
    with caplog.at_level(logging.INFO, logger="django.server"):
        server.info('"%s" %s %s', f"GET /?token={TOKEN}&lang=es HTTP/1.1", "200", "512")
    [line] = [r.getMessage() for r in caplog.records]
    assert TOKEN not in line and "/?token=[redacted]&lang=es" in line
