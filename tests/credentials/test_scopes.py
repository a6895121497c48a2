"""API-key scopes over real HTTP: every key keeps what keys could do before scopes (`link`);
`credentials:read` and `proxy` work only for a key they were granted to, explicitly, in the
console or with `seed_demo --scope`; anything else is a 403 that names the missing scope."""

import json
import re
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse

from teams.models import ApiKey
from teams.services import api_key_authenticate, api_key_create

from .conftest import Link

pytestmark = pytest.mark.django_db(transaction=True)

LINK, READ, PROXY = ApiKey.Scope.LINK, ApiKey.Scope.CREDENTIALS_READ, ApiKey.Scope.PROXY


def _key(team, scopes=None) -> str:
    return api_key_create(team=team, scopes=scopes)[0]


def test_a_new_key_has_the_link_scope_only(team):
    assert api_key_create(team=team)[1].scopes == [LINK]
    assert ApiKey().scopes == [LINK]


def test_a_default_key_keeps_the_api_and_is_refused_the_rest(link, link_key_only, live_user):
    link.connect(live_user, "oura")
    assert link_key_only.call("GET", "/v2/providers").status_code == 200
    for answer, scope in (
        (link_key_only.credentials(live_user, "oura"), READ),
        (link_key_only.proxy(live_user, "oura", "v2/usercollection/daily_sleep"), PROXY),
    ):
        assert answer.status_code == 403
        detail = answer.json()["detail"]
        assert f"'{scope}' scope" in detail and f"seed_demo --scope {scope}" in detail
        assert "access_token" not in answer.text


def test_each_scope_opens_its_own_door(sandbox, team, link, live_user):
    link.connect(live_user, "oura")
    reader = Link(sandbox.url, _key(team, [READ]))
    proxy = Link(sandbox.url, _key(team, [PROXY]))
    assert reader.credentials(live_user, "oura").status_code == 200
    assert reader.proxy(live_user, "oura", "v2/usercollection/daily_sleep").status_code == 403
    assert reader.call("GET", "/v2/providers").status_code == 403  # no `link` either
    assert proxy.proxy(live_user, "oura", "v2/usercollection/daily_sleep").status_code == 200
    assert proxy.credentials(live_user, "oura").status_code == 403


def test_a_bearer_token_carries_its_keys_scopes(sandbox, team, link, live_user):
    link.connect(live_user, "oura")

    def bearer(scopes) -> dict:
        token = Link(sandbox.url, _key(team, scopes)).bearer_token(team)
        return {"Authorization": f"Bearer {token}"}

    path = f"{sandbox.url}/v2/connections/{live_user.user_id}/oura/credentials"
    assert requests.get(path, headers=bearer([LINK]), timeout=10).status_code == 403
    assert requests.get(path, headers=bearer([LINK, READ]), timeout=10).status_code == 200


def test_unknown_scopes_are_refused(team):
    with pytest.raises(ValueError, match="Unknown scope"):
        api_key_create(team=team, scopes=[LINK, "admin"])


def test_seed_demo_grants_scopes_only_when_told(settings):
    settings.DEBUG = True  # as `make demo` runs it
    key = "sk_us_demo" + "s" * 30

    def seed(*args) -> list[str]:
        out = StringIO()
        call_command("seed_demo", "--api-key", key, *args, stdout=out)
        assert json.loads(out.getvalue())["api_key"] == key
        return api_key_authenticate(key=key).scopes

    assert seed() == [LINK]
    assert seed("--scope", READ, "--scope", PROXY) == [LINK, READ, PROXY]
    assert seed("--scope", PROXY) == [LINK, PROXY]
    assert seed() == [LINK]


def test_the_console_grants_and_withdraws_scopes(admin_client, team):
    admin_client.post(
        reverse("admin:teams_apikey_add"),
        {"team": team.pk, "name": "pipeline", "scopes": [LINK, READ]},
    )
    api_key = ApiKey.objects.get(name="pipeline")
    assert api_key.scopes == [LINK, READ]
    page = admin_client.get(reverse("admin:teams_apikey_change", args=[api_key.pk]))
    ticked = re.findall(r'<input type="checkbox"[^>]*value="([^"]+)"[^>]*checked', page.text)
    assert ticked == [LINK, READ]
    admin_client.post(
        reverse("admin:teams_apikey_change", args=[api_key.pk]),
        {"name": "pipeline", "scopes": [PROXY]},
    )
    api_key.refresh_from_db()
    assert api_key.scopes == [PROXY]
