"""Status means something: production teams are offered live vendors, and the beta and legacy
ones an operator enables for them; no team is offered a retired or blocked vendor; the API, the
widget and the console say why a vendor is not offered."""

import pytest
from django.urls import reverse

from providers.availability import NotOffered, provider_availability
from providers.base import Status
from providers.registry import ADAPTERS
from teams.models import ProviderApp

pytestmark = pytest.mark.django_db


def offered(team) -> set[str]:
    return {slug for slug, why_not in provider_availability(team=team).items() if why_not is None}


LIVE = {s for s, cls in ADAPTERS.items() if cls.status == Status.LIVE}
OPT_IN = {s for s, cls in ADAPTERS.items() if cls.status in (Status.BETA, Status.LEGACY)}


@pytest.fixture
def apps_configured(settings):
    """The operator has an app at every vendor that needs one."""
    settings.LINK_OAUTH_APPS = {
        slug: {"client_id": f"id-{slug}", "client_secret": "secret"}
        for slug, cls in ADAPTERS.items()
        if cls.requires_app
    }


@pytest.fixture
def retired(monkeypatch):
    monkeypatch.setattr(ADAPTERS["oura"], "status", Status.RETIRED)
    monkeypatch.setattr(ADAPTERS["zwift"], "status", Status.BLOCKED)


def test_production_teams_are_offered_live_vendors_only(other_team, apps_configured):
    assert OPT_IN and offered(other_team) == LIVE
    assert {provider_availability(team=other_team)[s] for s in OPT_IN} == {NotOffered.NOT_ENABLED}


def test_an_operator_enables_a_beta_or_legacy_vendor_per_team(other_team, apps_configured):
    beta = next(s for s in OPT_IN if ADAPTERS[s].status == Status.BETA)
    other_team.enabled_providers = [beta]
    assert offered(other_team) == LIVE | {beta}


def test_sandbox_teams_are_offered_beta_and_legacy_vendors(team):
    assert offered(team) == LIVE | OPT_IN


def test_retired_and_blocked_vendors_are_offered_to_no_one(team, other_team, retired):
    other_team.enabled_providers = ["oura", "zwift"]
    for anyone in (team, other_team):
        availability = provider_availability(team=anyone)
        assert (availability["oura"], availability["zwift"]) == (
            NotOffered.RETIRED,
            NotOffered.BLOCKED,
        )


def test_a_vendor_that_needs_an_app_waits_for_one(other_team, settings):
    """FreeStyle Libre needs the practice account as much as OAuth vendors need a client."""
    settings.LINK_OAUTH_APPS = {}
    needing = {s for s, cls in ADAPTERS.items() if cls.requires_app}
    assert {"freestyle_libre", "oura"} <= needing
    availability = provider_availability(team=other_team)
    assert {s for s in needing if s in LIVE} == {
        s for s, why in availability.items() if why == NotOffered.NO_APP
    }
    other_team.enabled_providers = ["freestyle_libre"]  # a beta vendor the operator enabled
    other_team.save()
    assert provider_availability(team=other_team)["freestyle_libre"] == NotOffered.NO_APP
    ProviderApp.objects.create(
        team=other_team, provider="freestyle_libre", client_id="practice@x", client_secret="pw"
    )
    assert provider_availability(team=other_team)["freestyle_libre"] is None


def test_switched_off_by_the_team(team):
    team.disabled_providers = ["strava"]
    assert provider_availability(team=team)["strava"] == NotOffered.SWITCHED_OFF


def test_the_api_says_why_per_team(other_api, apps_configured, retired):
    listed = {p["slug"]: p for p in other_api.get("/v2/providers").json()}
    assert listed["strava"]["offered"] is True and listed["strava"]["not_offered"] is None
    assert listed["oura"]["offered"] is False
    assert listed["oura"]["not_offered"] == {
        "reason": "retired",
        "message": "Oura has been retired by its maker and can no longer be connected.",
    }
    beurer = listed["beurer_api"]["not_offered"]
    assert beurer["reason"] == "not_enabled" and "beta" in beurer["message"]
    assert all(p["sources"] and p["checked_on"] for p in listed.values())


def test_the_widget_says_why_on_the_provider_step_and_in_search(widget, link_token, team):
    team.disabled_providers = ["strava"]
    team.save()
    step = widget.step("/link/provider/strava", link_token).content.decode()
    assert "This app does not offer Strava." in step
    found = widget.step("/link/providers", link_token, q="strav").content.decode()
    assert "This app does not offer Strava." in found and 'href="/link/provider/strava' not in found
    plain = widget.step("/link/providers", link_token).content.decode()
    assert "This app does not offer Strava." not in plain


def test_the_connect_api_refuses_with_the_reason(api, link_token, team):
    team.disabled_providers = ["zwift"]
    team.save()
    response = api.post_json(
        "/v2/link/provider/password/zwift",
        {"username": "user_good", "password": "pass_good"},
        headers={"x-vital-link-token": link_token},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "error_type": "INVALID_PROVIDER",
        "error_message": "This app does not offer Zwift.",
    }


def test_the_console_enables_only_beta_and_legacy_vendors(admin_client, other_team, retired):
    url = reverse("admin:teams_team_change", args=[other_team.pk])
    page = admin_client.get(url)
    field = page.context["adminform"].form.fields["enabled_providers"]
    assert {slug for slug, _ in field.choices} == OPT_IN
    assert "not enabled for this app" in page.content.decode()
    assert "retired by its maker" in page.content.decode()


def test_the_api_answer_follows_the_team_at_once(api, team):
    """The encoded answer is kept per set of refusals, so a change to the team shows at once."""
    assert _strava(api)["offered"] is True
    team.disabled_providers = ["strava"]
    team.save()
    assert _strava(api)["not_offered"]["reason"] == "switched_off"
    team.disabled_providers = []
    team.save()
    assert _strava(api)["offered"] is True


def _strava(api) -> dict:
    return next(p for p in api.get("/v2/providers").json() if p["slug"] == "strava")
