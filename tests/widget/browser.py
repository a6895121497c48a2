"""Real-browser helpers: one Chromium per session, axe-core checks and step screenshots."""

import contextlib
import html
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import axe_playwright_python

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Profile preferences that block third-party cookies, as Safari and Chrome's tracking
# protection do.
BLOCK_THIRD_PARTY_COOKIES = {
    "profile": {"block_third_party_cookies": True, "cookie_controls_mode": 1}
}


def axe_violations(page, frame=None) -> list[str]:
    """Serious and critical axe-core violations on the page (or one of its frames), in light
    and in dark."""
    found = []
    target = frame or page
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        if not target.evaluate("typeof axe !== 'undefined'"):
            # Evaluated, not added as a <script>: the widget's CSP refuses inline scripts.
            target.evaluate(AXE.read_text())
        result = target.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found += [
            f"{scheme}: {v['id']} {json.dumps([n['target'] for n in v['nodes']])}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    page.emulate_media(color_scheme="light")
    return found


def check_step(page, name: str, frame=None) -> None:
    """Assert the step is accessible and save it at desktop and 375 px mobile widths."""
    assert axe_violations(page, frame) == [], name
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, width in (("desktop", 1024), ("mobile", 375)):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(size)


def launch_options() -> dict:
    return {"executable_path": CHROMIUM, "args": ARGS, "headless": True}


os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # sync Playwright beside the live server


class CustomerSite(BaseHTTPRequestHandler):
    """A customer's page on another site (127.0.0.2): `/?token=…&mode=iframe|popup` embeds the
    widget with the embed script and records every callback in `window.events`; `/done` is
    the redirect_url a full-page connect returns to, and shows what it received."""

    widget = ""  # the widget's base URL

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/done":
            received = html.escape(json.dumps(query))
            body = f"<!doctype html><title>Done</title><pre id=done>{received}</pre>"
        else:
            body = CUSTOMER_PAGE.format(
                widget=self.widget, config=html.escape(json.dumps(query), quote=False)
            )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


CUSTOMER_PAGE = """<!doctype html><html lang="en"><title>Customer</title>
<script src="{widget}/initialize.js"></script>
<button id="connect">Connect</button>
<script>
const config = {config};
window.events = [];
const record = (name) => (metadata) => events.push([name, metadata]);
window.link = Link.create({{
  mode: config.mode,
  onLoad: record("onLoad"), onSuccess: record("onSuccess"), onError: record("onError"),
  onExit: record("onExit"), onEvent: (name, metadata) => events.push(["onEvent", name, metadata]),
}});
document.getElementById("connect").onclick = () => link.open(config.token);
</script>"""


@contextlib.contextmanager
def customer_site(widget_url: str):
    CustomerSite.widget = widget_url
    server = ThreadingHTTPServer(("127.0.0.2", 0), CustomerSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.2:{server.server_port}"
    finally:
        server.shutdown()


def blocking_context(playwright, profile: Path, **options):
    """A browser whose profile blocks third-party cookies, as Safari and Chrome's tracking
    protection do."""
    (profile / "Default").mkdir(parents=True, exist_ok=True)
    (profile / "Default" / "Preferences").write_text(json.dumps(BLOCK_THIRD_PARTY_COOKIES))
    return playwright.chromium.launch_persistent_context(
        str(profile), viewport={"width": 1024, "height": 800}, **launch_options(), **options
    )
