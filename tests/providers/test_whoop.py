"""WHOOP legacy: a JSON password grant with `issueRefresh`; the id is `user.id`; legacy status."""

import pytest

from providers.catalogue import provider_get
from providers.registry import provider_adapter
from providers.sandbox.base import numeric_id

pytestmark = pytest.mark.django_db(transaction=True)


def test_user_id_from_user_object_and_refresh_token_issued(sandbox, team):
    adapter = provider_adapter("whoop", team=team)
    connected = adapter.login(username="user_good", password="pass_good", region=None)
    assert connected.external_user_id == str(numeric_id("user_good"))
    assert connected.tokens.refresh_token and "password" not in connected.tokens.extra


def test_marked_legacy_and_superseded_by_whoop_v2():
    info = provider_get("whoop")
    assert info.status == "legacy" and "whoop_v2" in info.note
