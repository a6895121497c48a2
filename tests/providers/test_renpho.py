"""Renpho Health: the login travels in the app's AES-128-ECB envelope; the password is kept
because there is no refresh and every fresh login signs the phone app out."""

import pytest
import responses

from providers.catalogue import provider_get
from providers.registry import provider_adapter
from providers.sandbox.base import numeric_id
from providers.vendors.renpho import adapter as renpho

pytestmark = pytest.mark.django_db(transaction=True)

# Computed with `openssl enc -aes-128-ecb -K <hex of the app key>`, not with our code.
PLAIN = {"login": {"email": "a@b.c"}}
SEALED = "UPiC1Tk17XKUIHMf8TT3W7TimB2aaabVPVPoQanHQbQ="


def test_envelope_matches_an_independent_aes_ecb_vector():
    assert renpho.unseal(SEALED) == PLAIN
    assert renpho.seal(PLAIN) == SEALED
    assert renpho.unseal(renpho.seal({"x": "ü"})) == {"x": "ü"}


@responses.activate
def test_password_never_travels_in_clear_and_success_is_code_101(team):
    team.environment = "production"
    session = {"login": {"token": "tok", "id": 77, "expAt": 2000000000}}
    responses.post(
        "https://cloud.renpho.com/renpho-aggregation/user/login",
        json={"code": 101, "msg": "success", "data": renpho.seal(session)},
    )
    adapter = provider_adapter("renpho", team=team)
    connected = adapter.login(username="a@b.c", password="s3cret", region="au")
    sent = responses.calls[0].request
    assert b"s3cret" not in sent.body and sent.headers["area"] == "AU"
    assert connected.external_user_id == "77" and connected.tokens.access_token == "tok"


@responses.activate
def test_a_login_without_an_end_time_and_a_string_code_connects(team):
    team.environment = "production"
    session = {"login": {"token": "tok", "id": "77"}}  # all the maintained clients read
    responses.post(
        "https://cloud.renpho.com/renpho-aggregation/user/login",
        json={"code": "0", "msg": "success", "data": renpho.seal(session)},
    )
    connected = provider_adapter("renpho", team=team).login(
        username="a@b.c", password="pw", region=None
    )
    assert connected.external_user_id == "77" and connected.tokens.expires_at is None


def test_emulator_reads_the_envelope_and_refresh_logs_in_again(sandbox, team):
    adapter = provider_adapter("renpho", team=team)
    connected = adapter.login(username="user_good", password="pass_good", region=None)
    assert connected.external_user_id == str(numeric_id("user_good"))
    assert adapter.stores_password and connected.tokens.extra["password"] == "pass_good"
    assert adapter.refresh(connected.tokens.as_credentials()).access_token


def test_catalogue_warns_that_login_signs_the_phone_app_out():
    assert "signs the user out" in provider_get("renpho").note
