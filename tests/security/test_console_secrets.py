"""Secrets the console makes, and what a viewer can learn of the ones it keeps (issue 16, items 8
and 11): a new API key or webhook secret is shown once on the answering page, never put in the
`messages` cookie (readable by anyone holding it, logged by proxies) or the session; a viewer
cannot filter on hashes, which would read them a character at a time; a link code is stored
only as a keyed hash and lives a day at most."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.urls import reverse

from link.models import LinkCode
from link.services import link_token_create
from teams.models import ApiKey
from teams.services import api_key_create
from tests.console import conftest as console
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_upsert

pytestmark = pytest.mark.django_db
viewer_client = console.viewer_client


def _travels(response) -> str:
    """Everything the answer puts in cookies, messages decoded, and every message queued for a
    later page (in the cookie or the session)."""
    storage = CookieStorage(response.wsgi_request)
    texts = []
    for morsel in response.cookies.values():
        texts.append(morsel.value)
        if morsel.key == storage.cookie_name:
            texts += map(str, storage._decode(morsel.value) or [])
    texts += map(str, get_messages(response.wsgi_request))
    return "\n".join(texts)


def _shown_once(response, secret: str) -> None:
    assert response.status_code == 200
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert secret not in _travels(response)


def test_a_new_api_key_is_shown_on_the_answer_not_in_a_cookie(admin_client, team):
    response = admin_client.post(reverse("admin:teams_apikey_add"), {"team": team.pk, "name": "k"})
    prefix = ApiKey.objects.get(name="k").prefix
    key = response.content.decode().split(prefix, 1)[1].split("<", 1)[0]
    _shown_once(response, prefix + key)


def test_a_new_webhook_secret_is_shown_on_the_answer_not_in_a_cookie(admin_client, team):
    form = {
        "name": team.name,
        "environment": "sandbox",
        "region": "us",
        "accent_color": "#2563eb",
        "webhook_endpoints-TOTAL_FORMS": "1",
        "webhook_endpoints-INITIAL_FORMS": "0",
        "webhook_endpoints-0-url": "http://127.0.0.1:9/hook",
        "webhook_endpoints-0-enabled": "on",
        "api_keys-TOTAL_FORMS": "0",
        "api_keys-INITIAL_FORMS": "0",
        "provider_apps-TOTAL_FORMS": "0",
        "provider_apps-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:teams_team_change", args=[team.pk]), form)
    _shown_once(response, WebhookEndpoint.objects.get().secret)


def test_a_rotated_webhook_secret_is_shown_on_the_answer_not_in_a_cookie(admin_client, team):
    endpoint = webhook_endpoint_upsert(team=team, url="http://127.0.0.1:9/hook")
    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    _shown_once(response, endpoint.secret)


@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        ("teams_apikey", "key_hash__startswith"),
        ("teams_apikey", "key_hash"),
        ("link_linktoken", "token_hash__startswith"),
        ("webhooks_webhookendpoint", "secret__startswith"),
    ],
)
def test_a_viewer_cannot_filter_on_hashes_or_sealed_values(viewer_client, team, model, lookup):
    api_key_create(team=team)
    link_token_create(team=team, user_id=team.users.create(client_user_id="u").pk)
    webhook_endpoint_upsert(team=team, url="http://127.0.0.1:9/hook")
    hashed = ApiKey.objects.get().key_hash
    answer = viewer_client.get(reverse(f"admin:{model}_changelist"), {lookup: hashed[:1]})
    assert answer.status_code == 400


def test_a_link_code_is_kept_as_a_keyed_hash(api, end_user):
    code = api.post(f"/v2/link/code/create?user_id={end_user.user_id}").json()["code"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM link_linkcode")
        assert code not in repr(cursor.fetchall())
    assert LinkCode.objects.count() == 1


@pytest.mark.parametrize(
    "expires_at", ["2999-01-01T00:00:00Z", "9999-12-31T23:00:00-23:00", "9999-12-31T23:59:59"]
)
def test_a_link_code_lives_a_day_at_most(api, end_user, expires_at):
    answer = api.post(
        "/v2/link/code/create", QUERY_STRING=f"user_id={end_user.user_id}&expires_at={expires_at}"
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["detail"][0]["loc"] == ["query", "expires_at"]
    assert not LinkCode.objects.exists()
