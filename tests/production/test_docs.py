"""`/docs` works with no internet: Swagger UI comes from our own static files. Chromium, on
gunicorn with production settings, with every host but ours unresolvable, renders the API's
operations, and no request leaves the server."""

import pytest

from tests.processes import free_port, gunicorns, production_env
from tests.widget.browser import launch_options

pytestmark = pytest.mark.browser


def test_docs_render_offline(tmp_path, playwright):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    with gunicorns(env, [free_port()]) as [base]:
        options = launch_options()
        offline = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
        browser = playwright.chromium.launch(**{**options, "args": [*options["args"], offline]})
        page = browser.new_page()
        requested, failed = [], []
        page.on("request", lambda request: requested.append(request.url))
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock", timeout=15_000)
        assert page.locator(".info .title").inner_text().startswith("Link API")
        assert page.locator(".opblock").count() >= 10
        page.wait_for_load_state("networkidle")
        browser.close()
    assert requested and failed == []
    assert [url for url in requested if not url.startswith(f"{base}/")] == []
    assert any("/static/ninja/swagger-ui-bundle." in url for url in requested)
