"""Witnesses we did not write: each vendor's own open-source client signs in against our
emulator with nothing changed but the host it calls (see witness/sitecustomize.py). Each client
runs in its own throwaway virtualenv, pinned in witness/<client>.txt and cached by those pins
(tests/clients/installs.py), so clashing dependencies never meet ours and CI installs each
once."""

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from providers.http import sandbox_url
from providers.sandbox.base import account_id, client_secret_for, numeric_id
from providers.vendors.fitbit.emulator import fitbit_user_id
from tests.clients.installs import virtualenv
from tests.sandbox import consent

pytestmark = pytest.mark.django_db(transaction=True)

WITNESS = Path(__file__).resolve().parent / "witness"


def run_witness(client: str, script: str, sandbox_url: str, *args: str) -> dict:
    python = virtualenv(client, WITNESS / f"{client}.txt")
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(WITNESS)}
    done = subprocess.run(
        [python, WITNESS / script, *args],
        env={**env, "LINK_WITNESS_SANDBOX": sandbox_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def oauth_witness(client: str, script: str, sandbox, client_id: str) -> dict:
    """An OAuth client's round trip: the script's `authorize` step builds the vendor's
    authorization URL, a user allows it on the emulator's consent page, and its `exchange` step
    trades the code the way the client does."""
    secret = client_secret_for(client_id)
    url = run_witness(client, script, sandbox.url, "authorize", client_id, secret)["authorize_url"]
    back = parse_qs(urlsplit(consent(sandbox_url(url))).query)
    return run_witness(client, script, sandbox.url, "exchange", client_id, secret, back["code"][0])


def test_pydexcom_signs_in_to_our_dexcom_share(sandbox):
    seen = run_witness("pydexcom", "pydexcom_signs_in.py", sandbox.url)
    assert seen["signed_in"] == dict.fromkeys(("us", "ous", "jp"), account_id("user_good"))
    assert seen["refused"] == "Failed to authenticate"  # pydexcom's reading of our refusal


def test_stravalib_exchanges_a_code_with_our_strava(sandbox):
    seen = oauth_witness("stravalib", "stravalib_signs_in.py", sandbox, "12345")
    assert seen == {"athlete_id": numeric_id("user_good"), "refreshed": True}


def test_pylibrelinkup_signs_in_to_our_librelinkup(sandbox):
    requests.post(
        f"{sandbox.url}/sandbox/freestyle_libre/link_patient",
        data={"email": "pat@example.com"},
        timeout=10,
    ).raise_for_status()
    practice = "practice@example.com"
    seen = run_witness(
        "pylibrelinkup",
        "pylibrelinkup_signs_in.py",
        sandbox.url,
        practice,
        client_secret_for(practice),
    )
    assert {"patient_id": account_id("pat@example.com"), "name": "Sandbox Patient"} in (
        seen["patients"]
    )
    assert seen["refused"] == "Invalid login credentials"  # its reading of status 2


def test_withings_api_exchanges_a_code_with_our_withings(sandbox):
    seen = oauth_witness("withings-api", "withings_api_signs_in.py", sandbox, "withings-app")
    assert seen == {"userid": numeric_id("user_good"), "refresh": True}


def test_oura_ring_exchanges_and_refreshes_with_our_oura(sandbox):
    seen = oauth_witness("oura-ring", "oura_ring_signs_in.py", sandbox, "oura-app")
    assert seen == {"id": account_id("user_good"), "spent_refresh": 400}


def test_whoop_exchanges_a_code_with_our_whoop_v2(sandbox):
    seen = oauth_witness("whoop", "whoop_signs_in.py", sandbox, "whoop-app")
    assert seen == {"user_id": numeric_id("user_good"), "refresh": True}


def test_google_auth_oauthlib_exchanges_a_code_with_our_google_health(sandbox):
    seen = oauth_witness(
        "google-auth-oauthlib", "google_auth_oauthlib_signs_in.py", sandbox, "google-app"
    )
    assert seen["refresh"] and seen["identity"]["legacyUserId"] == fitbit_user_id("user_good")


def test_polar_flow_api_exchanges_and_registers_with_our_polar(sandbox):
    seen = oauth_witness("polar-flow-api", "polar_flow_api_signs_in.py", sandbox, "polar-witness")
    user_id = numeric_id("user_good")
    assert seen == {"user_id": str(user_id), "registered": user_id, "member": "witness-member"}


def test_hammerhead_sdk_exchanges_a_json_body_with_our_hammerhead(sandbox):
    seen = oauth_witness("hammerhead", "hammerhead_signs_in.py", sandbox, "hammerhead-app")
    assert seen == {"user_id": str(numeric_id("user_good")), "refreshed": True}


def test_renpho_py_signs_in_to_our_renpho_health(sandbox):
    user_id = str(numeric_id("user_good"))
    seen = run_witness("renpho-py", "renpho_py_signs_in.py", sandbox.url, user_id)
    assert seen["user_id"] == user_id
    assert "102" in seen["refused"]  # Renpho's code for a wrong password, as it reports it
