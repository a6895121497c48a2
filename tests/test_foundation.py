import json
import re

import pytest
from django.core.management import call_command

from connections.models import Connection
from teams.models import ApiKey, Team
from tests.processes import ROOT, manage, production_env
from webhooks.models import WebhookEndpoint


def _run_check(**env):
    return manage("check", env={**production_env(), **env})


def test_production_refuses_to_start_without_secrets():
    missing_secret = _run_check(DJANGO_SECRET_KEY="")
    assert missing_secret.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in missing_secret.stderr
    missing_keys = _run_check(LINK_ENCRYPTION_KEYS="")
    assert missing_keys.returncode != 0
    assert "LINK_ENCRYPTION_KEYS must be set" in missing_keys.stderr


def test_env_example_lists_every_setting_read():
    pattern = re.compile(r'(?:env(?:\.\w+)?|_required)\(\s*"([A-Z][A-Z0-9_]+)"')
    names = {
        name
        for path in (ROOT / "linkwidget").glob("*.py")
        for name in pattern.findall(path.read_text())
    }
    example = (ROOT / ".env.example").read_text()
    assert len(names) > 5
    assert {n for n in names if f"\n{n}=" not in example} == set()


@pytest.mark.django_db
def test_credentials_are_encrypted_at_rest(team):
    from django.db import connection as db

    from teams.services import end_user_create

    user = end_user_create(team=team, client_user_id="enc")
    Connection.objects.create(
        user=user, provider="zwift", status="connected", credentials={"password": "canary-xyz"}
    )
    with db.cursor() as cursor:
        cursor.execute("SELECT credentials FROM connections_connection")
        (raw,) = cursor.fetchone()
    assert "canary-xyz" not in raw
    assert Connection.objects.get().credentials == {"password": "canary-xyz"}


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys, settings):
    settings.DEBUG = True  # a development machine, as `make demo` runs it
    key = "sk_us_" + "k" * 40
    call_command(
        "seed_demo",
        "--api-key",
        key,
        "--webhook-url",
        "http://127.0.0.1:9/hook",
        "--redirect-url",
        "http://127.0.0.1:9/done",
    )
    first = json.loads(capsys.readouterr().out)
    call_command("seed_demo", "--api-key", key, "--webhook-url", "http://127.0.0.1:9/hook")
    second = json.loads(capsys.readouterr().out)
    assert first["api_key"] == second["api_key"] == key
    assert first["team_id"] == second["team_id"]
    assert first["webhook_secret"].startswith("whsec_")
    assert first["webhook_secret"] == second["webhook_secret"]
    assert Team.objects.count() == 1 and ApiKey.objects.count() == 1
    assert WebhookEndpoint.objects.count() == 1
    assert Team.objects.get().allowed_redirect_urls == ["http://127.0.0.1:9/done"]
    assert second["admin_username"] and second["admin_password"]


def test_openapi_is_served(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert "/v2/link/token" in response.json()["paths"]
    assert client.get("/docs").status_code == 200
