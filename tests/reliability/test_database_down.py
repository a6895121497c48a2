"""With the database unreachable, gunicorn answers 503 with Retry-After, not a traceback."""

import requests

from tests.processes import free_port, gunicorns, production_env


def test_database_unavailable_gives_503(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path}/missing-dir/db.sqlite3")
    with gunicorns(env, [free_port()]) as [base]:
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
