"""A canary password, used through a whole password flow with MFA (the widget's forms and the
API's endpoints, a wrong code included), is afterwards nowhere in plain text: not in any column
of any table, not in the logs (every logger at DEBUG, and stderr), not in any page the widget
or the console rendered, not in any webhook body."""

import secrets

import pytest
import requests
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from connections.models import Connection
from providers.sandbox import base as emulator

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = f"Canary{secrets.token_hex(12)}"


def _database_text() -> str:
    """Every column of every row of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def _console_pages() -> list[str]:
    """Every console list and change page, as a superuser sees them."""
    operator = get_user_model().objects.create_superuser("canary-admin", password="x" * 20)
    client = Client()
    client.force_login(operator)
    pages = [client.get("/admin/").content.decode()]
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        try:
            pages.append(client.get(reverse(f"{name}_changelist")).content.decode())
        except NoReverseMatch:
            continue
        for pk in model.objects.values_list("pk", flat=True)[:5]:
            page = client.get(reverse(f"{name}_change", args=[pk]))
            pages.append(page.content.decode())
    return pages


def test_canary_password_is_nowhere(
    sandbox, new_link_token, live_user, receiver, monkeypatch, caplog, capfd
):
    caplog.set_level("DEBUG")
    monkeypatch.setattr(emulator, "GOOD_PASSWORD", CANARY)  # the emulator's right password
    base, pages = sandbox.url, []

    # The widget, without JavaScript: password, MFA asked, a wrong code, the right code.
    token = new_link_token()
    step = requests.post(
        f"{base}/link/provider/zwift",
        data={"token": token, "username": "user_mfa", "password": CANARY},
        timeout=30,
    )
    pages.append(step.text)
    assert "one-time-code" in step.text  # followed the redirect to the MFA step
    for code in ("000000", "123456"):
        step = requests.post(
            f"{base}/link/provider/zwift/mfa", data={"token": token, "mfa_code": code}, timeout=30
        )
        pages.append(step.text)
    assert "Zwift is connected" in step.text

    # The API, as the Vital SDK drives it, on a new link session.
    Connection.objects.all().delete()
    header = {"x-vital-link-token": new_link_token()}
    answer = requests.post(
        f"{base}/v2/link/provider/password/zwift",
        json={"username": "user_mfa", "password": CANARY},
        headers=header,
        timeout=30,
    )
    assert answer.json()["state"] == "pending_provider_mfa"
    pages.append(answer.text)
    for code in ("000000", "123456"):
        answer = requests.post(
            f"{base}/v2/link/provider/password/zwift/complete_mfa",
            json={"mfa_code": code},
            headers=header,
            timeout=30,
        )
        pages.append(answer.text)
    assert answer.json()["state"] == "success"
    assert Connection.objects.get(user=live_user, provider="zwift").status == "connected"

    pages += _console_pages()
    webhooks = [r["body"] for r in receiver.requests]
    assert webhooks, "the flow sent webhooks"
    places = {
        "database": _database_text(),
        "logs": caplog.text,
        "stderr": capfd.readouterr().err,
        "pages": "\n".join(pages),
        "webhooks": "\n".join(webhooks),
    }
    assert [name for name, text in places.items() if CANARY in text] == []
    assert len(places["logs"]) > 0 and len(places["database"]) > 0
