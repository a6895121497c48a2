"""Dexcom API v3: the one scope `offline_access`, regional hosts chosen by the team's region, and
the account id read from dataRange's `userId`, which is per Dexcom account and per client app."""

import pytest
import requests

from link import oauth
from providers.http import sandbox_url
from providers.sandbox.base import sandbox_client
from providers.vendors.dexcom_v3.emulator import dexcom_user_id

from .test_contract import link_token, oauth_round_trip  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("region", "host"), [("us", "api.dexcom.com"), ("eu", "api.dexcom.eu")])
def test_connects_on_the_team_regions_host_with_the_per_app_id(link_token, region, host):  # noqa: F811
    link_token.team.region = region
    link_token.team.save()
    url = oauth.oauth_start_in_browser(link_token=link_token, provider="dexcom_v3")[0]
    assert f"/sandbox/{host}/v2/oauth2/login?" in url
    result = oauth_round_trip(link_token, "dexcom_v3")
    client_id = sandbox_client("dexcom_v3").client_id
    assert result.connection.external_user_id == dexcom_user_id("user_good", client_id)
    assert result.connection.external_user_id != dexcom_user_id("user_good", "another-app")


def test_only_offline_access_is_accepted(sandbox):
    login = sandbox_url("https://api.dexcom.com") + "/v2/oauth2/login"
    query = {"client_id": "c", "redirect_uri": "https://app.example/cb", "response_type": "code"}
    refused = requests.get(login, params={**query, "scope": "egv"}, timeout=10)
    assert refused.status_code == 400 and "offline_access" in refused.text
    assert requests.get(login, params={**query, "scope": "offline_access"}, timeout=10).ok
