"""The widget on a customer's own site, as a customer ships it: a page on another site
(127.0.0.2) embeds it with the embed script, in a browser that blocks third-party cookies.
Every mode (full page, popup, iframe) by every kind of vendor (password, password with MFA,
FreeStyle Libre by email, OAuth), asserting the callbacks the page gets (the README's callback
table), that an embedded widget never navigates to redirect_url, and what the database holds.
Plus a registered custom-scheme redirect_url, an in-app browser, and a token that expires
mid-flow."""

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from connections.models import Connection
from link.models import LinkToken
from link.services import link_web_url

from .browser import blocking_context, customer_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MODES = ("full page", "popup", "iframe")
KINDS = ("password", "mfa", "email", "oauth")
APP_SCHEME = "myapp://link/done"
# The onEvent names of the README's callback table.
EVENT_NAMES = {
    "OPEN",
    "TRANSITION_VIEW",
    "SELECT_PROVIDER",
    "SUBMIT_CREDENTIALS",
    "SUBMIT_MFA",
    "OPEN_OAUTH",
    "WEBVIEW_DETECTED",
    "ERROR",
    "EXIT",
    "HANDOFF",
}


@pytest.fixture
def site(sandbox):
    with customer_site(sandbox.url) as url:
        yield url


@pytest.fixture
def customer(team, site):
    """The team, with the customer's page and its mobile app registered."""
    team.allowed_redirect_urls = [f"{site}/done", APP_SCHEME]
    team.save()
    return team


@pytest.fixture
def mint(customer, new_link_token):
    """The customer's backend: a link token and its link_web_url, as the API answers them."""

    def make(**fields) -> dict:
        token = new_link_token(**fields)
        return {"link_token": token, "link_web_url": link_web_url(token=token, team=customer)}

    return make


@pytest.fixture
def browser(playwright, tmp_path):
    context = blocking_context(playwright, tmp_path / "profile")
    yield context
    context.close()


class Customer:
    """The customer's page in one mode, where the widget runs, and every URL any of its windows
    visited."""

    def __init__(self, browser, site, minted: dict, mode):
        self.browser, self.site, self.mode = browser, site, mode
        self.visited = []
        browser.on("page", lambda p: p.on("framenavigated", lambda f: self.visited.append(f.url)))
        self.page = browser.new_page()
        self.page.on("framenavigated", lambda f: self.visited.append(f.url))
        if mode == "full page":  # the customer's page sends the user to link_web_url
            self.page.goto(f"{site}/")
            self.page.goto(minted["link_web_url"])
            self.widget = self.page
            return
        self.page.goto(f"{site}/?token={minted['link_token']}&mode={mode}")
        if mode == "popup":
            with self.page.expect_popup() as opened:
                self.page.get_by_role("button", name="Connect").click()
            self.widget = opened.value
        else:
            self.page.get_by_role("button", name="Connect").click()
            self.widget = self.page.frame_locator("iframe")
        self.wait_for("onLoad")  # a person reads the page before clicking on: events flow

    @property
    def events(self) -> list:
        return self.page.evaluate("window.events")

    def callbacks(self, name: str) -> list[dict]:
        return [e[1] for e in self.events if e[0] == name]

    def event_names(self) -> list[str]:
        return [e[1] for e in self.events if e[0] == "onEvent"]

    def wait_for(self, name: str) -> dict:
        self.page.wait_for_function(f"window.events.some(e => e[0] === {json.dumps(name)})")
        return self.callbacks(name)[0]

    def never_left_for(self, url: str) -> None:
        assert not [v for v in self.visited if v.startswith(url)], self.visited


def _pick(widget, name: str, search: str) -> None:
    widget.get_by_role("link", name="Continue").click()
    widget.get_by_label("Search providers").fill(search)
    expect(widget.locator(".provider")).to_have_count(1)
    widget.get_by_role("link", name=name).click()


def _sign_in(widget, username: str, password: str = "pass_good") -> None:  # noqa: S107
    widget.get_by_label("Username or email").fill(username)
    widget.get_by_label("Password", exact=True).fill(password)
    widget.get_by_role("button", name="Connect").click()


def _connect(customer: Customer, kind: str) -> tuple[str, str]:
    """Walk one kind of vendor in the customer's widget; returns (provider, expected state)."""
    widget = customer.widget
    if kind == "password":
        _pick(widget, "Dexcom Share", "dexcom share")  # "dexcom" finds Dexcom API v3 too
        _sign_in(widget, "user_good")
        return "dexcom", "success"
    if kind == "mfa":
        _pick(widget, "Zwift", "zwift")
        _sign_in(widget, "user_mfa")
        widget.get_by_label("Verification code").fill("123456")
        widget.get_by_role("button", name="Verify").click()
        return "zwift", "success"
    if kind == "email":
        _pick(widget, "FreeStyle Libre", "libre")
        widget.get_by_label("Email").fill("patient@example.com")
        widget.get_by_label("Region").select_option("eu")
        widget.get_by_role("button", name="Connect").click()
        return "freestyle_libre", "pending"
    _pick(widget, "Withings", "withings")
    start = widget.get_by_role("link", name="Continue to Withings")
    if customer.mode == "full page":
        start.click()
        customer.page.get_by_role("button", name="Allow").click()
    else:  # embedded: the vendor runs in a window of its own, which closes itself
        with customer.browser.expect_page() as opened:
            start.click()
        vendor = opened.value
        with vendor.expect_event("close"):  # from before the click: it may close at once
            vendor.get_by_role("button", name="Allow").click()
    return "withings", "success"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", MODES)
def test_every_mode_and_vendor_kind(browser, site, mint, live_user, mode, kind):
    minted = mint(redirect_url=f"{site}/done?from=app")  # as the README's SDK example does
    session_id = str(LinkToken.objects.get().pk)
    customer = Customer(browser, site, minted, mode)
    provider, state = _connect(customer, kind)
    status = "pending" if state == "pending" else "connected"
    if mode == "full page":  # one channel: the redirect, with the outcome merged in
        customer.page.wait_for_url(f"{site}/done?**")
        received = parse_qs(urlsplit(customer.page.url).query)
        assert received == {"from": ["app"], "state": [state], "provider": [provider]}
        assert Connection.objects.get(user=live_user, provider=provider).status == status
        return
    # Embedded, one channel: the callbacks; nothing navigates to redirect_url.
    success = customer.wait_for("onSuccess")
    assert success == {"link_session_id": session_id, "state": state, "provider": provider}
    assert Connection.objects.get(user=live_user, provider=provider).status == status
    expect(customer.widget.get_by_role("heading", level=1)).to_contain_text(
        "Almost done" if state == "pending" else "is connected"
    )
    if mode == "iframe":
        customer.widget.get_by_role("button", name="Done").click()
        expect(customer.page.locator("iframe")).to_have_count(0)
    else:
        with customer.widget.expect_event("close"):
            customer.widget.get_by_role("button", name="Done").click()
    customer.page.wait_for_function("window.events.some(e => e[1] === 'HANDOFF')")
    customer.never_left_for(f"{site}/done")
    assert customer.callbacks("onLoad") == [{"link_session_id": session_id, "provider": None}]
    assert len(customer.callbacks("onSuccess")) == 1
    assert customer.callbacks("onExit") == customer.callbacks("onError") == []
    names = customer.event_names()
    assert set(names) <= EVENT_NAMES, names
    expected = {"OPEN", "TRANSITION_VIEW", "SELECT_PROVIDER", "HANDOFF"}
    expected |= {"OPEN_OAUTH"} if kind == "oauth" else {"SUBMIT_CREDENTIALS"}
    expected |= {"SUBMIT_MFA"} if kind == "mfa" else set()
    assert expected <= set(names), names
    views = [e[2]["view_name"] for e in customer.events if e[1:2] == ["TRANSITION_VIEW"]]
    assert views[0] == "AGREEMENT" and "PROVIDERS" in views, views
    assert views[-2:] == ["RESULT", "CLOSED"], views
    for event in customer.events:  # every callback names the session and the provider (or null)
        metadata = event[-1]
        assert metadata["link_session_id"] == session_id and "provider" in metadata, event


def test_an_error_keeps_the_widget_open_for_another_try(browser, site, mint, live_user):
    customer = Customer(browser, site, mint(redirect_url=f"{site}/done"), "iframe")
    _pick(customer.widget, "Zwift", "zwift")
    _sign_in(customer.widget, "user_good", "wrong")
    error = customer.wait_for("onError")
    assert (error["state"], error["error_type"], error["provider"]) == (
        "error",
        "provider_credential_error",
        "zwift",
    )
    assert "ERROR" in customer.event_names()
    _sign_in(customer.widget, "user_good")
    assert customer.wait_for("onSuccess")["provider"] == "zwift"
    assert customer.callbacks("onExit") == []
    customer.never_left_for(f"{site}/done")


@pytest.mark.parametrize("mode", ("popup", "iframe"))
def test_closing_is_user_cancelled(browser, site, mint, mode):
    customer = Customer(browser, site, mint(on_close="redirect", redirect_url=f"{site}/done"), mode)
    expect(customer.widget.get_by_role("heading", level=1)).to_contain_text("uses Link")
    if mode == "popup":  # closed by hand, with the window's own button
        customer.widget.close()
    else:
        customer.widget.get_by_role("button", name="Close").click()
    exit_ = customer.wait_for("onExit")
    assert exit_["error_type"] == "user_cancelled" and exit_["state"] == "error"
    assert exit_["link_session_id"] == str(LinkToken.objects.get().pk)
    customer.never_left_for(f"{site}/done")


def test_a_token_that_expires_mid_flow_can_be_replaced(browser, site, mint, live_user):
    customer = Customer(browser, site, mint(), "iframe")
    _pick(customer.widget, "Zwift", "zwift")
    expect(customer.widget.get_by_role("heading", level=1)).to_have_text("Sign in to Zwift")
    LinkToken.objects.update(expires_at="2000-01-01T00:00:00Z")  # while the form is open
    _sign_in(customer.widget, "user_good")
    exit_ = customer.wait_for("onExit")
    assert exit_["error_type"] == "token_expired" and exit_["provider"] == "zwift"
    expect(customer.page.locator("iframe")).to_have_count(0)
    # What the customer does: mint a new token, open again.
    customer.page.evaluate("token => link.open(token)", mint()["link_token"])
    customer.page.wait_for_function("events.filter(e => e[0] === 'onLoad').length === 2")
    _pick(customer.widget, "Zwift", "zwift")
    _sign_in(customer.widget, "user_good")
    assert customer.wait_for("onSuccess")["provider"] == "zwift"
    assert Connection.objects.get(user=live_user).status == "connected"


def test_a_registered_app_scheme_receives_the_outcome(browser, site, mint, live_user):
    """A mobile app's redirect_url (myapp://…), opened full page as an in-app browser tab
    would: after the connect the browser is sent to the app, with the outcome."""
    customer = Customer(browser, site, mint(redirect_url=APP_SCHEME), "full page")
    _pick(customer.widget, "Zwift", "zwift")
    with customer.page.expect_response(re.compile(r"/link/provider/zwift$")) as answered:
        _sign_in(customer.widget, "user_good")
    assert answered.value.headers["hx-redirect"] == f"{APP_SCHEME}?state=success&provider=zwift"
    assert Connection.objects.get(user=live_user, provider="zwift").status == "connected"


ANDROID_WEBVIEW = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/131.0.0.0 Mobile Safari/537.36"
)


def test_an_in_app_browser_gets_a_way_out_for_oauth(playwright, tmp_path, site, mint):
    browser = blocking_context(playwright, tmp_path / "webview", user_agent=ANDROID_WEBVIEW)
    try:
        customer = Customer(browser, site, mint(), "iframe")
        _pick(customer.widget, "Withings", "withings")
        expect(customer.widget.get_by_role("alert")).to_contain_text("Open this in your browser")
        link = customer.widget.get_by_label("Link to open in your browser")
        assert "/link/provider/withings?token=" in link.input_value()
        assert "embed=" not in link.input_value()
        detected = [e[2] for e in customer.events if e[1:2] == ["WEBVIEW_DETECTED"]]
        assert detected == [
            {
                "link_session_id": str(LinkToken.objects.get().pk),
                "provider": "withings",
                "browser": "android_webview",
            }
        ]
        expect(customer.widget.get_by_role("link", name="Try Withings here anyway")).to_be_visible()
    finally:
        browser.close()


def test_the_readme_table_lists_these_callbacks():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Callbacks", 1)[1].split("\n###", 1)[0]
    names = set(re.findall(r"^\| `(?:onEvent\(\")?([A-Za-z_]+)", section, re.MULTILINE))
    assert names == EVENT_NAMES | {"onLoad", "onSuccess", "onError", "onExit"}
