"""The whole widget in Debian's Chromium: full page, popup and iframe, without JavaScript, and
framed by another site with third-party cookies blocked. Each step is checked with axe-core (light
and dark) and screenshotted; the tests assert what the customer receives."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from connections.models import Connection
from teams.models import EndUser, Team
from teams.services import api_key_create

from .browser import BLOCK_THIRD_PARTY_COOKIES, check_step, launch_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def chromium(playwright):
    browser = playwright.chromium.launch(**launch_options())
    yield browser
    browser.close()


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


def _pick(page, provider_name: str, search: str) -> None:
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("Search providers").fill(search)
    expect(page.locator(".provider")).to_have_count(1)
    page.get_by_role("link", name=provider_name).click()


def test_full_page_password_with_mfa(page, demo):
    page.goto(demo)
    page.get_by_role("link", name="Connect (full page)").click()
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
    check_step(page, "4-mfa")
    page.get_by_label("Verification code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("verification code")
    check_step(page, "5-mfa-error")
    page.get_by_label("Verification code").fill("123456")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/demo/?**")
    assert page.locator("[data-param=state]").inner_text() == "success"
    assert page.locator("[data-param=provider]").inner_text() == "zwift"
    assert _connected("zwift").status == "connected"


def test_popup_oauth(page, demo):
    page.goto(demo)
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Connect (popup)").click()
    popup = opened.value
    _pick(popup, "Strava", "strava")
    expect(popup.get_by_role("heading", level=1)).to_have_text("Connect Strava")
    check_step(popup, "6-oauth")
    popup.get_by_role("link", name="Continue to Strava").click()
    _consent(popup)
    expect(popup.get_by_role("heading", level=1)).to_have_text("Strava is connected")
    check_step(popup, "7-oauth-done")
    success = page.locator("[data-callback=onSuccess]")
    expect(success).to_contain_text('"provider":"strava"')
    expect(page.locator("[data-callback=onLoad]")).to_have_count(1)
    # The click closes its own window; dispatch it rather than wait on a page that goes away.
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Close window").dispatch_event("click")
    expect(page.locator("[data-callback=onExit]")).to_have_count(0)
    assert _connected("strava").status == "connected"


def test_iframe_oauth_opens_a_popup_and_close_exits(page, demo):
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
    _consent(vendor)
    vendor.wait_for_event("close")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Oura is connected")
    expect(page.locator("[data-callback=onSuccess]")).to_contain_text('"provider":"oura"')
    frame.get_by_role("button", name="Done").click()
    expect(page.locator("iframe")).to_have_count(0)
    assert _connected("oura").status == "connected"


def test_iframe_close_is_user_cancelled(page, demo):
    page.goto(demo)
    page.get_by_role("button", name="Connect (iframe)").click()
    page.frame_locator("iframe").get_by_role("button", name="Close").click()
    expect(page.locator("[data-callback=onExit]")).to_contain_text("user_cancelled")
    expect(page.locator("iframe")).to_have_count(0)


def test_without_javascript(chromium, demo):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo)
    page.get_by_role("link", name="Connect (full page)").click()
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


class _CustomerSite(BaseHTTPRequestHandler):
    """Another site (127.0.0.2) embedding the widget with the embed script."""

    widget = ""

    def do_GET(self):
        token = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
        if not token:
            self.send_error(404)
            return
        body = f"""<!doctype html><html lang="en"><title>Customer</title>
<script src="{self.widget}/initialize.js"></script>
<script>window.events = [];
const link = Link.create({{token: {json.dumps(token)},
  onSuccess: m => events.push(["success", m]), onExit: m => events.push(["exit", m]),
  onLoad: () => events.push(["load"])}});
link.open();</script>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def customer_site(sandbox):
    _CustomerSite.widget = sandbox.url
    server = ThreadingHTTPServer(("127.0.0.2", 0), _CustomerSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.2:{server.server_port}"
    server.shutdown()


def test_third_party_iframe_with_cookies_blocked(playwright, tmp_path, customer_site, demo):
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps(BLOCK_THIRD_PARTY_COOKIES))
    context = playwright.chromium.launch_persistent_context(str(profile), **launch_options())
    team = Team.objects.get(name="Demo")
    user = EndUser.objects.create(team=team, client_user_id="framed")
    from link.services import link_token_create

    token, _ = link_token_create(team=team, user_id=user.pk)
    page = context.new_page()
    page.goto(f"{customer_site}/?token={token}")
    frame = page.frame_locator("iframe")
    frame.get_by_role("link", name="Continue").click()
    frame.get_by_role("link", name="Dexcom Share").click()
    frame.get_by_label("Username or email").fill("user_good")
    frame.get_by_label("Password", exact=True).fill("pass_good")
    frame.get_by_role("button", name="Connect").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Dexcom Share is connected")
    page.wait_for_function("window.events.some(e => e[0] === 'success')")
    events = page.evaluate("window.events")
    assert ["load"] in events
    assert ["success", {"state": "success", "provider": "dexcom"}] in events
    assert context.cookies() == [] or all(c["domain"] != "127.0.0.1" for c in context.cookies())
    assert Connection.objects.get(user=user, provider="dexcom").status == "connected"
    context.close()


# Every flow in every mode: the customer hears the outcome the way that mode reports it.
MODES = ("full page", "popup", "iframe")


def _open(page, demo, mode):
    """Start the demo's Connect in `mode`; returns where the widget runs."""
    page.goto(demo)
    if mode == "popup":
        with page.expect_popup() as opened:
            page.get_by_role("button", name="Connect (popup)").click()
        return opened.value
    if mode == "iframe":
        page.get_by_role("button", name="Connect (iframe)").click()
        return page.frame_locator("iframe")
    page.get_by_role("link", name="Connect (full page)").click()
    return page


def _customer_received(page, mode, *, state, provider) -> None:
    if mode == "full page":
        page.wait_for_url("**/demo/?**")
        assert page.locator("[data-param=state]").inner_text() == state
        assert page.locator("[data-param=provider]").inner_text() == provider
    else:
        success = page.locator("[data-callback=onSuccess]")
        expect(success).to_contain_text(f'"provider":"{provider}"')
        expect(success).to_contain_text(f'"state":"{state}"')


@pytest.mark.parametrize("mode", MODES)
def test_password_with_mfa_in_every_mode(page, demo, mode):
    widget = _open(page, demo, mode)
    _pick(widget, "Zwift", "zwift")
    widget.get_by_label("Username or email").fill("user_mfa")
    widget.get_by_label("Password", exact=True).fill("pass_good")
    widget.get_by_role("button", name="Connect").click()
    widget.get_by_label("Verification code").fill("123456")
    widget.get_by_role("button", name="Verify").click()
    _customer_received(page, mode, state="success", provider="zwift")
    assert _connected("zwift").status == "connected"


@pytest.mark.parametrize("mode", MODES)
def test_email_in_every_mode(page, demo, mode):
    widget = _open(page, demo, mode)
    _pick(widget, "FreeStyle Libre", "libre")
    widget.get_by_label("Email").fill("patient@example.com")
    widget.get_by_label("Region").select_option("eu")
    if mode == "popup":
        check_step(widget, "9-email")
    widget.get_by_role("button", name="Connect").click()
    if mode == "popup":
        expect(widget.get_by_role("heading", level=1)).to_contain_text("Almost done")
        check_step(widget, "10-email-pending")
    _customer_received(page, mode, state="pending", provider="freestyle_libre")
    connection = _connected("freestyle_libre")
    assert (connection.status, connection.external_user_id) == ("pending", "patient@example.com")


@pytest.mark.parametrize("mode", MODES)
def test_oauth_in_every_mode(page, demo, mode):
    widget = _open(page, demo, mode)
    _pick(widget, "Withings", "withings")
    start = widget.get_by_role("link", name="Continue to Withings")
    if mode == "iframe":  # vendors refuse to be framed: the sign-in runs in a popup
        with page.expect_popup() as opened:
            start.click()
        vendor = opened.value
        _consent(vendor)
        vendor.wait_for_event("close")
    else:
        start.click()
        _consent(widget)
    _customer_received(page, mode, state="success", provider="withings")
    assert _connected("withings").status == "connected"


def test_a_denied_sign_in_explains_itself_and_says_what_next(page, demo):
    widget = _open(page, demo, "popup")
    _pick(widget, "Withings", "withings")
    widget.get_by_role("link", name="Continue to Withings").click()
    _consent(widget, decision="Deny")
    expect(widget.get_by_role("heading", level=1)).to_have_text("Connection cancelled")
    check_step(widget, "11-oauth-cancelled")
    error = page.locator("[data-callback=onError]")
    expect(error).to_contain_text('"error_type":"user_cancelled"')
    expect(widget.get_by_text("try again from the app")).to_be_visible()
    assert not Connection.objects.filter(provider="withings").exists()
