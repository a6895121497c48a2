"""The official Vital SDK connects every part-1 provider through our endpoints and the sandbox
emulators, over real HTTP."""

from urllib.parse import parse_qs, urlsplit

import pytest
from vital import Vital
from vital.core.api_error import ApiError

from providers.availability import NEVER
from providers.registry import ADAPTERS
from teams.services import api_key_create
from tests.sandbox import Browser, consent

pytestmark = pytest.mark.django_db(transaction=True)

OAUTH = [s for s, cls in ADAPTERS.items() if cls.auth_type == "oauth" and cls.status not in NEVER]
REDIRECT = "https://app.example.com/linked?from=sdk"


@pytest.fixture
def vital(sandbox, team):
    return Vital(api_key=api_key_create(team=team)[0], base_url=sandbox.url, timeout=20)


def _oauth(vital, user_id, provider, decision="allow"):
    token = vital.link.token(user_id=user_id, provider=provider, redirect_url=REDIRECT)
    source = vital.link.generate_oauth_link(provider, vital_link_token=token.link_token)
    browser = Browser()
    callback = consent(source.oauth_url, browser=browser, decision=decision)
    answer = browser.get(callback, allow_redirects=False, timeout=10)
    assert answer.status_code == 307
    return answer.headers["Location"]


def test_sdk_connects_every_provider(vital):
    user_id = vital.user.create(client_user_id="sdk-connect").user_id
    for provider in OAUTH:
        location = urlsplit(_oauth(vital, user_id, provider))
        assert parse_qs(location.query) == {
            "from": ["sdk"],
            "state": ["success"],
            "provider": [provider],
        }
    for provider, region in (("zwift", None), ("dexcom", "us")):
        token = vital.link.token(user_id=user_id).link_token
        result = vital.link.connect_password_provider(
            provider,
            username="user_good",
            password="pass_good",
            region=region,
            vital_link_token=token,
        )
        assert result.state == "success" and result.connected is True
    connected = vital.user.get_connected_providers(user_id)["providers"]
    assert {p.slug for p in connected} == {*OAUTH, "zwift", "dexcom"}


def test_sdk_password_errors_and_mfa(vital):
    user_id = vital.user.create(client_user_id="sdk-mfa").user_id
    token = vital.link.token(user_id=user_id).link_token
    with pytest.raises(ApiError) as bad:
        vital.link.connect_password_provider(
            "zwift", username="user_good", password="wrong", vital_link_token=token
        )
    assert bad.value.status_code == 400
    assert bad.value.body["detail"]["error_type"] == "INVALID_CREDENTIALS"
    assert bad.value.body["error_type"] == "provider_credential_error"

    pending = vital.link.connect_password_provider(
        "zwift", username="user_mfa", password="pass_good", vital_link_token=token
    )
    assert pending.state == "pending_provider_mfa" and pending.provider_mfa.method == "email"
    wrong = vital.link.complete_password_provider_mfa(
        "zwift", mfa_code="111111", vital_link_token=token
    )
    assert (wrong.state, wrong.error_type) == ("error", "incorrect_mfa_code")
    done = vital.link.complete_password_provider_mfa(
        "zwift", mfa_code="123456", vital_link_token=token
    )
    assert done.state == "success" and done.provider_id == "user_mfa"


def test_sdk_deny_comes_back_as_user_cancelled(vital):
    user_id = vital.user.create(client_user_id="sdk-deny").user_id
    location = urlsplit(_oauth(vital, user_id, "oura", decision="deny"))
    query = parse_qs(location.query)
    assert query["state"] == ["error"] and query["error_type"] == ["user_cancelled"]
    assert query["provider"] == ["oura"] and query["error"][0]
    assert vital.user.get_connected_providers(user_id) == {"providers": []}
