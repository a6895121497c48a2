"""The contract every adapter keeps, run over the registry against its emulator over real HTTP.
A new vendor only adds a registry entry and an emulator."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from connections.models import Connection
from link import connect, oauth
from link.errors import InvalidLinkToken
from link.models import LinkToken
from link.services import link_token_create
from providers.availability import NEVER
from providers.base import AppCredentials
from providers.registry import ADAPTERS, provider_adapter
from providers.sandbox.urls import EMULATORS
from tests.sandbox import consent

pytestmark = pytest.mark.django_db(transaction=True)

# Every vendor still offered to someone (a retired one is covered in test_retired.py).
OFFERED = {s: cls for s, cls in ADAPTERS.items() if cls.status not in NEVER}
OAUTH = [s for s, cls in OFFERED.items() if cls.auth_type == "oauth"]
PASSWORD = [s for s, cls in OFFERED.items() if cls.auth_type == "password"]
EMAIL = [s for s, cls in OFFERED.items() if cls.auth_type == "email"]
WITH_CODE = [s for s in PASSWORD if EMULATORS[s].mfa]  # the vendor asks for a one-time code
SCOPED = [s for s in OAUTH if ADAPTERS[s].required_scopes]
REGIONAL = [s for s, cls in OFFERED.items() if cls.regions]
FAULTS = ["500", "429", "garbage", "slow"]


@pytest.fixture
def link_token(sandbox, team, live_user):
    return link_token_create(team=team, user_id=live_user.user_id)[1]


@pytest.fixture
def fast_timeouts(settings):
    settings.LINK_PROVIDER_TIMEOUT_SECONDS = 0.5
    settings.LINK_SANDBOX_SLOW_SECONDS = 1.5


def oauth_round_trip(link_token, provider, **consent_options):
    params, cookies = _signed_in(link_token, provider, **consent_options)
    return oauth.oauth_finish(provider=provider, params=params, cookies=cookies)[1]


def _signed_in(link_token, provider, **consent_options) -> tuple[dict, dict]:
    """The vendor's redirect back (its query) and the cookie of the browser that started it."""
    url, cookie, value = oauth.oauth_start_in_browser(link_token=link_token, provider=provider)
    return _query(urlsplit(consent(url, **consent_options)).query), {cookie: value}


def _query(query: str) -> dict:
    return {k: v[0] for k, v in parse_qs(query).items()}


def _connections():
    return Connection.objects.exclude(status="deregistered")


@pytest.mark.parametrize("provider", OAUTH)
def test_oauth_connects_once(link_token, provider):
    params, cookies = _signed_in(link_token, provider)
    _, result = oauth.oauth_finish(provider=provider, params=params, cookies=cookies)
    assert (result.state, result.error) == ("success", None)
    connection = _connections().get()
    assert connection.provider == provider and connection.external_user_id
    assert connection.credentials["access_token"] and connection.status == "connected"
    link_token.refresh_from_db()
    assert link_token.consumed_at and link_token.state == "success"
    # The browser comes back twice (refresh, back button): same outcome, one connection.
    _, again = oauth.oauth_finish(provider=provider, params=params, cookies=cookies)
    assert again.state == "success" and _connections().count() == 1


@pytest.mark.parametrize("provider", [s for s in OAUTH if ADAPTERS[s].refreshable])
def test_oauth_refresh_and_revoke(link_token, team, provider):
    assert oauth_round_trip(link_token, provider).state == "success"
    connection = _connections().get()
    adapter = provider_adapter(provider, team=team)
    tokens = adapter.refresh(connection.credentials)
    assert tokens.access_token and tokens.access_token != connection.credentials["access_token"]
    assert tokens.refresh_token
    adapter.revoke(tokens.as_credentials())


@pytest.mark.parametrize("provider", OAUTH)
def test_oauth_deny_is_user_cancelled(link_token, provider):
    result = oauth_round_trip(link_token, provider, decision="deny")
    assert (result.state, result.error_type) == ("error", "user_cancelled")
    assert not _connections().exists()
    link_token.refresh_from_db()
    assert link_token.consumed_at is None and link_token.error_type == "user_cancelled"


@pytest.mark.parametrize("provider", SCOPED)
def test_oauth_missing_required_scopes(link_token, provider):
    result = oauth_round_trip(link_token, provider, scopes=lambda offered: offered[:0])
    assert result.error_type == "required_scopes_not_granted"
    assert not _connections().exists()


@pytest.mark.parametrize("fault", [*FAULTS, "expired_code"])
@pytest.mark.parametrize("provider", OAUTH)
def test_oauth_vendor_faults(link_token, provider, fault, fast_timeouts):
    result = oauth_round_trip(link_token, provider, fault=fault)
    assert (result.state, result.error_type) == ("error", "provider_api_error")
    assert result.error
    assert not _connections().exists()
    assert LinkToken.objects.get(pk=link_token.pk).consumed_at is None


@pytest.mark.parametrize("provider", OAUTH)
def test_oauth_forged_state_is_refused(link_token, provider):
    oauth.oauth_start(link_token=link_token, provider=provider)
    token, result = oauth.oauth_finish(provider=provider, params={"state": "x", "code": "y"})
    assert token is None and result.error_type == "invalid_token"


@pytest.mark.parametrize("provider", PASSWORD)
def test_password_connects(link_token, team, provider):
    result = connect.connect_password(
        link_token=link_token, provider=provider, username="user_good", password="pass_good"
    )
    assert result.state == "success" and result.connection.external_user_id == "user_good"
    assert result.connection.credentials["extra"]["account_id"]  # the vendor's own id
    connection = _connections().get()
    adapter = provider_adapter(provider, team=team)
    assert adapter.refresh(connection.credentials).access_token
    adapter.revoke(connection.credentials)
    again = connect.connect_password
    with pytest.raises(InvalidLinkToken):
        again(link_token=link_token, provider=provider, username="user_good", password="pass_good")


@pytest.mark.parametrize("provider", PASSWORD)
def test_password_bad_credentials(link_token, provider):
    result = connect.connect_password(
        link_token=link_token, provider=provider, username="user_good", password="nope"
    )
    assert (result.state, result.error_type) == ("error", "provider_credential_error")
    assert not _connections().exists()


@pytest.mark.parametrize("provider", WITH_CODE)
def test_password_mfa(link_token, provider):
    first = connect.connect_password(
        link_token=link_token, provider=provider, username="user_mfa", password="pass_good"
    )
    assert first.state == "pending_provider_mfa" and first.provider_mfa["method"]
    link_token.refresh_from_db()
    wrong = connect.connect_mfa(link_token=link_token, provider=provider, mfa_code="000000")
    assert wrong.error_type == "incorrect_mfa_code"
    link_token.refresh_from_db()
    right = connect.connect_mfa(link_token=link_token, provider=provider, mfa_code="123456")
    assert right.state == "success"
    link_token.refresh_from_db()
    assert link_token.flow is None  # the password typed for the MFA step is gone


@pytest.mark.parametrize("provider", sorted(set(PASSWORD) - set(WITH_CODE)))
def test_no_code_step_where_the_vendor_has_none(link_token, provider):
    result = connect.connect_password(
        link_token=link_token, provider=provider, username="user_mfa", password="pass_good"
    )
    assert result.state == "success"


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("provider", PASSWORD)
def test_password_vendor_faults(link_token, provider, fault, fast_timeouts):
    result = connect.connect_password(
        link_token=link_token, provider=provider, username=f"user_{fault}", password="pass_good"
    )
    assert (result.state, result.error_type) == ("error", "provider_api_error")
    assert not _connections().exists()


@pytest.mark.parametrize("provider", REGIONAL)
def test_unknown_region(link_token, provider):
    kind = ADAPTERS[provider].auth_type
    if kind == "password":
        result = connect.connect_password(
            link_token=link_token,
            provider=provider,
            username="user_good",
            password="pass_good",
            region="atlantis",
        )
        assert result.error_type == "unsupported_region"
    elif kind == "email":
        result = connect.connect_email(
            link_token=link_token, provider=provider, email="a@example.com", region="atlantis"
        )
        assert result.error_type == "unsupported_region"
    else:
        link_token.team.region = "atlantis"
        with pytest.raises(Exception, match="no servers for region"):
            oauth.oauth_start(link_token=link_token, provider=provider)


@pytest.mark.parametrize("provider", EMAIL)
def test_email_is_pending_until_the_vendor_links_it(link_token, team, sandbox, provider):
    result = connect.connect_email(
        link_token=link_token, provider=provider, email=" Alice@Example.com", region=None
    )
    assert result.state == "pending"
    connection = _connections().get()
    assert (connection.status, connection.external_user_id) == ("pending", "alice@example.com")
    adapter = provider_adapter(provider, team=team)
    assert adapter.check(connection.credentials) is None
    requests.post(
        f"{sandbox.url}/sandbox/{provider}/link_patient",
        data={"email": "alice@example.com"},
        timeout=10,
    )
    linked = adapter.check(connection.credentials)
    assert linked.external_user_id and linked.credentials["email"] == "alice@example.com"


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("provider", EMAIL)
def test_email_vendor_faults(link_token, provider, fault, fast_timeouts, monkeypatch):
    from providers.sandbox import base

    monkeypatch.setattr(base, "sandbox_client", lambda slug: AppCredentials(f"user_{fault}", "x"))
    result = connect.connect_email(
        link_token=link_token, provider=provider, email="a@example.com", region=None
    )
    assert (result.state, result.error_type) == ("error", "provider_api_error")
    assert not _connections().exists()


def test_emulators_are_csrf_exempt_and_reject_bad_clients(sandbox):
    response = requests.post(
        f"{sandbox.url}/sandbox/api.ouraring.com/oauth/token",
        data={"grant_type": "authorization_code", "client_id": "x", "client_secret": "y"},
        timeout=10,
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
