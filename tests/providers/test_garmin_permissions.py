"""Garmin's permissions: the user may untick any on the consent page; Link reads what is left
from /user/permissions, refuses a connection without the data it needs and keeps the rest as
the connection's scopes (providers/vendors/garmin)."""

import pytest

from connections.models import Connection
from providers.errors import ProviderApiError
from providers.registry import provider_adapter
from providers.vendors.garmin.adapter import permissions_of
from providers.vendors.garmin.emulator import PERMISSIONS

from .test_contract import link_token, oauth_round_trip  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_consent_page_offers_every_permission_and_all_are_kept(link_token):  # noqa: F811
    offered = []

    def tick_all(scopes):
        offered.extend(scopes)
        return scopes

    assert oauth_round_trip(link_token, "garmin", scopes=tick_all).state == "success"
    assert sorted(offered) == sorted(PERMISSIONS)
    assert sorted(Connection.objects.get().scopes) == sorted(PERMISSIONS)


@pytest.mark.parametrize("missing", ["HEALTH_EXPORT", "ACTIVITY_EXPORT"])
def test_without_a_data_permission_nothing_is_connected(link_token, missing):  # noqa: F811
    result = oauth_round_trip(
        link_token, "garmin", scopes=lambda offered: [s for s in offered if s != missing]
    )
    assert (result.state, result.error_type) == ("error", "required_scopes_not_granted")
    assert not Connection.objects.exists()


def test_the_other_permissions_may_be_left_unticked(link_token, team):  # noqa: F811
    kept = ["ACTIVITY_EXPORT", "HEALTH_EXPORT"]
    result = oauth_round_trip(
        link_token, "garmin", scopes=lambda offered: [s for s in offered if s in kept]
    )
    assert result.state == "success"
    connection = Connection.objects.get()
    assert sorted(connection.scopes) == kept
    # A refresh keeps them.
    refreshed = provider_adapter("garmin", team=team).refresh(connection.credentials)
    assert sorted(refreshed.scopes) == kept


def test_both_shapes_of_the_answer_are_read_and_garbage_is_refused():
    names = ["ACTIVITY_EXPORT", "HEALTH_EXPORT"]
    assert permissions_of(names) == permissions_of({"permissions": names}) == tuple(names)
    for garbage in ({"permissions": "ACTIVITY_EXPORT"}, {"userId": "x"}, [1, 2], "ACTIVITY"):
        with pytest.raises(ProviderApiError):
            permissions_of(garbage)
