"""The translation catalogues (docs/languages.md): the compiled catalogue that is committed
says what its source says, and no translation drops or invents a placeholder."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _names(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_the_compiled_catalogue_is_current(po_path):
    compiled = gettext.GNUTranslations(po_path.with_suffix(".mo").open("rb"))
    stale = []
    for entry in polib.pofile(str(po_path)).translated_entries():
        if entry.msgid_plural:
            got = [
                compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt
                else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
            want = [entry.msgstr_plural[0], entry.msgstr_plural[1]]
        else:
            got = [
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else compiled.gettext(entry.msgid)
            ]
            want = [entry.msgstr]
        if got != want:
            stale.append(entry.msgid)
    assert stale == [], (
        f"run `make messages`: {po_path.with_suffix('.mo')} is older than {stale[:3]}"
    )


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_translations_keep_their_placeholders(po_path):
    wrong = []
    for entry in polib.pofile(str(po_path)).translated_entries():
        if entry.msgid_plural:
            for form in entry.msgstr_plural.values():
                if not _names(form) <= _names(entry.msgid_plural) | _names(entry.msgid):
                    wrong.append(entry.msgid)
        elif _names(entry.msgstr) != _names(entry.msgid):
            wrong.append(entry.msgid)
    assert wrong == []
