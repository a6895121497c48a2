"""FreeStyle Libre: LibreView's status codes, its region redirect and the regional hosts, and
how a pending connection finds its patient in a listing that names no email."""

import hashlib
from datetime import UTC, datetime

import pytest
import requests
import responses

from connections.lifecycle import connection_check_pending
from connections.models import Connection
from link import connect
from link.services import link_token_create
from providers.base import AppCredentials
from providers.errors import ProviderError, UnsupportedRegion
from providers.registry import provider_adapter
from providers.sandbox.base import account_id, client_secret_for
from providers.vendors.freestyle_libre.adapter import PracticeSignInFailed, newly_linked
from providers.vendors.freestyle_libre.data import FreestyleLibreData
from teams.services import end_user_create

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
        json={"status": 0, "data": [{"patientId": "p9", "firstName": "Bob", "created": 1000}]},
    )
    credentials = {"email": "bob@example.com", "region": "de", "host": "de", "since": 900}
    linked = adapter.check(credentials)
    assert linked.external_user_id == "p9"
    assert linked.credentials == {**credentials, "patient_id": "p9"}
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


def _patient(patient_id: str, created: int) -> dict:
    return {"patientId": patient_id, "firstName": "A", "lastName": "B", "created": created}


def _user(since: int, **more) -> dict:
    return {"email": f"{since}@example.com", "host": "eu", "practice": "p1", "since": since} | more


@pytest.mark.parametrize(
    ("patients", "peers", "found"),
    [
        ([_patient("new", 200)], [], "new"),
        ([_patient("old", 50)], [], None),  # linked before the user asked
        ([_patient("new", 200), _patient("also", 300)], [], None),  # which one?
        ([_patient("new", 200)], [_user(10, patient_id="new")], None),  # someone else's
        ([_patient("new", 200), _patient("kept", 150)], [_user(10, patient_id="kept")], "new"),
        ([_patient("new", 200)], [_user(150)], None),  # the other user was waiting already
        ([_patient("new", 200)], [_user(250)], "new"),  # the other user asked after it linked
        ([_patient("new", 200)], [_user(150, practice="p2")], "new"),  # another practice
        ([_patient("new", 200)], [{"email": "legacy@example.com", "host": "eu"}], "new"),
    ],
)
def test_the_one_new_unclaimed_patient_is_the_users(patients, peers, found):
    assert newly_linked(_user(100), patients, peers) == found


def test_a_connection_enrolled_without_its_start_is_never_matched():
    credentials = {"email": "a@example.com", "host": "eu", "practice": "p1"}
    assert newly_linked(credentials, [_patient("new", 200)], []) is None


def _pending(team, email: str, name: str | None = None):
    user = end_user_create(team=team, client_user_id=email)
    link_token = link_token_create(team=team, user_id=user.user_id)[1]
    result = connect.connect_email(
        link_token=link_token, provider="freestyle_libre", email=email, region="eu", name=name
    )
    assert result.state == "pending", result
    return result.connection


def _link(sandbox, email: str, **names) -> None:
    link = f"{sandbox.url}/sandbox/freestyle_libre/link_patient"
    requests.post(link, data={"email": email, **names}, timeout=10).raise_for_status()


def test_users_waiting_together_are_never_given_each_others_patient(sandbox, team):
    first = _pending(team, "first@example.com")
    second = _pending(team, "second@example.com")
    _link(sandbox, "first@example.com")
    assert connection_check_pending(connection_id=first.pk) == "pending"  # maybe second's
    assert connection_check_pending(connection_id=second.pk) == "pending"


def test_the_name_as_librelinkup_shows_it_tells_them_apart(sandbox, team):
    ann = _pending(team, "ann@example.com", name="  ann   LEE ")
    bob = _pending(team, "bob@example.com", name="Bob Ray")
    _link(sandbox, "bob@example.com", first_name="Bob", last_name="Ray")
    assert connection_check_pending(connection_id=ann.pk) == "pending"
    assert connection_check_pending(connection_id=bob.pk) == "connected"
    _link(sandbox, "ann@example.com", first_name="Ann", last_name="Lee")
    Connection.objects.filter(pk=ann.pk).update(refresh_lease_until=None)
    assert connection_check_pending(connection_id=ann.pk) == "connected"
    for connection, email in ((ann, "ann@example.com"), (bob, "bob@example.com")):
        connection.refresh_from_db()
        assert connection.credentials["patient_id"] == account_id(email)


def test_the_name_is_matched_and_spares_rivals_of_another_name():
    named = _user(100, name="A  b")
    assert newly_linked(named, [_patient("new", 200)], [_user(150, name="C D")]) == "new"
    assert newly_linked(named, [_patient("new", 200)], [_user(150, name="a B")]) is None
    assert newly_linked(_user(100, name="C D"), [_patient("new", 200)], []) is None


def test_the_connect_api_takes_the_name(sandbox, team):
    user = end_user_create(team=team, client_user_id="named")
    answer = requests.post(
        f"{sandbox.url}/v2/link/provider/email/freestyle_libre",
        json={"email": "cy@example.com", "region": "eu", "name": "Cy Wu"},
        headers={"x-vital-link-token": link_token_create(team=team, user_id=user.user_id)[0]},
        timeout=10,
    )
    assert answer.status_code == 200 and answer.json()["state"] == "pending"
    assert Connection.objects.get(user=user).credentials["name"] == "Cy Wu"


def _graph(*readings) -> dict:
    latest, *history = readings
    data = {"connection": {"glucoseMeasurement": latest}, "graphData": history}
    return {"status": 0, "data": data}


def _production_reader(team) -> FreestyleLibreData:
    """A production reader of patient p1, whose practice's LibreLinkUp sign-in succeeds."""
    team.environment = "production"
    reader = FreestyleLibreData(provider_adapter("freestyle_libre", team=team), {})
    reader.adapter.app = AppCredentials("practice@example.com", "pw")
    reader.credentials = {"host": "us", "patient_id": "p1"}
    responses.post(
        "https://api-us.libreview.io/llu/auth/login",
        json={"status": 0, "data": {"user": {"id": "u1"}, "authTicket": {"token": "t"}}},
    )
    return reader


@responses.activate
def test_the_reader_keeps_utc_and_the_phones_offset_across_midnight(team):
    reader = _production_reader(team)
    late = {"FactoryTimestamp": "12/1/2026 4:30:00 AM", "Timestamp": "11/30/2026 11:30:00 PM"}
    noon = {"FactoryTimestamp": "11/30/2026 12:05:00 PM", "Timestamp": "11/30/2026 7:05:00 AM"}
    responses.get(
        "https://api-us.libreview.io/llu/connections/p1/graph",
        json=_graph({**late, "ValueInMgPerDl": 90}, {**noon, "ValueInMgPerDl": 180.156}),
    )
    window = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC)
    page = reader.page("glucose", *window, None)
    assert page.cursor == "logbook"
    assert [(r.timestamp, r.value, r.timezone_offset) for r in page.records] == [
        (datetime(2026, 11, 30, 12, 5, tzinfo=UTC), pytest.approx(10.0), -5 * 3600),
        (datetime(2026, 12, 1, 4, 30, tzinfo=UTC), pytest.approx(90 / 18.0156), -5 * 3600),
    ]
    assert responses.calls[-1].request.headers["account-id"] == hashlib.sha256(b"u1").hexdigest()


@responses.activate
def test_a_reading_without_its_value_refuses_the_page(team):
    reader = _production_reader(team)
    stamp = {"FactoryTimestamp": "12/1/2026 4:30:00 AM", "Timestamp": "12/1/2026 5:30:00 AM"}
    responses.get(
        "https://api-us.libreview.io/llu/connections/p1/logbook",
        json={"status": 0, "data": [{**stamp, "ValueInMgPerDl": 100}, stamp]},
    )
    with pytest.raises(ProviderError, match="logbook is not as expected"):
        reader.page("glucose", datetime(2026, 11, 1, tzinfo=UTC), datetime.now(UTC), "logbook")


def test_the_widget_form_takes_the_name(widget, new_link_token, live_user):
    form = {"email": "dee@example.com", "region": "eu", "name": " Dee  Fox "}
    response = widget.submit("/link/provider/freestyle_libre", new_link_token(), **form)
    assert response.status_code == 302  # on to the result step
    connection = Connection.objects.get(user=live_user, provider="freestyle_libre")
    assert (connection.status, connection.credentials["name"]) == ("pending", "Dee Fox")
