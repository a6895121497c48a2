"""A real browser logs in to the console and checks every kind of page at 1280 and 375 px, in
light and dark: nothing overlaps, nothing is cut off, and the page says what is true. Each view
is saved to artifacts/screenshots/ (the README shows copies kept in docs/screenshots/)."""

import pytest
from django.contrib.auth import get_user_model

from health.pulls import pull_claim, pull_release
from teams.services import end_user_create
from tests.health import conftest as health
from tests.widget.browser import SCREENSHOTS, axe_violations

from .conftest import Kind, connection_create, populate, session_create, tasks_in_every_state
from .layout import layout_problems

WIDTHS = (1280, 375)
# Pages whose accessibility is not checked here, and why.
AXE_EXEMPT = {"team": "the admin's tabular inline fields (webhook endpoint rows) have no labels"}
SCHEMES = ("light", "dark")
PASSWORD = "ops-password"
# The admin fades link colours, so a check or screenshot just after a switch to dark would
# catch the colours half-way.
NO_TRANSITIONS = """addEventListener("DOMContentLoaded", () => {
  const style = document.createElement("style");
  style.textContent = "*, *::before, *::after { transition: none !important; }";
  document.head.append(style);
});"""


def _demo_data(team, other_team):
    """A few minutes of a demo: sessions that connected, failed, were abandoned or never opened;
    FreeStyle Libre connections linked, pending (one for too long) and never linked; a
    production team; and tasks in every state."""
    populate(team, 4)
    user = end_user_create(team=team, client_user_id="patient-42")
    oauth = (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.OAUTH_STARTED)
    flows = [
        ("oura", (*oauth, Kind.OAUTH_RETURNED, Kind.CONNECTED), ""),
        (
            "zwift",
            (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.SUBMITTED, Kind.FAILED),
            "provider_credential_error",
        ),
        ("withings", (*oauth, Kind.FAILED), "user_cancelled"),
        ("", (Kind.OPENED,), ""),
        ("", (Kind.CREATED,), ""),
    ]
    for i, (provider, kinds, error) in enumerate(flows * 2):
        session_create(team, user, *kinds, provider=provider, error_type=error, index=i)
    stored = (Kind.OPENED, Kind.PROVIDER_CHOSEN, Kind.SUBMITTED, Kind.CONNECTED)
    libre = {
        "libre-linked": {"status": "connected"},
        "libre-waiting": {"status": "pending"},
        "libre-stuck": {"status": "pending", "age_days": 12},
        "libre-never": {"status": "error", "error_type": "user_not_found"},
    }
    for name, fields in libre.items():
        libre_user = end_user_create(team=team, client_user_id=name)
        session_create(team, libre_user, *stored, provider="freestyle_libre")
        connection_create(libre_user, "freestyle_libre", **fields)
    for i in range(2):
        customer = end_user_create(team=other_team, client_user_id=f"customer-{i}")
        session_create(other_team, customer, *stored, provider="oura")
    wearer = end_user_create(team=other_team, client_user_id="ring-wearer")  # no webhooks
    oura = health.connect(wearer, "oura")
    health.put_week(oura, health.connect(wearer, "freestyle_libre"))
    pull_release(state=pull_claim(connection=oura, resource="hrv"), error="Oura answered 503")
    tasks_in_every_state()
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


@pytest.fixture
def console(live_server, team, other_team, settings, chromium):
    """A logged-in Chromium page on the console, over the demo data."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    failed = _demo_data(team, other_team)
    get_user_model().objects.create_superuser("ops", "", PASSWORD)
    context = chromium.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    page.add_init_script(NO_TRANSITIONS)
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#funnel-title")
    page.session = failed  # the session whose timeline is shown
    yield page
    context.close()


def _pages(live_server, team, session):
    admin = f"{live_server.url}/admin"
    return {
        "dashboard": f"{admin}/",
        "connections": f"{admin}/connections/connection/",
        "sessions": f"{admin}/link/linktoken/",
        "session-timeline": f"{admin}/link/linktoken/{session.pk}/change/",
        "tasks": f"{admin}/django_tasks_database/dbtaskresult/",
        "team": f"{admin}/teams/team/{team.pk}/change/",
        "end-user": f"{admin}/teams/enduser/{team.users.get(client_user_id='row-0').pk}/change/",
        "webhook-deliveries": f"{admin}/webhooks/webhookdelivery/",
        "data-freshness": f"{admin}/health/pullstate/",
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_console_pages_are_sound_at_every_size(console, live_server, team):
    """Would have caught the dashboard's "Recent actions" box over the funnel card, and the
    connections list clipped at "LAST REFRE…". Each page is also checked with axe-core."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, url in _pages(live_server, team, console.session).items():
        console.goto(url)
        if name not in AXE_EXEMPT:
            problems += [f"{name}: {v}" for v in axe_violations(console)]
        for scheme in SCHEMES:
            console.emulate_media(color_scheme=scheme)
            for width in WIDTHS:
                console.set_viewport_size({"width": width, "height": 900})
                problems += [f"{name} {width}px {scheme}: {p}" for p in layout_problems(console)]
                shot = SCREENSHOTS / f"console-{name}-{width}-{scheme}.png"
                console.screenshot(path=shot, full_page=True)
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_tells_the_truth(console, live_server):
    console.goto(f"{live_server.url}/admin/?window=24h")
    funnel = console.locator("section", has=console.locator("#funnel-title"))
    opened, submitted, connected, pending, failed, conversion = (
        funnel.locator("tr", has_text="FreeStyle Libre").locator("td").all_inner_texts()
    )
    assert (opened, submitted, connected, failed) == ("4", "4", "1", "1")
    assert pending == "2 1 overdue" and conversion.strip() == "25%"
    assert "FreeStyle Libre: 1 connection pending for more than 7 days" in funnel.inner_text()

    queue = console.locator("section", has=console.locator("#queue-title"))
    cells = queue.locator("tr", has_text="webhook_deliver").locator("td").all_inner_texts()
    assert [c.replace("\xa0", " ") for c in cells] == ["2", "0", "0", "10 minutes ago", "0"]
    alert = queue.locator(".console-alert").inner_text().replace("\xa0", " ")
    assert alert.startswith("webhook_deliver: a task has been due for 10 minutes")

    assert funnel.locator("tr", has_text="Oura").locator("td").first.inner_text() == "8"
    console.click("text=Production only")
    funnel = console.locator("section", has=console.locator("#funnel-title"))
    assert funnel.locator("tbody th").all_inner_texts() == ["Oura"]
    assert funnel.locator("tbody td").first.inner_text() == "2"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_lists_and_pages_say_what_they_hold(console, live_server, team):
    admin = f"{live_server.url}/admin"
    console.goto(f"{admin}/teams/team/{team.pk}/change/")
    assert "(LINK_<VENDOR>_CLIENT_ID/_SECRET)" in console.inner_text("body")

    console.goto(f"{admin}/django_tasks_database/dbtaskresult/?state=scheduled")
    rows = console.locator("#result_list tbody tr")
    assert rows.count() == 2
    for row in rows.all_inner_texts():
        assert "connection_due_task" in row and "Scheduled" in row and "Ready" not in row
    assert "RUN AFTER" in console.inner_text("#result_list thead").upper()

    console.goto(f"{admin}/link/linktoken/?team__environment__exact=production")
    teams = console.locator("#result_list td.field-team").all_inner_texts()
    assert teams and set(teams) == {"Other Co (production)"}

    console.goto(f"{admin}/link/linktoken/{console.session.pk}/change/")
    timeline = console.locator(".console-timeline__event")
    assert timeline.count() == 7
    assert "provider_credential_error" in timeline.last.inner_text()
