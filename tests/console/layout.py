"""Geometry checks for a console page in a real browser (see layout.js)."""

from pathlib import Path

_PROBLEMS = Path(__file__).with_name("layout.js").read_text()


def layout_problems(page) -> list[str]:
    return page.evaluate(_PROBLEMS)
