"""Beurer: beta, the best-supported shape (a password grant; id = JWT `sub`)."""

import pytest

from providers.catalogue import provider_get
from providers.registry import provider_adapter
from providers.sandbox.base import account_id

pytestmark = pytest.mark.django_db(transaction=True)


def test_connects_in_sandbox_and_is_marked_beta(sandbox, team):
    adapter = provider_adapter("beurer_api", team=team)
    connected = adapter.login(username="user_good", password="pass_good", region=None)
    assert connected.external_user_id == account_id("user_good")
    assert provider_get("beurer_api").status == "beta"
