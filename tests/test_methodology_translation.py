"""The methodology in German (docs/methodology.de.md, the PDF's appendix in German) says what
the English one says: the same chapters, the same tables and the same figures, so a rule
changed in one and not the other is caught here."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
GERMAN = (ROOT / "docs" / "methodology.de.md").read_text(encoding="utf-8")


def _figures(text: str) -> Counter[str]:
    found = re.findall(r"(?<![\w.,])\d+(?:[.,]\d+)?(?!\w)", text)
    return Counter(number.replace(",", ".") for number in found)


def test_the_german_methodology_has_the_english_ones_chapters_and_tables():
    def headings(text: str) -> list[str]:
        return [line.split(" ", 1)[0] for line in text.splitlines() if line.startswith("#")]

    def table_rows(text: str) -> list[int]:
        return [line.count("|") for line in text.splitlines() if line.startswith("|")]

    assert headings(GERMAN) == headings(ENGLISH)
    assert table_rows(GERMAN) == table_rows(ENGLISH)


def test_the_german_methodology_has_the_english_ones_figures():
    assert _figures(GERMAN) == _figures(ENGLISH)


def test_the_rules_and_question_keys_are_the_same():
    def keys(text: str) -> Counter[str]:
        return Counter(re.findall(r"\b[A-Z]{2,3}-\d+\b", text))

    assert keys(GERMAN) == keys(ENGLISH)
