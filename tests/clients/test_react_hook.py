"""Vital's React hook, npm `@tryvital/vital-link` 0.1.7 unedited, in a customer's React app
bundled by esbuild with the one setting README "Clients" gives (tests/clients/hook/build.js),
served from another site (127.0.0.2) to a Chromium that blocks third-party cookies: the hook
loads Link's /initialize.js instead of Vital's, opens the widget, and passes on the callbacks with
the README's metadata, one argument each."""

import contextlib
import functools
import os
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from connections.models import Connection
from link.models import LinkToken
from tests.clients.installs import HERE, npm_modules
from tests.widget.browser import blocking_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INDEX = """<!doctype html><html lang="en"><title>Customer app</title>
<div id="root"></div><script src="app.js"></script>"""


@pytest.fixture(scope="module")
def app_folder(live_server, tmp_path_factory) -> Path:
    """The customer's app (tests/clients/hook/app.jsx) built for Link on the live server."""
    folder = tmp_path_factory.mktemp("customer-app")
    built = subprocess.run(
        ["node", HERE / "hook" / "build.js", live_server.url, folder / "app.js"],
        env={"PATH": os.environ["PATH"], "NODE_PATH": str(npm_modules("hook"))},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    (folder / "index.html").write_text(INDEX)
    return folder


class StaticFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(app_folder):
    server = ThreadingHTTPServer(
        ("127.0.0.2", 0), functools.partial(StaticFiles, directory=app_folder)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.2:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def token(team, site, new_link_token) -> str:
    """A link token minted for the customer, whose site is registered with its team."""
    team.allowed_redirect_urls = [f"{site}/"]
    team.save()
    return new_link_token()


@pytest.fixture
def browser(playwright, tmp_path):
    with contextlib.closing(blocking_context(playwright, tmp_path / "profile")) as context:
        yield context


class App:
    """The customer's app in a tab, with the widget open: every URL the tab requested, and the
    hook's callbacks as the app recorded them ([name, *arguments])."""

    def __init__(self, browser, site: str, token: str):
        self.requested = []
        self.page = browser.new_page()
        self.page.on("request", lambda request: self.requested.append(request.url))
        self.page.goto(f"{site}/?token={token}")
        connect = self.page.get_by_role("button", name="Connect")
        expect(connect).to_be_enabled()  # the hook is `ready`: it loaded a script with Vital
        connect.click()
        self.widget = self.page.frame_locator("iframe")
        assert self.wait_for("onLoad") == []  # the hook calls its onLoad without arguments

    @property
    def events(self) -> list:
        return self.page.evaluate("window.events")

    def calls(self, name: str) -> list[list]:
        return [event[1:] for event in self.events if event[0] == name]

    def wait_for(self, name: str) -> list:
        self.page.wait_for_function(f"window.events.some(e => e[0] === '{name}')")
        return self.calls(name)[0]

    def leave(self) -> None:
        """The app calls the hook's exit(options, callback), which waits for onExit."""
        self.page.get_by_role("button", name="Leave").click()
        self.wait_for("exited")


def test_the_hook_connects_a_password_vendor(browser, site, token, live_user, live_server):
    app = App(browser, site, token)
    assert f"{live_server.url}/initialize.js" in app.requested
    assert not [url for url in app.requested if "tryvital.io" in url], app.requested
    app.widget.get_by_role("link", name="Continue").click()
    app.widget.get_by_role("link", name="Zwift").click()
    app.widget.get_by_label("Username or email").fill("user_good")
    app.widget.get_by_label("Password", exact=True).fill("pass_good")
    app.widget.get_by_role("button", name="Connect").click()

    session = {"link_session_id": str(LinkToken.objects.get().pk), "provider": "zwift"}
    assert app.wait_for("onSuccess") == [{**session, "state": "success"}]
    assert Connection.objects.get(user=live_user, provider="zwift").status == "connected"
    app.widget.get_by_role("button", name="Done").click()
    expect(app.page.locator("iframe")).to_have_count(0)
    assert app.calls("onExit") == []  # closed after a success: a handoff, as in Plaid's Link

    app.leave()  # the hook still counts the widget open, so its exit waits for onExit
    assert app.calls("onExit") == [[{**session, "state": "success"}]]
    assert app.calls("onSuccess") == [[{**session, "state": "success"}]]
    assert app.calls("onError") == []


def test_closing_the_widget_is_the_hooks_onexit(browser, site, token):
    app = App(browser, site, token)
    expect(app.widget.get_by_role("heading", level=1)).to_contain_text("uses Link")
    app.widget.get_by_role("button", name="Close").click()

    [metadata] = app.wait_for("onExit")
    assert metadata["link_session_id"] == str(LinkToken.objects.get().pk)
    assert (metadata["state"], metadata["error_type"], metadata["provider"]) == (
        "error",
        "user_cancelled",
        None,
    )
    expect(app.page.locator("iframe")).to_have_count(0)
    app.leave()  # the hook knows the widget closed: its exit answers at once
    assert len(app.calls("onExit")) == 1
    assert app.calls("onSuccess") == app.calls("onError") == []
