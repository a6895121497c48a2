"""The widget's weight budget: the first page at most 30 KB compressed in total, JavaScript
included; later steps load no JavaScript again. gzip here; whitenoise also serves brotli to
browsers that take it, which is smaller still (`make bench` shows both as Chromium loads them)."""

import gzip
import re
from pathlib import Path

from django.contrib.staticfiles import finders

HTMX = {"HX-Request": "true"}
_CODE = re.compile(rb'<script(?![^>]*type="application/json")')
LATER_STEPS = ("/link/providers", "/link/provider/zwift", "/link/provider/strava", "/link/result")


def _assets(html: bytes) -> set[str]:
    return {a.decode() for a in re.findall(rb'(?:src|href)="/static/([^"]+)"', html)}


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def test_first_page_weighs_at_most_30_kb_compressed(widget, link_token):
    html = widget.step("/", link_token).content
    assets = _assets(html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    total = _gzipped(html) + sum(_gzipped(Path(finders.find(a)).read_bytes()) for a in assets)
    assert total <= 30 * 1024, total


def test_later_steps_load_no_javascript_again(widget, link_token):
    first = {a for a in _assets(widget.step("/", link_token).content) if a.endswith(".js")}
    for path in LATER_STEPS:
        panel = widget.step(path, link_token, htmx=True).content
        # htmx swaps the panel and the page keeps its scripts; JSON data blocks are not code.
        assert not _CODE.search(panel), path
        page = widget.step(path, link_token).content  # a reload: the same, cached, scripts
        assert {a for a in _assets(page) if a.endswith(".js")} == first, path
