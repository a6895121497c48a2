"""Strava's refusals of the app itself: an app at its athlete capacity refuses new athletes at
the code exchange, and an inactive app's data calls answer 403 (providers/vendors/strava)."""

import pytest
import requests
from django.utils.html import escape

from connections.models import Connection
from health import pulling
from link.models import OAuthState
from link.results import outcome_for
from link.services import link_token_create
from providers.errors import AppInactive
from providers.registry import DATA_READERS, provider_adapter

from .test_contract import _signed_in, link_token, oauth_round_trip  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lever(sandbox):
    """POST to a Strava sandbox lever; every lever is put back afterwards."""

    def pull(name: str, **data):
        answer = requests.post(f"{sandbox.url}/sandbox/strava/{name}", data=data, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    yield pull
    pull("athlete_limit", capacity="")
    pull("inactive", active="1")


def test_a_full_app_tells_the_user_and_the_operator_why(sandbox, link_token, lever):  # noqa: F811
    lever("athlete_limit", capacity="0")
    params, cookies = _signed_in(link_token, "strava")
    # The browser comes back to Link's callback, which shows the outcome (no redirect_url).
    page = requests.get(
        f"{sandbox.url}/v2/link/connect/strava", params=params, cookies=cookies, timeout=30
    )
    outcome = outcome_for("app_user_limit_reached")
    assert 'data-error-type="app_user_limit_reached"' in page.text
    assert escape(str(outcome.title)) in page.text and escape(str(outcome.message)) in page.text
    assert not Connection.objects.exists()
    # The customer's record of the session says which vendor and what to do.
    link_token.refresh_from_db()
    assert (link_token.state, link_token.error_type) == ("error", "app_user_limit_reached")
    result = OAuthState.objects.get(link_token=link_token).result
    assert "Strava" in result["error"] and "athlete limit" in result["error"]


def test_an_athlete_fits_under_the_capacity_and_keeps_the_slot(
    link_token,  # noqa: F811
    lever,
    team,
    live_user,
):
    lever("athlete_limit", capacity="1")
    assert oauth_round_trip(link_token, "strava").state == "success"
    # Connecting the same athlete again (a new link) takes no second slot.
    again = link_token_create(team=team, user_id=live_user.user_id)[1]
    assert oauth_round_trip(again, "strava").state == "success"


def test_an_inactive_app_says_so_on_data_calls(link_token, lever, team):  # noqa: F811
    assert oauth_round_trip(link_token, "strava").state == "success"
    credentials = Connection.objects.get().credentials
    reader = DATA_READERS["strava"](provider_adapter("strava", team=team), credentials)
    assert reader.get("/athlete")["username"] == "user_good"
    lever("inactive", active="0")
    with pytest.raises(AppInactive, match="settings/api"):
        reader.get("/athlete")
    # A pull records why, for the operator to read.
    connection = Connection.objects.get()
    assert pulling.pull_run(connection_id=connection.pk, resource="workouts") == "failed"
    error = connection.pulls.get(resource="workouts").last_error
    assert "Strava has deactivated this app" in error
