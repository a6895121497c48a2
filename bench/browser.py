"""The widget in headless Chromium (Debian's, through Playwright): what each step weighs as the
browser loads it, and a full connect per auth type, from opening link_web_url to the customer's
redirect_url receiving the outcome. Sizes come from the DevTools protocol: bytes on the wire
(compressed, with headers) and decoded bodies."""

import time
from functools import partial

from playwright.sync_api import sync_playwright
from widget import CONNECT_NAMES

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


class Traffic:
    """Every network request of a page, as DevTools reports it."""

    def __init__(self, context, page):
        self.requests: dict[str, dict] = {}
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)

    def _entry(self, request_id: str) -> dict:
        return self.requests.setdefault(request_id, {"wire": 0, "body": 0, "cached": False})

    def _response(self, event):
        response = event["response"]
        entry = self._entry(event["requestId"])
        entry.update(
            url=response["url"],
            type=event["type"],
            headers={k.lower(): v for k, v in response["headers"].items()},
            cached=response.get("fromDiskCache") or response.get("fromPrefetchCache") or False,
        )

    def _data(self, event):
        self._entry(event["requestId"])["body"] += event["dataLength"]

    def _finished(self, event):
        self._entry(event["requestId"])["wire"] = event["encodedDataLength"]

    def during(self, action) -> dict:
        """Requests that went to the network while `action` ran, and their sizes."""
        self.requests.clear()
        action()
        fetched = [
            r for r in self.requests.values() if "url" in r and r["wire"] and not r["cached"]
        ]
        return {
            "requests": len(fetched),
            "wire": sum(r["wire"] for r in fetched),
            "body": sum(r["body"] for r in fetched),
            "js": sum(r["wire"] for r in fetched if r["type"] == "Script"),
            "static": [r for r in fetched if "/static/" in r["url"]],
        }


def _walk_to_password_form(page, provider_name: str):
    """Each step, the click that leads to it, and what shows once it has (images included)."""
    yield "agreement", None, page.get_by_role("link", name="Continue")
    yield "provider list", page.get_by_role("link", name="Continue"), page.get_by_role("search")
    yield (
        "password form",
        page.get_by_role("link", name=provider_name),
        page.get_by_label("Username or email"),
    )


def _click_and_settle(page, link, shown) -> None:
    if link is not None:
        link.click()
    shown.wait_for()
    page.wait_for_function("[...document.images].every(image => image.complete)")
    page.wait_for_load_state("networkidle")


def weigh(link_web_url: str) -> tuple[list[dict], list[dict]]:
    """Each step loaded as a first page (cold cache), again (warm cache), and reached by
    clicking through from the step before (htmx); and the static files served on the way."""
    rows, static = [], {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = browser.new_context()
            page = context.new_page()
            traffic = Traffic(context, page)
            urls = {}
            page.goto(link_web_url)
            for step, link, shown in _walk_to_password_form(page, "Zwift"):
                clicked = traffic.during(partial(_click_and_settle, page, link, shown))
                urls[step] = page.url
                if step != "agreement":
                    rows.append({"step": step, "load": "clicked through (htmx)", **clicked})
            for step, url in urls.items():
                cold = browser.new_context()
                cold_page = cold.new_page()
                cold_traffic = Traffic(cold, cold_page)
                load = partial(cold_page.goto, url, wait_until="networkidle")
                first, warm = cold_traffic.during(load), cold_traffic.during(load)
                rows += [
                    {"step": step, "load": "first page, cold cache", **first},
                    {"step": step, "load": "again, warm cache", **warm},
                ]
                static.update({r["url"]: r for r in first["static"]})
                cold.close()
        finally:
            browser.close()
    return rows, list(static.values())


def _password(page):
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("link", name="Zwift").click()
    page.get_by_label("Username or email").fill("user_good")
    page.get_by_label("Password", exact=True).fill("pass_good")
    page.get_by_role("button", name="Connect").click()


def _oauth(page):
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("link", name="Strava").click()
    page.get_by_role("link", name="Continue to Strava").click()
    page.get_by_role("button", name="Allow").click()


def _email(page):
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("link", name="FreeStyle Libre").click()
    page.get_by_label("Email").fill("user_good@example.com")
    page.get_by_role("button", name="Connect").click()


CONNECTS = dict(zip(CONNECT_NAMES, (_oauth, _password, _email), strict=True))


def connect(link_web_urls: dict[str, str], redirect_url: str) -> list[dict]:
    """A full connect per auth type, each in a fresh browser context (nothing cached)."""
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for name, steps in CONNECTS.items():
                context = browser.new_context()
                page = context.new_page()
                requests = []
                context.on("request", lambda request, seen=requests: seen.append(request))
                started = time.perf_counter()
                page.goto(link_web_urls[name])
                steps(page)
                page.wait_for_url(f"{redirect_url}?**state=**")
                elapsed = time.perf_counter() - started
                outcome = dict(part.split("=", 1) for part in page.url.split("?", 1)[1].split("&"))
                rows.append(
                    {
                        "connect": name,
                        "ms": elapsed * 1000,
                        "requests": len(requests),
                        "outcome": outcome.get("state"),
                    }
                )
                context.close()
        finally:
            browser.close()
    return rows


def print_tables(weights: list[dict], static: list[dict], connects: list[dict]) -> None:
    print(
        f"\n{'widget step':15} {'loaded':24} {'requests':>8} {'KB wire':>8} {'KB body':>8}  KB JS"
    )
    for w in weights:
        print(
            f"{w['step']:15} {w['load']:24} {w['requests']:>8} {w['wire'] / 1024:>8.1f} "
            f"{w['body'] / 1024:>8.1f}  {w['js'] / 1024:.1f}"
        )
    print(f"\n{'static file':48} {'encoding':9} cache-control")
    for r in static:
        name = r["url"].split("/static/", 1)[1]
        encoding = r["headers"].get("content-encoding", "-")
        print(f"{name:48} {encoding:9} {r['headers'].get('cache-control', '-')}")
    print(f"\n{'full connect (headless Chromium)':34} {'ms':>7} {'requests':>8}  outcome")
    for c in connects:
        print(f"{c['connect']:34} {c['ms']:>7.0f} {c['requests']:>8}  {c['outcome']}")
