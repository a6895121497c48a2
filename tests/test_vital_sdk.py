"""The official Vital Python SDK, pointed at a live server, works unchanged."""

import pytest
from vital import Vital
from vital.core.api_error import ApiError

from providers.registry import ADAPTERS
from teams.services import api_key_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vital(live_server, team):
    key, _ = api_key_create(team=team)
    return Vital(api_key=key, base_url=live_server.url, timeout=20)


def test_sdk_users_providers_and_link_token(vital, team):
    created = vital.user.create(client_user_id="sdk-user")
    user = vital.user.get(created.user_id)
    assert user.client_user_id == "sdk-user" and user.connected_sources == []
    assert vital.user.get_by_client_user_id("sdk-user").user_id == created.user_id
    listing = vital.user.get_all(offset=0, limit=10)
    assert listing.total == 1 and listing.users[0].user_id == created.user_id

    providers = vital.providers.get_all()
    assert len(providers) == len(ADAPTERS) and {p.slug for p in providers} >= {"oura", "polar"}

    token = vital.link.token(user_id=created.user_id, provider="oura")
    assert "env=sandbox&region=us" in token.link_web_url
    assert vital.link.is_token_valid(token=token.link_token)["valid"] is True
    state = vital.link.token_state(vital_link_token=token.link_token)
    assert state["state"] == "pending"

    assert vital.user.get_connected_providers(created.user_id) == {"providers": []}
    assert vital.user.delete(created.user_id).success is True
    with pytest.raises(ApiError) as missing:
        vital.user.get(created.user_id)
    assert missing.value.status_code == 404


def test_sdk_duplicate_user_is_bad_request(vital):
    from vital.errors import BadRequestError

    vital.user.create(client_user_id="dup")
    with pytest.raises(BadRequestError):
        vital.user.create(client_user_id="dup")
