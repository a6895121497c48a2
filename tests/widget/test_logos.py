"""Vendor logos: the mark from the simple-icons package (CC0) in its brand colour where it has
one, a monogram tile otherwise; every provider has one, and each is a well-formed, small SVG."""

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.contrib.staticfiles import finders

from providers.catalogue import CATALOGUE

SVG = "{http://www.w3.org/2000/svg}"
# The vendors simple-icons draws (checked against simple-icons 16.37.0's data/simple-icons.json).
SIMPLE_ICONS = {"fitbit", "garmin", "strava", "peloton", "eight_sleep"}


@pytest.mark.parametrize("slug", sorted(CATALOGUE))
def test_every_provider_has_a_logo(slug):
    path = finders.find(f"providers/{slug}.svg")
    assert path, slug
    text = Path(path).read_text(encoding="utf-8")
    assert len(text.encode()) < 4 * 1024, slug
    root = ElementTree.fromstring(text)  # noqa: S314 (our own files)
    assert root.get("viewBox") == "0 0 48 48" and root.get("aria-hidden") == "true"
    if slug in SIMPLE_ICONS:
        assert "simple-icons" in text and "(CC0)" in text
        [mark] = root.iter(f"{SVG}path")
        colour = re.search(r"brand colour (#[0-9A-F]{6})", text).group(1)
        assert mark.get("fill") == colour
    else:  # a monogram: the name's first letter on a tile
        [letter] = root.iter(f"{SVG}text")
        assert letter.text.strip()
