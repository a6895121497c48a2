"""Real-browser helpers: one Chromium per session, axe-core checks and step screenshots."""

import json
import os
from pathlib import Path

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
            target.add_script_tag(path=str(AXE))
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
