"""WHOOP: the legacy password login is retired (its host answers 410 in the sandbox); the
official API (whoop_v2) gives a refresh token only with `offline`, and the id is the profile's
integer `user_id`."""

import pytest

from providers.catalogue import provider_get
from providers.errors import ProviderRetired
from providers.registry import provider_adapter
from providers.sandbox.base import numeric_id

from .test_contract import link_token, oauth_round_trip  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_legacy_login_is_retired_and_names_the_official_api(sandbox, team):
    info = provider_get("whoop")
    assert info.status == "retired" and info.successor == "whoop_v2"
    with pytest.raises(ProviderRetired, match="official API"):
        provider_adapter("whoop", team=team).refresh({"access_token": "a", "refresh_token": "r"})


def test_whoop_v2_id_is_the_profile_user_id(link_token):  # noqa: F811
    result = oauth_round_trip(link_token, "whoop_v2")
    assert result.connection.external_user_id == str(numeric_id("user_good"))
    assert result.connection.credentials["refresh_token"]


def test_whoop_v2_without_offline_is_refused(link_token):  # noqa: F811
    result = oauth_round_trip(
        link_token, "whoop_v2", scopes=lambda offered: [s for s in offered if s != "offline"]
    )
    assert result.error_type == "required_scopes_not_granted"
