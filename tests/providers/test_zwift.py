"""Zwift: the id is the token's subject, never the typed name; a refused client id is the app's
problem, not a wrong password."""

import pytest
import responses

from providers.errors import InvalidCredentials, ProviderApiError
from providers.registry import provider_adapter
from providers.sandbox.base import account_id
from providers.vendors.zwift.adapter import GRANT_PATH

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_id_is_the_tokens_subject(sandbox, team):
    connected = provider_adapter("zwift", team=team).login(
        username="user_good", password="pass_good", region=None
    )
    assert connected.external_user_id == account_id("user_good")


@responses.activate
@pytest.mark.parametrize(
    ("error", "raised"),
    [("invalid_grant", InvalidCredentials), ("unauthorized_client", ProviderApiError)],
)
def test_a_refused_client_is_not_a_wrong_password(team, error, raised):
    team.environment = "production"
    responses.post(f"https://secure.zwift.com{GRANT_PATH}", json={"error": error}, status=401)
    with pytest.raises(raised) as caught:
        provider_adapter("zwift", team=team).login(username="a", password="b", region=None)
    assert (type(caught.value) is InvalidCredentials) == (error == "invalid_grant")
