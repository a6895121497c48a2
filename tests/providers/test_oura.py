"""Oura's authorize takes no redirect_uri (the app's registered one is used); one sent there
must be sent again at the exchange."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from providers.http import sandbox_url
from providers.sandbox.base import client_secret_for
from tests.sandbox import consent

pytestmark = pytest.mark.django_db(transaction=True)


def test_oura_takes_no_redirect_uri_but_one_sent_must_be_repeated(sandbox):
    authorize = sandbox_url("https://cloud.ouraring.com/oauth/authorize")
    token = sandbox_url("https://api.ouraring.com/oauth/token")
    app = {"client_id": "oura-app", "client_secret": client_secret_for("oura-app")}
    for sent in ("", "https://app.example/cb"):
        query = {"response_type": "code", "client_id": "oura-app", "scope": "daily"}
        url = f"{authorize}?{urlencode(query | ({'redirect_uri': sent} if sent else {}))}"
        code = parse_qs(urlsplit(consent(url)).query)["code"][0]
        exchange = {**app, "grant_type": "authorization_code", "code": code}
        if sent:
            without = requests.post(token, data=exchange, timeout=10)
            assert without.json()["error"] == "invalid_grant"
            exchange["redirect_uri"] = sent
        assert requests.post(token, data=exchange, timeout=10).json()["access_token"]
