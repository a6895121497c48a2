"""A vendor that switched its service off: it is offered to no one, a connection made before
the shutdown is told (`provider.connection.error`) at its next refresh, and connecting the
successor with the same account ends the old connection for the same Vital user."""

import json

import pytest

from connections.lifecycle import connection_refresh
from connections.models import Connection
from link import oauth
from link.errors import ProviderNotOffered
from link.services import link_token_create
from providers.availability import NEVER
from providers.registry import ADAPTERS
from providers.vendors.fitbit.emulator import fitbit_user_id

from .test_contract import oauth_round_trip
from .test_lifecycle import receiver  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

RETIRED = [slug for slug, cls in ADAPTERS.items() if cls.status in NEVER and cls.successor]


def _fitbit_connection(user) -> Connection:
    """A Fitbit connection as it was stored before the shutdown."""
    return Connection.objects.create(
        user=user,
        provider="fitbit",
        status="connected",
        external_user_id=fitbit_user_id("user_good"),
        credentials={"access_token": "a", "refresh_token": "r", "extra": {}},
    )


@pytest.mark.parametrize("slug", RETIRED)
def test_a_retired_vendor_names_its_offered_successor(slug):
    successor = ADAPTERS[ADAPTERS[slug].successor]
    assert successor.status not in NEVER
    assert ADAPTERS[slug].note.startswith("Retired") and successor.name in ADAPTERS[slug].note


def test_a_retired_vendor_is_offered_to_no_one(sandbox, team, live_user):
    link_token = link_token_create(team=team, user_id=live_user.user_id)[1]
    with pytest.raises(ProviderNotOffered, match="retired"):
        oauth.oauth_start(link_token=link_token, provider="fitbit")


def test_the_next_refresh_tells_the_customer_the_vendor_is_gone(
    sandbox,
    team,
    live_user,
    receiver,  # noqa: F811
):
    connection = _fitbit_connection(live_user)
    assert connection_refresh(connection_id=connection.pk) == "failed"
    connection.refresh_from_db()
    assert connection.status == "error"
    assert connection.error_type == "deregistered_per_provider"
    assert "Google Health" in connection.error_message
    assert connection.credentials["refresh_token"] == "r"  # nothing lost
    [event] = [json.loads(r["body"]) for r in receiver.requests]
    assert event["event_type"] == "provider.connection.error"
    assert event["data"]["error_type"] == "deregistered_per_provider"
    assert event["data"]["provider"] == "fitbit"


def test_connecting_the_successor_carries_the_same_account_over(sandbox, team, live_user):
    old = _fitbit_connection(live_user)
    connection_refresh(connection_id=old.pk)  # the 410: an error now
    link_token = link_token_create(team=team, user_id=live_user.user_id)[1]
    assert oauth_round_trip(link_token, "google_health").state == "success"
    new = Connection.objects.get(provider="google_health")
    assert new.user == live_user
    assert new.credentials["extra"]["legacy_user_id"] == old.external_user_id
    old.refresh_from_db()
    assert old.status == "deregistered" and old.credentials is None


def test_another_account_at_the_successor_leaves_the_old_connection(sandbox, team, live_user):
    old = _fitbit_connection(live_user)
    Connection.objects.filter(pk=old.pk).update(external_user_id="SOMEONE")
    link_token = link_token_create(team=team, user_id=live_user.user_id)[1]
    assert oauth_round_trip(link_token, "google_health").state == "success"
    old.refresh_from_db()
    assert old.status == "connected"
