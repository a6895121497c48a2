"""Issue 16 item 7: an OAuth sign-in started through the API is bound to one browser. The
attack: an end user takes their own link token, asks the API for an `oauth_url` and sends it to
someone else, whose consent would connect that person's account to the attacker's user. The
`oauth_url` is our start page: it names the app that asks before the vendor, binds the first
browser that goes on from it (a second is refused), and a state no browser was bound to that
way finishes nowhere."""

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from connections.models import Connection
from link.models import OAuthState
from providers.registry import provider_adapter
from teams.services import secret_hash
from tests.sandbox import CSRF, Browser, consent, press_continue
from tests.widget.browser import check_step

from .conftest import at_once

pytestmark = pytest.mark.django_db(transaction=True)

OTHER_BROWSER = "already opened in another browser"


def _oauth_url(sandbox, token: str, provider: str = "strava") -> str:
    answer = requests.get(
        f"{sandbox.url}/v2/link/provider/oauth/{provider}",
        headers={"x-vital-link-token": token},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["oauth_url"]


def _continue(browser: Browser, url: str, csrf: str) -> requests.Response:
    return press_continue(browser, url, csrf, allow_redirects=False)


def _bound(url: str) -> bool:
    state = parse_qs(urlsplit(url).query)["state"][0]
    return bool(OAuthState.objects.get(state_hash=secret_hash(state)).secrets["browser"])


def _connected(user) -> bool:
    return Connection.objects.filter(user=user).exists()


def test_the_apis_oauth_url_names_the_app_before_the_vendor(sandbox, new_link_token):
    url = _oauth_url(sandbox, new_link_token())
    page = Browser().get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Acme Health asks to connect your Strava account" in text
    assert "/sandbox/" not in text  # the vendor's sign-in (and its state) only after Continue
    assert page.headers["X-Frame-Options"] == "DENY"  # no clickjacking the Continue button
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "no-store" in page.headers["Cache-Control"]
    assert not _bound(url)  # looking binds nothing: a link preview cannot spend it


def test_a_second_browser_is_refused(sandbox, new_link_token, live_user):
    url = _oauth_url(sandbox, new_link_token())
    first, second = Browser(), Browser()
    second_csrf = CSRF.search(second.get(url, timeout=10).text).group(1)
    callback = consent(url, browser=first)  # the first browser goes on, and consents
    looked = second.get(url, timeout=10)
    assert OTHER_BROWSER in looked.text and not CSRF.search(looked.text)
    pressed = _continue(second, url, second_csrf)
    assert pressed.status_code == 200 and OTHER_BROWSER in pressed.text  # not off to the vendor
    # The first browser's way back, opened in the second: refused, and the state not spent.
    assert "invalid_token" in second.get(callback, timeout=30).text
    assert not _connected(live_user)
    assert "is connected" in first.get(callback, timeout=30).text
    # The bound browser may still look at the page; it shows the sign-in is no longer open.
    assert "already used" in first.get(url, timeout=10).text


def test_a_state_never_opened_from_the_start_page_finishes_nowhere(
    sandbox, new_link_token, live_user, team
):
    """The attacker skips our page: from the state in the oauth_url and public facts (Strava
    uses no PKCE) they build the vendor's sign-in URL and send that; the victim consents."""
    state = parse_qs(urlsplit(_oauth_url(sandbox, new_link_token())).query)["state"][0]
    adapter = provider_adapter("strava", team=team)
    vendor_url = adapter.authorization_url(state=state, code_challenge=None, region=None)
    victim = Browser()
    answer = victim.get(consent(vendor_url, browser=victim), timeout=30)
    assert answer.status_code == 200 and "invalid_token" in answer.text
    assert not _connected(live_user)


def test_only_one_of_many_browsers_at_once_goes_on(sandbox, new_link_token):
    url = _oauth_url(sandbox, new_link_token())
    browsers = [Browser() for _ in range(6)]
    forms = [CSRF.search(b.get(url, timeout=10).text).group(1) for b in browsers]
    answers = at_once(
        *[
            lambda b=b, csrf=csrf: _continue(b, url, csrf)
            for b, csrf in zip(browsers, forms, strict=True)
        ]
    )
    went_on = [a for a in answers if a.status_code == 302]
    assert len(went_on) == 1, [a.status_code for a in answers]
    assert "/sandbox/www.strava.com/" in went_on[0].headers["Location"]
    refused = [a for a in answers if a.status_code != 302]
    assert all(a.status_code == 200 and OTHER_BROWSER in a.text for a in refused)


def test_continue_without_the_pages_csrf_token_binds_nothing(sandbox, new_link_token):
    """A form on another site that posts to the start page (the browser carries no CSRF token
    of ours): refused, so a click on our page is always needed."""
    url = _oauth_url(sandbox, new_link_token())
    forged = Browser().post(url, data={}, allow_redirects=False, timeout=10)
    assert forged.status_code == 403
    assert not _bound(url)


def test_unknown_or_spent_states_are_refused(sandbox, new_link_token):
    url = _oauth_url(sandbox, new_link_token())
    forged = url.replace("state=", "state=x")
    other_provider = url.replace("/strava/open", "/fitbit/open")
    for page in (forged, other_provider, f"{url.split('?')[0]}?{urlencode({'state': ''})}"):
        answer = Browser().get(page, timeout=10)
        assert answer.status_code == 200 and "t work" in html.unescape(answer.text), page


# -- in a real browser (Debian's Chromium), with an attacker's page on another site ------------


class _AttackerSite(BaseHTTPRequestHandler):
    """The attacker's page on another site (127.0.0.2), serving `page`."""

    page = ""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.page.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def attacker_site():
    """Serve a page from another site; yields a function that sets it and returns its URL."""
    server = ThreadingHTTPServer(("127.0.0.2", 0), _AttackerSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def serve(page: str) -> str:
        _AttackerSite.page = page
        return f"http://127.0.0.2:{server.server_port}/"

    yield serve
    server.shutdown()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 800})
    yield context.new_page()
    context.close()


def _heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


@pytest.mark.browser
def test_in_a_browser_the_start_page_then_the_vendor(page, sandbox, new_link_token, live_user):
    """The way it is meant to be used: the app opens the oauth_url in a browser."""
    page.goto(_oauth_url(sandbox, new_link_token()))
    assert _heading(page) == "Acme Health asks to connect your Strava account"
    check_step(page, "oauth-start-page")
    page.get_by_role("button", name="Continue to Strava").click()
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strava is connected")
    assert _connected(live_user)


@pytest.mark.browser
def test_another_site_cannot_press_continue_for_the_victim(
    page, sandbox, new_link_token, live_user, attacker_site
):
    """The attacker's page posts the start page's form itself, for a victim whose browser has
    seen our pages before (it holds our CSRF cookie): no click on our page, no sign-in."""
    url = _oauth_url(sandbox, new_link_token())
    page.goto(url)  # our CSRF cookie, in the victim's browser
    forged = attacker_site(
        f'<form method="post" action="{html.escape(url)}"></form>'
        "<script>document.forms[0].submit()</script>"
    )
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.goto(forged)
    assert posted.value.status == 403
    page.wait_for_load_state()
    assert "/sandbox/" not in page.url and not _bound(url)


@pytest.mark.browser
def test_the_widgets_oauth_step_from_elsewhere_goes_through_the_start_page(
    page, sandbox, new_link_token, attacker_site
):
    """The widget's own OAuth step, which sends its browser straight to the vendor, is where
    `GET /v2/link/providers`' oauth_url points, and the attacker knows their own link token:
    reached from another site (a link) or from outside the browser (typed, or opened by an
    app), it shows the start page first."""
    token = new_link_token()
    listed = requests.get(
        f"{sandbox.url}/v2/link/providers",
        headers={"x-vital-link-token": token},
        timeout=10,
    ).json()
    [oauth_url] = [p["oauth_url"] for p in listed if p["slug"] == "strava"]
    page.goto(attacker_site(f'<a href="{html.escape(oauth_url)}">Free gift</a>'))
    page.get_by_role("link", name="Free gift").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Acme Health asks to connect your Strava account"
    )
    assert "/v2/link/connect/strava/open?state=" in page.url
    page.goto(oauth_url)
    assert "/v2/link/connect/strava/open?state=" in page.url
