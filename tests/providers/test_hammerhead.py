"""Hammerhead: a form password grant without client id; lower-cased email; id = JWT `sub`."""

import jwt
import pytest
import responses

from providers.registry import provider_adapter
from providers.sandbox.base import numeric_id

pytestmark = pytest.mark.django_db(transaction=True)


def test_user_id_is_the_jwt_subject_and_email_is_lower_cased(sandbox, team):
    adapter = provider_adapter("hammerhead", team=team)
    connected = adapter.login(username=" USER_GOOD ", password="pass_good", region=None)
    assert connected.external_user_id == str(numeric_id("user_good"))


@responses.activate
def test_the_grant_is_form_encoded_with_no_client_id(team):
    team.environment = "production"
    adapter = provider_adapter("hammerhead", team=team)
    responses.post(
        "https://dashboard.hammerhead.io/v1/auth/token",
        json={
            "access_token": jwt.encode({"sub": 42}, "the vendor's key, not ours to check" * 2),
            "refresh_token": "r",
            "expires_in": 60,
        },
    )
    assert adapter.login(username="A@B.io", password="pw", region=None).external_user_id == "42"
    sent = responses.calls[0].request
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.body == "grant_type=password&username=a%40b.io&password=pw"
