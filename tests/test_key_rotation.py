import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db

from connections.models import Connection
from teams.crypto import decrypt
from teams.services import end_user_create
from webhooks.services import webhook_endpoint_upsert

pytestmark = pytest.mark.django_db


def _raw(sql: str) -> str:
    with db.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_reencrypt_moves_every_secret_to_the_newest_key(team, settings, capsys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.LINK_ENCRYPTION_KEYS = [old]
    user = end_user_create(team=team, client_user_id="rot")
    Connection.objects.create(
        user=user, provider="zwift", status="connected", credentials={"refresh_token": "r1"}
    )
    endpoint = webhook_endpoint_upsert(team=team, url="http://127.0.0.1:9/h")

    settings.LINK_ENCRYPTION_KEYS = [new, old]
    call_command("reencrypt_secrets")
    assert "rows re-encrypted" in capsys.readouterr().out

    settings.LINK_ENCRYPTION_KEYS = [new]  # the old key is gone: everything still reads
    assert Connection.objects.get().credentials == {"refresh_token": "r1"}
    assert decrypt(_raw("SELECT secret FROM teams_webhookendpoint")) == endpoint.secret
    assert Fernet(new).decrypt(_raw("SELECT credentials FROM connections_connection").encode())
