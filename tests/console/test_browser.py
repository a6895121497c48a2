"""A real browser logs in to the console and screenshots the dashboard and a session timeline
(into artifacts/screenshots/; the README shows copies kept in docs/screenshots/)."""

import pytest
from django.contrib.auth import get_user_model

from teams.services import end_user_create
from tests.widget.browser import SCREENSHOTS, launch_options

from .conftest import Kind, populate, session_create


@pytest.fixture
def page(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        yield browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="light")
        browser.close()


def _demo_data(team):
    populate(team, 4)
    user = end_user_create(team=team, client_user_id="patient-42")
    flows = [
        (
            "oura",
            (
                Kind.OPENED,
                Kind.PROVIDER_CHOSEN,
                Kind.OAUTH_STARTED,
                Kind.OAUTH_RETURNED,
                Kind.CONNECTED,
            ),
            "",
        ),
        (
            "zwift",
            (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.SUBMITTED, Kind.FAILED),
            "provider_credential_error",
        ),
        (
            "withings",
            (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.OAUTH_STARTED, Kind.FAILED),
            "user_cancelled",
        ),
        ("", (Kind.OPENED,), ""),
    ]
    for i, (provider, kinds, error) in enumerate(flows * 2):
        session_create(team, user, *kinds, provider=provider, error_type=error, index=i)
    failed = session_create(
        team,
        user,
        Kind.CREATED,
        Kind.OPENED,
        Kind.PROVIDER_CHOSEN,
        Kind.SUBMITTED,
        Kind.MFA_REQUESTED,
        Kind.SUBMITTED,
        Kind.FAILED,
        provider="dexcom",
        error_type="provider_credential_error",
        index=100,
    )
    events = failed.events.all()
    events.filter(kind=Kind.OPENED).update(detail={"mode": "iframe", "language": "en"})
    events.filter(kind=Kind.MFA_REQUESTED).update(detail={"method": "sms"})
    events.filter(kind=Kind.FAILED).update(detail={"message": "Dexcom rejected the MFA code."})
    return failed


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_console_dashboard_and_timeline(page, live_server, team):
    failed = _demo_data(team)
    get_user_model().objects.create_superuser("ops", "", "ops-password")

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "ops-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#funnel-title")
    assert page.locator(".console-bar").count() >= 4
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "console-dashboard.png", full_page=True)

    page.goto(f"{live_server.url}/admin/link/linktoken/{failed.pk}/change/")
    timeline = page.locator(".console-timeline__event")
    assert timeline.count() == 7
    assert "provider_credential_error" in timeline.last.inner_text()
    page.screenshot(path=SCREENSHOTS / "console-session-timeline.png", full_page=True)
