"""Reading pages as a person does: their text and their tables, not their markup.

Assertions on CSS classes break on every restyle; these read what is on the screen.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

_SKIP = {"script", "style", "template"}
_BLOCK = {
    "p",
    "div",
    "li",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "br",
    "section",
    "dt",
    "dd",
}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _SKIP:
            self._skipping += 1
        if tag in _BLOCK:
            self.parts.append(" ")
            if self._cell is not None:
                self._cell.append(" ")  # a line break inside a cell reads as a space
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping -= 1
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(_squash("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        if tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        self.parts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _read(page: Any) -> _Reader:
    html = page.content.decode() if hasattr(page, "content") else str(page)
    reader = _Reader()
    reader.feed(html)
    return reader


def visible_text(page: Any) -> str:
    """The page's text as a reader sees it, whitespace squashed (no scripts, no markup)."""
    return _squash("".join(_read(page).parts))


def table_rows(page: Any) -> list[list[str]]:
    """Every table row of the page as the texts of its cells."""
    return _read(page).rows
