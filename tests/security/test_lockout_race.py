"""The lockout holds under concurrency (issue 16, item 2): many wrong passwords or codes sent at
once on one link session reach the vendor at most LINK_MAX_REJECTED_ATTEMPTS times, and the
right one sent afterwards connects nothing. Each attempt is reserved in the database before the
vendor is called, so this holds on SQLite and on PostgreSQL alike (CI runs both).

Twelve at once: the test server's listen queue holds ten, and each request also calls the
emulator on the same server; a low limit makes the race as wide as the penetration test's."""

import pytest
import requests
from django.core.signals import request_started

from connections.models import Connection

from .conftest import at_once

pytestmark = pytest.mark.django_db(transaction=True)

AT_ONCE = 12


@pytest.fixture(autouse=True)
def _low_limit(settings):
    settings.LINK_MAX_REJECTED_ATTEMPTS = 3
    # An emulator slowed past the vendor timeout by a loaded machine is "the vendor is down",
    # which rightly gives the attempt back, and lets one more guess reach it than the limit.
    settings.LINK_PROVIDER_TIMEOUT_SECONDS = 60


@pytest.fixture
def vendor_posts():
    """Every POST the vendor (Zwift's emulator, on the live server) receives."""
    seen = []

    def count(sender, environ, **kwargs):
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].startswith(
            "/sandbox/secure.zwift.com/"
        ):
            seen.append(environ["PATH_INFO"])

    request_started.connect(count, weak=False, dispatch_uid="vendor_posts")
    yield seen
    request_started.disconnect(dispatch_uid="vendor_posts")


def _send(base, token, path, body):
    return lambda: requests.post(
        f"{base}/v2/link/provider/password/zwift{path}",
        json=body,
        headers={"x-vital-link-token": token},
        timeout=60,
    )


def _password(base, token, password, username="user_good"):
    return _send(base, token, "", {"username": username, "password": password})


def _code(base, token, code):
    return _send(base, token, "/complete_mfa", {"mfa_code": code})


def test_concurrent_wrong_passwords_cannot_pass_the_limit(
    sandbox, new_link_token, live_user, vendor_posts, settings
):
    token = new_link_token()
    answers = at_once(*[_password(sandbox.url, token, f"guess-{i}") for i in range(AT_ONCE)])
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    assert 1 <= len(vendor_posts) <= settings.LINK_MAX_REJECTED_ATTEMPTS
    vendor_posts.clear()

    late = _password(sandbox.url, token, "pass_good")()
    assert late.status_code == 401 and late.json()["error_type"] == "token_expired"
    assert vendor_posts == []
    assert not Connection.objects.filter(user=live_user).exists()


def test_concurrent_wrong_codes_cannot_pass_the_limit(
    sandbox, new_link_token, live_user, vendor_posts, settings
):
    token = new_link_token()
    asked = _password(sandbox.url, token, "pass_good", username="user_mfa")()
    assert asked.json()["state"] == "pending_provider_mfa"
    vendor_posts.clear()

    answers = at_once(*[_code(sandbox.url, token, f"{i:06d}") for i in range(AT_ONCE)])
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    assert 1 <= len(vendor_posts) <= settings.LINK_MAX_REJECTED_ATTEMPTS

    burst = len(vendor_posts)
    late = _code(sandbox.url, token, "123456")()
    # Every code the vendor sees, the late one included, is within the limit. A request that
    # finds the code step taken by another is refused without using an attempt, so the burst
    # may leave one: then the right code still connects, as it should.
    assert len(vendor_posts) <= settings.LINK_MAX_REJECTED_ATTEMPTS
    if burst == settings.LINK_MAX_REJECTED_ATTEMPTS:
        assert late.json()["state"] != "success"
        assert not Connection.objects.filter(user=live_user).exists()


def test_attempts_the_vendor_did_not_reject_are_given_back(sandbox, new_link_token, settings):
    """A password that asks for a code, or a vendor that is down, uses up no attempt."""
    settings.LINK_MAX_REJECTED_ATTEMPTS = 1
    token = new_link_token()
    for _ in range(3):
        asked = _password(sandbox.url, token, "pass_good", username="user_mfa")()
        assert asked.json()["state"] == "pending_provider_mfa"
    assert _code(sandbox.url, token, "123456")().json()["state"] == "success"
