"""Eight Sleep: a JSON password grant naming the app's own client; `userId` in the answer; the
connection stays alive by signing in again with the kept password, as the maintained client does."""

import pytest

from providers.errors import ProviderApiError
from providers.registry import provider_adapter
from providers.sandbox.base import account_id

pytestmark = pytest.mark.django_db(transaction=True)


def test_user_id_from_token_json_and_refresh_signs_in_again(sandbox, team):
    adapter = provider_adapter("eight_sleep", team=team)
    connected = adapter.login(username="user_good", password="pass_good", region=None)
    assert connected.external_user_id == account_id("user_good").replace("-", "")
    credentials = connected.tokens.as_credentials()
    assert adapter.stores_password and credentials["refresh_token"] is None
    renewed = adapter.refresh(credentials)
    assert renewed.access_token and renewed.extra == credentials["extra"]


def test_a_rotated_app_client_is_an_api_error_not_bad_credentials(sandbox, team, monkeypatch):
    adapter = provider_adapter("eight_sleep", team=team)
    monkeypatch.setattr(adapter, "app_fields", {"client_id": "old", "client_secret": "old"})
    with pytest.raises(ProviderApiError, match="app's sign-in"):
        adapter.login(username="user_good", password="pass_good", region=None)
