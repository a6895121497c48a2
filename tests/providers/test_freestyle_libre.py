"""FreeStyle Libre: LibreView's status codes, its region redirect and the regional hosts."""

import pytest
import requests
import responses

from providers.base import AppCredentials
from providers.errors import UnsupportedRegion
from providers.registry import provider_adapter
from providers.sandbox.base import client_secret_for
from providers.vendors.freestyle_libre.adapter import PracticeSignInFailed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def adapter(sandbox, team):
    return provider_adapter("freestyle_libre", team=team)


def test_the_global_host_redirects_to_the_accounts_region(adapter):
    enrolment = adapter.enrol(email="a@example.com", region="br")
    assert enrolment.credentials["host"] == "eu"  # signed in again on the EU server
    assert adapter.enrol(email="a@example.com", region="sg").credentials["host"] == "ap"


def test_status_2_is_the_practice_accounts_credentials(adapter):
    adapter.app = AppCredentials("sandbox-freestyle_libre", "wrong")
    with pytest.raises(PracticeSignInFailed, match="practice account could not sign in"):
        adapter.enrol(email="a@example.com", region="us")


def test_status_4_names_the_step_to_accept(adapter):
    adapter.app = AppCredentials("user_terms", client_secret_for("user_terms"))
    with pytest.raises(PracticeSignInFailed, match="accept tou"):
        adapter.enrol(email="a@example.com", region="us")


def test_only_vitals_libre_regions(adapter):
    for region in ("us", "eu", "sg", "de", "au", "br", "nl", "fr", "ca", "in"):
        assert adapter.region_host(region)
    with pytest.raises(UnsupportedRegion):
        adapter.enrol(email="a@example.com", region="jp")


@responses.activate
def test_real_hosts_headers_and_account_id(team):
    team.environment = "production"
    adapter = provider_adapter("freestyle_libre", team=team)
    adapter.app = AppCredentials("practice@example.com", "pw")
    responses.post(
        "https://api-de.libreview.io/llu/auth/login",
        json={"status": 0, "data": {"user": {"id": "u1"}, "authTicket": {"token": "t"}}},
    )
    responses.get(
        "https://api-de.libreview.io/llu/connections",
        json={"status": 0, "data": [{"patientId": "p9", "email": "Bob@Example.com"}]},
    )
    linked = adapter.check({"email": "bob@example.com", "region": "de", "host": "de"})
    assert linked.external_user_id == "p9"
    login, listing = responses.calls
    assert login.request.headers["product"] == "llu.android"
    assert listing.request.headers["account-id"] == (
        "bb82030dbc2bcaba32a90bf2e207a84a856fc5f033b77c480836ab6f77f40f19"  # sha256("u1")
    )


def test_app_versions_below_the_floor_are_refused(sandbox):
    login = f"{sandbox.url}/sandbox/api-us.libreview.io/llu/auth/login"
    body = {"email": "practice@example.com", "password": client_secret_for("practice@example.com")}
    for version, status in (("4.12.0", 403), ("4.16.0", 200), ("4.17.1", 200)):
        headers = {"product": "llu.ios", "version": version}
        answer = requests.post(login, json=body, headers=headers, timeout=10)
        assert answer.status_code == status, version
    assert answer.json()["data"]["authTicket"]["token"]
    old = requests.post(login, json=body, headers={**headers, "version": "4.12.0"}, timeout=10)
    assert old.json() == {"status": 920, "data": {"minimumVersion": "4.16.0"}}


@responses.activate
def test_a_raised_app_version_floor_is_the_operators_problem(team, caplog):
    team.environment = "production"
    adapter = provider_adapter("freestyle_libre", team=team)
    adapter.app = AppCredentials("practice@example.com", "pw")
    responses.post(
        "https://api-us.libreview.io/llu/auth/login",
        json={"status": 920, "data": {"minimumVersion": "4.99.0"}},
        status=403,
    )
    with pytest.raises(PracticeSignInFailed):
        adapter.enrol(email="a@example.com", region="us")
    assert "4.99.0" in caplog.text
