"""Hammerhead's official OAuth: the id is the token answer's `user_id`; the user may narrow the
scopes; deauthorizing ends the grant."""

import pytest

from providers.errors import RefreshRejected
from providers.registry import provider_adapter
from providers.sandbox.base import numeric_id

from .test_contract import _connections, link_token, oauth_round_trip  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_id_is_the_token_answers_user_id_and_deauthorize_ends_it(link_token, team):  # noqa: F811
    result = oauth_round_trip(link_token, "hammerhead")
    assert result.connection.external_user_id == str(numeric_id("user_good"))
    adapter = provider_adapter("hammerhead", team=team)
    credentials = _connections().get().credentials
    adapter.revoke(credentials)
    with pytest.raises(RefreshRejected):  # the refresh token died with the grant
        adapter.refresh(credentials)


def test_without_activity_read_is_refused(link_token):  # noqa: F811
    result = oauth_round_trip(link_token, "hammerhead", scopes=lambda offered: [])
    assert result.error_type == "required_scopes_not_granted"
