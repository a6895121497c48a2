"""Polar AccessLink: the token names the user and cannot be refreshed; the user is registered
with AccessLink on connect (again on a reconnect: 409 is fine); deregistering ends the access."""

import pytest
import requests

from providers.errors import RefreshRejected
from providers.http import sandbox_url
from providers.registry import provider_adapter
from providers.sandbox.base import client_secret_for, numeric_id

from .test_contract import _connections, link_token, oauth_round_trip  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_connect_registers_the_user_and_deregistering_revokes(link_token, team):  # noqa: F811
    result = oauth_round_trip(link_token, "polar")
    assert result.connection.external_user_id == str(numeric_id("user_good"))
    credentials = _connections().get().credentials
    assert credentials["refresh_token"] is None
    adapter = provider_adapter("polar", team=team)
    registered = requests.post(
        sandbox_url("https://www.polaraccesslink.com/v3/users"),
        json={"member-id": "again"},
        headers=adapter.bearer(credentials),
        timeout=10,
    )
    assert registered.status_code == 409  # the connect registered the user
    with pytest.raises(RefreshRejected):
        adapter.refresh(credentials)
    adapter.revoke(credentials)
    assert (
        requests.post(
            sandbox_url("https://www.polaraccesslink.com/v3/users"),
            json={"member-id": "again"},
            headers=adapter.bearer(credentials),
            timeout=10,
        ).status_code
        == 401
    )


def test_there_is_no_refresh_grant(sandbox):
    token = sandbox_url("https://polarremote.com/v2/oauth2/token")
    app = ("polar-app", client_secret_for("polar-app"))
    answer = requests.post(token, data={"grant_type": "refresh_token"}, auth=app, timeout=10)
    assert (answer.status_code, answer.json()["error"]) == (400, "unsupported_grant_type")
