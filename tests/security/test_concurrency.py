"""The same step twice at once, from two threads against the live server: exactly one
connection and exactly one `provider.connection.created` webhook, and the second answer is an
ordinary outcome, never a 5xx."""

import pytest
import requests

from connections.models import Connection
from tests.sandbox import Browser, consent

from .conftest import at_once, events

pytestmark = pytest.mark.django_db(transaction=True)


def assert_connected_once(user, provider, receiver):
    assert Connection.objects.filter(user=user, provider=provider).count() == 1
    assert len(events(receiver, "provider.connection.created")) == 1


def test_oauth_callback_twice_at_once(sandbox, new_link_token, live_user, receiver):
    token = new_link_token()
    started = requests.get(
        f"{sandbox.url}/v2/link/provider/oauth/google_health",
        headers={"x-vital-link-token": token},
        timeout=10,
    )
    browser = Browser()
    callback = consent(started.json()["oauth_url"], browser=browser)
    cookies = browser.cookies.get_dict()
    answers = at_once(
        *[lambda: requests.get(callback, cookies=cookies, allow_redirects=False, timeout=30)] * 2
    )
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    assert_connected_once(live_user, "google_health", receiver)


def _api_password(base, token):
    return lambda: requests.post(
        f"{base}/v2/link/provider/password/zwift",
        json={"username": "user_good", "password": "pass_good"},
        headers={"x-vital-link-token": token},
        timeout=30,
    )


def _widget_password(base, token):
    return lambda: requests.post(
        f"{base}/link/provider/zwift",
        data={"token": token, "username": "user_good", "password": "pass_good"},
        allow_redirects=False,
        timeout=30,
    )


@pytest.mark.parametrize("submit", [_api_password, _widget_password], ids=["api", "widget"])
def test_password_submitted_twice_at_once(sandbox, new_link_token, live_user, receiver, submit):
    token = new_link_token()
    answers = at_once(submit(sandbox.url, token), submit(sandbox.url, token))
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    assert_connected_once(live_user, "zwift", receiver)
