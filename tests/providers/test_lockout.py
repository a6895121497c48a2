"""A link session closes after too many rejected passwords or codes (brute-force guard)."""

import pytest
import requests

from connections.models import Connection

pytestmark = pytest.mark.django_db(transaction=True)


def _password(sandbox, token, password, provider="zwift"):
    return requests.post(
        f"{sandbox.url}/v2/link/provider/password/{provider}",
        json={"username": "user_good", "password": password},
        headers={"x-vital-link-token": token},
        timeout=10,
    )


def test_token_locks_after_repeated_rejected_passwords(sandbox, new_link_token, settings):
    settings.LINK_MAX_REJECTED_ATTEMPTS = 3
    token = new_link_token()
    for attempt in range(3):
        response = _password(sandbox, token, f"guess-{attempt}")
        assert response.status_code == 400
        assert response.json()["detail"]["error_type"] == "INVALID_CREDENTIALS"
    assert "now closed" in response.json()["error"]
    locked = _password(sandbox, token, "pass_good")  # even the right password is too late
    assert locked.status_code == 401
    assert locked.json()["error_type"] == "token_expired"
    assert not Connection.objects.exists()


def test_wrong_mfa_codes_count_too(sandbox, new_link_token, settings):
    settings.LINK_MAX_REJECTED_ATTEMPTS = 2
    token = new_link_token()
    headers = {"x-vital-link-token": token}
    start = requests.post(
        f"{sandbox.url}/v2/link/provider/password/zwift",
        json={"username": "user_mfa", "password": "pass_good"},
        headers=headers,
        timeout=10,
    )
    assert start.json()["state"] == "pending_provider_mfa"
    for _ in range(2):
        wrong = requests.post(
            f"{sandbox.url}/v2/link/provider/password/zwift/complete_mfa",
            json={"mfa_code": "000000"},
            headers=headers,
            timeout=10,
        )
    assert wrong.json()["error_type"] == "incorrect_mfa_code"
    assert "now closed" in wrong.json()["error"]
    assert _password(sandbox, token, "pass_good").status_code == 401


def test_a_good_login_before_the_limit_still_connects(sandbox, new_link_token):
    token = new_link_token()
    assert _password(sandbox, token, "wrong").status_code == 400
    assert _password(sandbox, token, "pass_good").json()["state"] == "success"
