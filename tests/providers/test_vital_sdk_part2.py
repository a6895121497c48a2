"""The official Vital SDK connects every password vendor and leaves FreeStyle Libre pending,
through our endpoints and the sandbox emulators, over real HTTP."""

import pytest
from vital import Vital
from vital.core.api_error import ApiError

from providers.availability import NEVER
from providers.registry import ADAPTERS
from teams.services import api_key_create

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = [
    s for s, cls in ADAPTERS.items() if cls.auth_type == "password" and cls.status not in NEVER
]
REGION = {"dexcom": "us"}


@pytest.fixture
def vital(sandbox, team):
    return Vital(api_key=api_key_create(team=team)[0], base_url=sandbox.url, timeout=20)


def test_sdk_connects_the_seven_password_vendors_and_libre_stays_pending(vital):
    assert len(PASSWORD) == 7  # WHOOP's password login is retired; Hammerhead is OAuth now
    user_id = vital.user.create(client_user_id="sdk-part2").user_id
    for provider in PASSWORD:
        result = vital.link.connect_password_provider(
            provider,
            username="user_good",
            password="pass_good",
            region=REGION.get(provider),
            vital_link_token=vital.link.token(user_id=user_id).link_token,
        )
        assert (result.state, result.connected, result.provider) == ("success", True, provider)
        assert result.provider_id
    pending = vital.link.connect_email_auth_provider(
        email="libre@example.com",
        region="eu",
        vital_link_token=vital.link.token(user_id=user_id).link_token,
    )
    assert pending["state"] == "pending" and pending["connected"] is False
    listed = {p.slug: p.status for p in vital.user.get_connected_providers(user_id)["providers"]}
    assert {s for s, status in listed.items() if status == "connected"} == set(PASSWORD)
    assert listed.get("freestyle_libre", "pending") == "pending"


@pytest.mark.parametrize("provider", PASSWORD)
def test_sdk_wrong_credentials_are_invalid_credentials(vital, provider):
    user_id = vital.user.create(client_user_id=f"sdk-bad-{provider}").user_id
    with pytest.raises(ApiError) as bad:
        vital.link.connect_password_provider(
            provider,
            username="user_good",
            password="wrong",
            region=REGION.get(provider),
            vital_link_token=vital.link.token(user_id=user_id).link_token,
        )
    assert bad.value.status_code == 400
    assert bad.value.body["detail"]["error_type"] == "INVALID_CREDENTIALS"


@pytest.mark.parametrize("provider", ["peloton", "my_fitness_pal"])
def test_sdk_mfa_completes(vital, provider):
    user_id = vital.user.create(client_user_id=f"sdk-mfa-{provider}").user_id
    token = vital.link.token(user_id=user_id).link_token
    pending = vital.link.connect_password_provider(
        provider, username="user_mfa", password="pass_good", vital_link_token=token
    )
    assert pending.state == "pending_provider_mfa" and pending.provider_mfa.method
    done = vital.link.complete_password_provider_mfa(
        provider, mfa_code="123456", vital_link_token=token
    )
    assert done.state == "success" and done.provider_id


@pytest.mark.parametrize("provider", ["renpho", "eight_sleep"])
def test_sdk_no_code_step_where_the_vendor_has_none(vital, provider):
    user_id = vital.user.create(client_user_id=f"sdk-no-mfa-{provider}").user_id
    done = vital.link.connect_password_provider(
        provider,
        username="user_mfa",
        password="pass_good",
        vital_link_token=vital.link.token(user_id=user_id).link_token,
    )
    assert done.state == "success" and done.provider_id
