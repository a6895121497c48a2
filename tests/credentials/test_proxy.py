"""`/v2/proxy/{user_id}/{provider}/{path}` over real HTTP: the sandbox emulators' data comes
back through it for a sandbox connection, exactly as the emulator serves it; a token the
vendor refuses is refreshed once and the call retried; a path that tries to leave the vendor's
API is refused; and what reaches the vendor (a stub that records it) carries the vendor's
credentials and never ours, nor anything else that identifies the caller."""

import logging
import secrets

import pytest
import requests
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from connections.models import Connection
from providers.http import USER_AGENT, sandbox_url
from providers.registry import adapter_class
from providers.sandbox.base import grant_revoke, numeric_id, sandbox_client

from .vendor_stub import VendorStub

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stub():
    s = VendorStub()
    yield s
    s.close()


def _direct(connection: Connection, method: str, path: str, **kwargs) -> requests.Response:
    """The emulator's own answer to the same call, made with the connection's credentials."""
    vendor = adapter_class(connection.provider)(base_urls={})
    headers, params = vendor.api_auth(connection.credentials)
    base = vendor.api_base and vendor.hosts[_host(connection)] + vendor.api_base[1]
    return requests.request(
        method,
        sandbox_url(f"{base}/{path}"),
        headers=headers,
        params={**kwargs.pop("params", {}), **params},
        timeout=10,
        **kwargs,
    )


def _settled(answer):
    """The answer without Withings' `updatetime`, the second the vendor answered at: the two
    calls compared may fall either side of a second's edge."""
    body = answer.get("body") if isinstance(answer, dict) else None
    if isinstance(body, dict):
        return {**answer, "body": {k: v for k, v in body.items() if k != "updatetime"}}
    return answer


def _host(connection: Connection) -> str:
    extra = connection.credentials.get("extra") or {}
    return extra.get("host") or adapter_class(connection.provider).api_base[0]


# One real data endpoint per vendor, called the vendor's way.
CALLS = {
    "oura": ("GET", "v2/usercollection/daily_sleep", {"params": {"start_date": "2026-11-01"}}),
    "strava": ("GET", "athlete/activities", {"params": {"per_page": "5"}}),
    "withings": ("POST", "measure", {"data": {"action": "getmeas", "meastypes": "1,6"}}),
    "dexcom": (
        "POST",
        "Publisher/ReadPublisherLatestGlucoseValues",
        {"params": {"minutes": "60", "maxCount": "12"}, "json": {}},
    ),
}


@pytest.mark.parametrize("provider", CALLS)
def test_the_proxy_returns_the_emulators_data(link, live_user, provider):
    connection = link.connect(live_user, provider)
    method, path, kwargs = CALLS[provider]
    answer = link.proxy(live_user, provider, path, method=method, **kwargs)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    assert _settled(answer.json()) == _settled(_direct(connection, method, path, **kwargs).json())
    assert answer.json()  # real readings, not an empty shell
    if provider == "withings":
        assert answer.json()["status"] == 0 and answer.json()["body"]["measuregrps"]


def _vendor_forgets(connection: Connection) -> None:
    """The vendor stops accepting the stored token before it expires (a password change, a
    session the vendor dropped): we still believe it good for hours."""
    if connection.provider == "dexcom":
        cache.delete(f"sandbox:dexcom:session:{connection.credentials['access_token']}")
    else:
        credentials = {**connection.credentials, "access_token": "revoked-by-the-vendor"}
        Connection.objects.filter(pk=connection.pk).update(credentials=credentials)


@pytest.mark.parametrize("provider", CALLS)
def test_a_refused_token_is_refreshed_once_and_the_call_retried(link, live_user, provider):
    # Oura answers 401; Withings a 200 with status 401 inside; Dexcom Share a 500 whose Code
    # says the session is gone.
    connection = link.connect(live_user, provider)
    _vendor_forgets(connection)
    method, path, kwargs = CALLS[provider]
    answer = link.proxy(live_user, provider, path, method=method, **kwargs)
    assert answer.status_code == 200, answer.text
    assert answer.json() and answer.json() != {"status": 401, "body": {}}
    after = Connection.objects.get(pk=connection.pk)
    assert after.credentials["access_token"] != connection.credentials["access_token"]
    assert after.last_refreshed_at and after.status == "connected"


def test_a_token_refused_for_good_breaks_the_connection_and_says_so(link, live_user):
    connection = link.connect(live_user, "oura")
    grant_revoke(sandbox_client("oura").client_id, numeric_id("user_good"))  # at the vendor
    answer = link.proxy(live_user, "oura", "v2/usercollection/daily_sleep")
    assert answer.status_code == 400
    assert answer.json()["detail"]["error_type"] == "token_refresh_failed"
    assert Connection.objects.get(pk=connection.pk).status == "error"


ESCAPES = [
    "/evil.example/x",  # //evil.example/x after the provider
    "%2F%2Fevil.example/x",
    "%2f%2fevil.example",
    "@evil.example",
    "%40evil.example/x",
    "v2%40evil.example",
    "x/..",
    "../../evil.example",
    "v2/%2e%2e/%2e%2e/x",
    "v2/.%2E/x",
    "./x",
    "x\\evil.example",
    "x%5Cevil.example",
    "%5C%5Cevil.example",
    "%252F%252Fevil.example",  # encoded twice
    "https:%2F%2Fevil.example",
    "x%00y",
    "v2/usercollection/daily%20sleep",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_a_path_that_could_leave_the_vendors_api_is_refused(link, live_user, stub, settings, path):
    link.connect(live_user, "oura")
    settings.LINK_SANDBOX_BASE_URL = stub.url
    status, body = link.raw_get(f"/v2/proxy/{live_user.user_id}/oura/{path}")
    assert status == 400, body
    assert "provider's API" in body["detail"] or "Null characters" in body["detail"]
    assert stub.requests == []


def test_a_line_break_in_the_path_matches_no_route(link, live_user, stub, settings):
    link.connect(live_user, "oura")
    settings.LINK_SANDBOX_BASE_URL = stub.url
    status, _ = link.raw_get(f"/v2/proxy/{live_user.user_id}/oura/x/%0d%0aHost:evil.example")
    assert status == 404
    assert stub.requests == []


def test_what_reaches_the_vendor_is_its_credentials_never_ours(link, live_user, stub, settings):
    connection = link.connect(live_user, "oura")
    settings.LINK_SANDBOX_BASE_URL = stub.url
    answer = link.proxy(
        live_user,
        "oura",
        "v2/usercollection/daily_sleep",
        method="POST",
        params={"start_date": "2026-11-01", "next_token": "a b"},
        data=b'{"q": 1}',
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Cookie": "sessionid=ours",
            "X-Forwarded-For": "10.1.2.3",
            "Forwarded": "for=10.1.2.3",
            "X-Real-IP": "10.1.2.3",
            "Proxy-Authorization": "Basic b3Vyczpvd24=",
            "User-Agent": "acme-pipeline/1.0",
            "X-Custom": "ours",
        },
    )
    assert answer.status_code == 200
    [seen] = stub.requests
    headers = {name.lower(): value for name, value in seen["headers"].items()}
    assert link.key not in str(seen)
    assert headers["authorization"] == f"Bearer {connection.credentials['access_token']}"
    assert headers["user-agent"] == USER_AGENT
    assert (headers["accept"], headers["content-type"]) == ("application/json", "application/json")
    for ours in ("x-vital-api-key", "cookie", "x-forwarded-for", "forwarded", "x-real-ip"):
        assert ours not in headers
    assert "proxy-authorization" not in headers and "x-custom" not in headers
    assert seen["method"] == "POST" and seen["body"] == b'{"q": 1}'
    assert seen["path"] == (
        "/sandbox/api.ouraring.com/v2/usercollection/daily_sleep"
        "?start_date=2026-11-01&next_token=a+b"
    )


def test_a_bearer_caller_is_not_forwarded_either(sandbox, team, link, live_user, stub, settings):
    link.connect(live_user, "oura")
    token = link.bearer_token(team)
    settings.LINK_SANDBOX_BASE_URL = stub.url
    answer = requests.get(
        f"{sandbox.url}/v2/proxy/{live_user.user_id}/oura/v2/usercollection/daily_sleep",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert token not in str(stub.requests)


def test_the_vendors_answer_comes_back_as_it_is(link, live_user, stub, settings):
    link.connect(live_user, "strava")
    settings.LINK_SANDBOX_BASE_URL = stub.url
    body = b"Rate Limit Exceeded: try again in 15 minutes\n"
    stub.answers = [
        (
            429,
            {
                "Content-Type": "text/plain",
                "Retry-After": "900",
                "X-RateLimit-Limit": "200,2000",
                "X-RateLimit-Usage": "201,1500",
                "Set-Cookie": "_strava4_session=vendor; path=/",
            },
            body,
            0,
        )
    ]
    answer = link.proxy(live_user, "strava", "athlete/activities")
    assert (answer.status_code, answer.content) == (429, body)
    assert answer.headers["Content-Type"] == "text/plain"
    assert answer.headers["Retry-After"] == "900"
    assert answer.headers["X-RateLimit-Usage"] == "201,1500"
    assert "Set-Cookie" not in answer.headers


def test_calls_share_connections_to_the_vendor_never_cookies(link, live_user, stub, settings):
    """Successive calls in one server thread reuse the kept-alive connection to the vendor (in
    process here, so that they run in the same thread), yet a cookie the vendor sets on one
    connection's answer never travels with the next call, which may be another team's."""
    link.connect(live_user, "strava")
    settings.LINK_SANDBOX_BASE_URL = stub.url
    stub.answers = [(200, {"Set-Cookie": "_strava4_session=vendor; path=/"}, b"{}", 0)]
    client = Client(headers={"X-Vital-API-Key": link.key})
    for _ in range(2):
        answer = client.get(f"/v2/proxy/{live_user.user_id}/strava/athlete/activities")
        assert answer.status_code == 200
        b"".join(answer.streaming_content)
    first, second = stub.requests
    assert first["client"] == second["client"]
    assert "cookie" not in {name.lower() for name in second["headers"]}


def test_a_slow_vendor_times_out(link, live_user, stub, settings):
    link.connect(live_user, "strava")
    settings.LINK_SANDBOX_BASE_URL = stub.url
    settings.LINK_PROVIDER_TIMEOUT_SECONDS = 0.5
    stub.answers = [(200, {}, b"[]", 2)]
    answer = link.proxy(live_user, "strava", "athlete/activities")
    assert answer.status_code == 504
    assert "took too long" in answer.json()["detail"]


def test_a_vendor_nobody_answers_for_is_a_502(link, live_user, settings):
    link.connect(live_user, "strava")
    settings.LINK_SANDBOX_BASE_URL = "http://127.0.0.1:9"
    assert link.proxy(live_user, "strava", "athlete/activities").status_code == 502


def test_bodies_and_tokens_are_never_logged(link, live_user, stub, settings, caplog):
    connection = link.connect(live_user, "oura")
    settings.LINK_SANDBOX_BASE_URL = stub.url
    sent, returned = secrets.token_hex(16), secrets.token_hex(16)
    stub.answers = [
        (500, {"Content-Type": "application/json"}, f'{{"e": "{returned}"}}'.encode(), 0)
    ]
    caplog.set_level(logging.DEBUG)
    answer = link.proxy(live_user, "oura", "v2/x", method="PUT", json={"canary": sent})
    assert answer.status_code == 500 and returned in answer.text  # the vendor's own 5xx
    for secret in (sent, returned, link.key, connection.credentials["access_token"]):
        assert secret not in caplog.text


def test_a_provider_without_a_known_api_is_not_proxied(link, live_user):
    link.connect(live_user, "zwift")
    answer = link.proxy(live_user, "zwift", "api/profiles/me")
    assert answer.status_code == 400 and "no proxy" in answer.json()["detail"]


def test_a_token_about_to_expire_is_refreshed_before_the_call(link, live_user):
    connection = link.connect(live_user, "strava")
    Connection.objects.filter(pk=connection.pk).update(expires_at=timezone.now())
    assert link.proxy(live_user, "strava", "athlete/activities").status_code == 200
    after = Connection.objects.get(pk=connection.pk)
    assert after.credentials["access_token"] != connection.credentials["access_token"]
