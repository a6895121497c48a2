"""Every string the widget shows has its Spanish translation, and none is a stale guess."""

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_spanish_is_complete_and_current():
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]  # after the header
    fuzzy = [e for e in entries if re.search(r"^#,.*\bfuzzy\b", e, re.MULTILINE)]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""\n?\Z', e, re.MULTILINE)]
    assert fuzzy == [] and untranslated == []
