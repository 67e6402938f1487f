"""The translator's round trip (issue 19, point 4): a version's texts out as a spreadsheet,
back in filled as a new draft version with the translations; every mistake located by row
and column, nothing written; coverage per language."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from assessments.errors import Refused
from assessments.files.banks import bank_export_document
from assessments.files.translations import coverage, translations_import, translations_xlsx
from assessments.models import BankVersion
from tests import builders

pytestmark = pytest.mark.django_db


def _rows(data: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(rows: list[list[str]], language: str, texts: dict[str, str]) -> list[list[str]]:
    column = rows[0].index(language)
    for row in rows[2:]:
        if row[0] in texts:
            row[column] = texts[row[0]]
    return rows


def test_texts_go_out_and_come_back_as_a_new_draft_with_the_translations():
    version = builders.import_small_bank()
    rows = _rows(translations_xlsx(version, ["cs"]))
    assert rows[0] == ["key", "en", "cs"]
    assert rows[1][:2] == ["version", "mini/1"]
    keys = [row[0] for row in rows[2:]]
    assert keys[:3] == ["title", "stages.0.name", "stages.0.summary"]
    assert "questions.C-1.text" in keys and "questions.C-1.choices.0" in keys
    assert "dimensions.collab.guidance.3" in keys
    assert "questions.C-1.help" not in keys  # no help: nothing to translate
    filled = _fill(
        rows,
        "cs",
        {
            "questions.C-1.text": "Jak často spolupracují IT a údržba?",
            "questions.C-1.choices.0": "Nikdy",
            "dimensions.collab.name": "Spolupráce",
            "stages.0.name": "Sila",
        },
    )
    draft = translations_import(data=_xlsx(filled))
    assert (draft.number, draft.status) == (2, BankVersion.Status.DRAFT)
    cs = bank_export_document(draft)["translations"]["cs"]
    assert cs["questions"]["C-1"] == {
        "text": "Jak často spolupracují IT a údržba?",
        "choices": {"0": "Nikdy"},
    }
    assert cs["dimensions"]["collab"] == {"name": "Spolupráce"}
    assert cs["stages"][0] == {"name": "Sila"}
    # Nothing else changed: the draft scores as the version it came from.
    before, after = bank_export_document(version), bank_export_document(draft)
    for field in ("stages", "dimensions", "questions", "language", "title"):
        assert before[field] == after[field]
    total = len(rows) - 2
    assert coverage(draft) == {"cs": 100 * 4 // total}


def test_every_mistake_is_located_and_nothing_is_written():
    version = builders.import_small_bank()
    rows = _rows(translations_xlsx(version, ["de"]))
    rows[0].append("de")  # twice
    for row in rows[1:]:
        row.append("")
    c1 = next(i for i, row in enumerate(rows) if row[0] == "questions.C-1.text")
    rows[c1][1] = "Q1, edited"  # the source changed since the export
    rows.append(["questions.NOPE.text", "x", "y", ""])
    before = BankVersion.objects.count()
    with pytest.raises(Refused) as refused:
        translations_import(data=_xlsx(rows))
    lines = refused.value.lines
    assert "row 1, column de: is there twice" in lines
    changed = "the text of questions.C-1.text changed since the export; export the texts again"
    assert f"row {c1 + 1}, column en: {changed}" in lines
    assert any(
        line.startswith(f"row {len(rows)}, column key: 'questions.NOPE.text' is not a text")
        for line in lines
    )
    assert BankVersion.objects.count() == before


def test_a_file_that_is_not_an_export_says_so():
    with pytest.raises(Refused, match="row 1 must start with the column key"):
        translations_import(data=_xlsx([["text", "en"], ["a", "b"]]))
    with pytest.raises(Refused, match="not a valid XLSX file"):
        translations_import(data=b"PK\x03\x04 not really")
    with pytest.raises(Refused, match="'mini/9' is not a bank version here"):
        translations_import(data=_xlsx([["key", "en", "de"], ["version", "mini/9", ""]]))


def test_the_admin_exports_imports_and_shows_coverage(client, django_user_model):
    version = builders.import_small_bank()
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123")
    client.force_login(admin)
    exported = client.get(
        reverse("admin:assessments_bankversion_texts", args=[version.pk]) + "?languages=de"
    )
    assert exported["Content-Disposition"] == 'attachment; filename="mini-v1-texts.xlsx"'
    rows = _fill(_rows(exported.content), "de", {"questions.C-1.text": "Frage eins"})
    upload = io.BytesIO(_xlsx(rows))
    upload.name = "mini-v1-texts.xlsx"
    answered = client.post(reverse("admin:assessments_bankversion_translations"), {"file": upload})
    draft = BankVersion.objects.get(bank__slug="mini", number=2)
    assert answered["Location"] == reverse("admin:assessments_bankversion_change", args=[draft.pk])
    listing = client.get(reverse("admin:assessments_bankversion_changelist")).content.decode()
    share = coverage(draft)["de"]
    assert f"de: {share} %" in listing and share > 0


def test_the_default_bank_has_every_text_in_german():
    """Version 3 of the default bank: every text translated, none left as its English."""
    from assessments.files.translations import _get, _path, source_texts

    version = builders.default_bank()
    assert coverage(version) == {"de": 100}
    doc = bank_export_document(version)
    same = [
        key
        for key, text in source_texts(doc)
        if text and _get(doc["translations"]["de"], _path(key)) == text
    ]
    assert set(same) <= {"questions.DR-5.text", "stages.0.name"}  # "Silos", a proper name
