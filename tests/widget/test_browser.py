"""The demo customer app (/demo/) in Debian's Chromium: full page, popup and iframe, and
without JavaScript. Each step is checked with axe-core (light and dark) and screenshotted (the
README's pictures). The widget on a customer's own site, every mode by every kind of vendor, is
test_customer_site.py's."""

import pytest
from playwright.sync_api import expect

from connections.models import Connection
from teams.models import Team
from teams.services import api_key_create

from .browser import check_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 800})
    yield context.new_page()
    context.close()


@pytest.fixture
def demo(sandbox):
    """The demo customer app's team and its page's URL."""
    team = Team.objects.create(name="Demo", environment="sandbox")
    api_key_create(team=team)
    return f"{sandbox.url}/demo/"


def _connected(provider: str) -> Connection:
    return Connection.objects.get(user__team__name="Demo", provider=provider)


def _consent(page, *, decision="Allow") -> None:
    page.get_by_role("button", name=decision).click()


def _consent_in_popup(vendor, *, decision="Allow") -> None:
    """Answer in the vendor's own window, which then closes itself. The wait for its closing
    starts before the click: on a busy machine the window can close before the click returns."""
    with vendor.expect_event("close"):
        _consent(vendor, decision=decision)


def _open_popup(page, demo):
    page.goto(demo)
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Connect (popup)").click()
    return opened.value


def _pick(page, provider_name: str, search: str) -> None:
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("Search providers").fill(search)
    expect(page.locator(".provider")).to_have_count(1)
    page.get_by_role("link", name=provider_name).click()


def test_full_page_password_with_mfa(page, demo):
    page.goto(demo)
    page.get_by_role("button", name="Connect (full page)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("uses Link")
    check_step(page, "1-agreement")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a provider")
    check_step(page, "2-providers")
    page.get_by_label("Search providers").fill("zwi")
    expect(page.locator(".provider")).to_have_count(1)
    page.get_by_role("link", name="Zwift").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Zwift")
    check_step(page, "3-password")
    page.get_by_label("Username or email").fill("user_mfa")
    page.get_by_label("Password", exact=True).fill("pass_good")
    page.get_by_role("button", name="Show password").click()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "text")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your verification code")
    # Zwift's hint describes the code ("authenticator app"); it is not where a code was sent.
    expect(page.locator("#panel p.muted")).to_have_text(
        "Zwift asks for a verification code: “authenticator app”."
    )
    check_step(page, "4-mfa")
    page.get_by_label("Verification code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("Check it and enter it again")
    check_step(page, "5-mfa-error")
    page.get_by_label("Verification code").fill("123456")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/demo/?**")
    assert page.locator("[data-param=state]").inner_text() == "success"
    assert page.locator("[data-param=provider]").inner_text() == "zwift"
    # The demo app shows the connection it just made.
    expect(page.locator("[data-connection=zwift]")).to_have_text("zwift: connected")
    assert _connected("zwift").status == "connected"


def test_popup_oauth(page, demo):
    popup = _open_popup(page, demo)
    _pick(popup, "Strava", "strava")
    expect(popup.get_by_role("heading", level=1)).to_have_text("Connect Strava")
    check_step(popup, "6-oauth")
    with popup.expect_popup() as vendor_opened:  # the vendor gets a window of its own
        popup.get_by_role("link", name="Continue to Strava").click()
    vendor = vendor_opened.value
    _consent_in_popup(vendor)
    expect(popup.get_by_role("heading", level=1)).to_have_text("Strava is connected")
    check_step(popup, "7-oauth-done")
    success = page.locator("[data-callback=onSuccess]")
    expect(success).to_contain_text('"provider":"strava"')
    expect(page.locator("[data-callback=onLoad]")).to_have_count(1)
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Done").click()
    expect(page.locator("[data-callback=onExit]")).to_have_count(0)
    assert _connected("strava").status == "connected"


def test_iframe_oauth_waits_for_its_window(page, demo):
    page.goto(demo)
    page.get_by_role("button", name="Connect (iframe)").click()
    frame = page.frame_locator("iframe")
    frame.get_by_role("link", name="Continue").click()
    frame.get_by_role("link", name="Oura").click()
    with page.expect_popup() as opened:
        frame.get_by_role("link", name="Continue to Oura").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Finish signing in to Oura")
    check_step(page, "8-oauth-waiting", frame=page.frames[1])
    vendor = opened.value
    _consent_in_popup(vendor)
    expect(frame.get_by_role("heading", level=1)).to_have_text("Oura is connected")
    expect(page.locator("[data-callback=onSuccess]")).to_contain_text('"provider":"oura"')
    frame.get_by_role("button", name="Done").click()
    expect(page.locator("iframe")).to_have_count(0)
    assert _connected("oura").status == "connected"


def test_without_javascript(chromium, demo):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo)
    expect(page.get_by_role("button", name="Connect (popup)")).to_be_hidden()
    page.get_by_role("button", name="Connect (full page)").click()
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("Search providers").fill("withings")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".provider")).to_have_count(1)
    page.get_by_role("link", name="Withings").click()
    page.get_by_role("link", name="Continue to Withings").click()
    _consent(page, decision="Deny")
    page.wait_for_url("**/demo/?**")
    assert page.locator("[data-param=error_type]").inner_text() == "user_cancelled"
    assert not Connection.objects.filter(provider="withings").exists()
    context.close()


def test_a_search_typed_while_the_page_still_loads_is_run(page, live_server, link_token):
    """Text typed before htmx has taken the search field over (its script is held back here)
    is searched once it has, not lost with the input events nobody listened to."""
    held = []
    page.route("**/vendor/htmx-*.js", lambda route: held.append(route))
    page.goto(f"{live_server.url}/link/providers?token={link_token}", wait_until="commit")
    page.get_by_label("Search providers").fill("strava")
    expect(page.locator(".provider")).not_to_have_count(1)  # nothing has searched yet
    held.pop().continue_()
    expect(page.locator(".provider")).to_have_count(1)
    expect(page.get_by_role("link", name="Strava")).to_be_visible()


def test_a_search_typed_before_a_swapped_in_field_settles_is_run(page, live_server, link_token):
    """The same in the moment between htmx swapping the provider list in and settling it
    (htmx binds the new field only then; that moment is stretched here)."""
    page.goto(f"{live_server.url}/?token={link_token}")
    page.wait_for_function("window.htmx")
    page.evaluate("htmx.config.defaultSettleDelay = 1500")
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("Search providers").fill("strava")
    expect(page.locator(".provider")).not_to_have_count(1)
    expect(page.locator(".provider")).to_have_count(1)


def test_email_says_what_is_left(page, demo):
    widget = _open_popup(page, demo)
    _pick(widget, "FreeStyle Libre", "libre")
    # The form says what the result page says: a step is left in LibreView, no email comes.
    expect(widget.locator("#panel p.muted")).to_contain_text("in LibreView under My practices")
    widget.get_by_label("Email").fill("patient@example.com")
    widget.get_by_label("Region").select_option("eu")
    check_step(widget, "9-email")
    widget.get_by_role("button", name="Connect").click()
    expect(widget.get_by_role("heading", level=1)).to_contain_text("Almost done")
    expect(widget.locator("#panel")).to_contain_text("in LibreView under My practices")
    check_step(widget, "10-email-pending")
    expect(page.locator("[data-callback=onSuccess]")).to_contain_text('"state":"pending"')
    assert _connected("freestyle_libre").status == "pending"


def test_a_denied_sign_in_explains_itself_and_offers_a_retry(page, demo):
    widget = _open_popup(page, demo)
    _pick(widget, "Withings", "withings")
    with widget.expect_popup() as vendor_opened:
        widget.get_by_role("link", name="Continue to Withings").click()
    vendor = vendor_opened.value
    _consent_in_popup(vendor, decision="Deny")
    expect(widget.get_by_role("heading", level=1)).to_have_text("Connection cancelled")
    check_step(widget, "11-oauth-cancelled")
    error = page.locator("[data-callback=onError]")
    expect(error).to_contain_text('"error_type":"user_cancelled"')
    expect(widget.get_by_role("link", name="Try again")).to_be_visible()
    assert not Connection.objects.filter(provider="withings").exists()
