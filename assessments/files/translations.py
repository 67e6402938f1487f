"""The translator's round trip (docs/languages.md, "Translating a question bank"): a bank
version's texts as a spreadsheet, one row per text, one column per language; filled in, it
comes back as a new draft version with those translations, through the same validation as
every bank import. Nothing else of the version changes, so the draft scores exactly as the
version it came from.

Row 1 names the columns: `key`, the bank's own language, then one column per language.
Row 2 says which version the file came from (`version`, `itot-convergence/2`). Then one row
per text, keyed by its place in the bank file: `questions.COL-1.text`,
`questions.COL-1.choices.0`, `dimensions.collaboration.guidance.2`, `stages.1.name`, ...
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from assessments.errors import ProblemList, Refused
from assessments.files.banks import (
    _as_raw,
    _create_version,
    bank_export_document,
    next_free_version,
    validate_bank_document,
)
from assessments.files.exports import _xlsx_value
from assessments.files.responses import _read_xlsx, spreadsheet_place
from assessments.models import BankVersion
from assessments.vocabulary import LANGUAGE_TAG

VERSION_ROW = "version"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def source_texts(doc: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every text of a bank document that a translation may carry, with its key, in the
    file's order; empty texts (no help, no description) have nothing to translate."""
    for field in ("title", "description"):
        yield field, doc.get(field) or ""
    for stage in doc["stages"]:
        for field in ("name", "summary"):
            yield f"stages.{stage['level']}.{field}", stage[field]
    for dimension in doc["dimensions"]:
        key = dimension["key"]
        yield f"dimensions.{key}.name", dimension["name"]
        yield f"dimensions.{key}.description", dimension.get("description") or ""
        for level, text in sorted(dimension["guidance"].items()):
            yield f"dimensions.{key}.guidance.{level}", text
    for question in doc["questions"]:
        key = question["key"]
        yield f"questions.{key}.text", question["text"]
        yield f"questions.{key}.help", question.get("help") or ""
        for choice in question.get("choices", []):
            yield f"questions.{key}.choices.{choice['key']}", choice["text"]


def _texts(doc: dict[str, Any]) -> dict[str, str]:
    return {key: text for key, text in source_texts(doc) if text}


def _path(key: str) -> list[str]:
    """Where a text's translation sits in a language's block (the bank file format)."""
    parts = key.split(".")
    if parts[0] in ("title", "description"):
        return parts[:1]
    head, name, *rest = parts
    if head == "stages":
        return ["stages", name, *rest]
    # dimensions.KEY.guidance.LEVEL, questions.KEY.choices.CHOICE: keys may hold dots, so the
    # field is found from the end.
    if head == "dimensions" and len(parts) >= 4 and parts[-2] == "guidance":
        return ["dimensions", ".".join(parts[1:-2]), "guidance", parts[-1]]
    if head == "questions" and "choices" in parts[2:]:
        at = parts.index("choices", 2)
        return ["questions", ".".join(parts[1:at]), "choices", ".".join(parts[at + 1 :])]
    return [head, ".".join(parts[1:-1]), parts[-1]]


def _get(block: dict[str, Any], path: list[str]) -> str:
    node: Any = block
    for part in path:
        if not isinstance(node, dict):
            return ""
        node = node.get(part, node.get(int(part)) if part.isdigit() else None)
        if node is None:
            return ""
    return node if isinstance(node, str) else ""


def _set(block: dict[str, Any], path: list[str], text: str) -> None:
    node = block
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = text


def coverage(version: BankVersion, doc: dict[str, Any] | None = None) -> dict[str, int]:
    """Per language, the share of the version's texts that have a translation, in percent
    (rounded down: 100 only when every text has one)."""
    doc = doc or bank_export_document(version)
    texts = _texts(doc)
    result = {}
    for language, block in sorted(doc["translations"].items()):
        done = sum(1 for key in texts if _get(block, _path(key)))
        result[language] = 100 * done // len(texts) if texts else 100
    return result


def translations_xlsx(version: BankVersion, languages: list[str] | None = None) -> bytes:
    """The version's texts as a spreadsheet for translators: a column per language it has,
    plus `languages` (empty columns to fill)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    doc = bank_export_document(version)
    columns = list(doc["translations"])
    for language in languages or []:
        if language not in columns and language != doc["language"]:
            columns.append(language)
    book = Workbook()
    sheet = book.active
    sheet.title = "Texts"
    sheet.append(["key", doc["language"], *columns])
    sheet.append([VERSION_ROW, f"{doc['bank']}/{doc['version']}", *([""] * len(columns))])
    for key, text in _texts(doc).items():
        row = [
            key,
            text,
            *(
                _get(doc["translations"][c], _path(key)) if c in doc["translations"] else ""
                for c in columns
            ),
        ]
        sheet.append([_xlsx_value(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C3"
    sheet.column_dimensions["A"].width = 34
    for index in range(2, len(columns) + 3):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 60
    for row in sheet.iter_rows(min_row=3):
        for cell in row[1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def translations_import(*, data: bytes) -> BankVersion:
    """A filled spreadsheet as a new draft of the version it came from, with the file's
    languages' translations (a cell left empty: that text shows in the bank's own language);
    other languages keep theirs. Every problem is reported with its row and column, and
    nothing is written unless there is none."""
    rows = _read_xlsx(data)
    problems = ProblemList()
    if len(rows) < 2 or not rows[0] or rows[0][0].strip() != "key":
        raise Refused.at("file", _("row 1 must start with the column key (export the texts again)"))
    if not rows[1] or rows[1][0].strip() != VERSION_ROW:
        raise Refused.at("file", _("row 2 must say which version the texts came from"))
    marker = rows[1][1].strip() if len(rows[1]) > 1 else ""
    bank_slug, _slash, number = marker.rpartition("/")
    version = (
        BankVersion.objects.filter(bank__slug=bank_slug, number=int(number)).first()
        if number.isdigit()
        else None
    )
    if version is None:
        raise Refused.at(
            spreadsheet_place(2, "B"),
            _("%(marker)s is not a bank version here"),
            marker=repr(marker),
        )
    doc = bank_export_document(version)
    header = [cell.strip() for cell in rows[0]]
    if len(header) < 2 or header[1] != doc["language"]:
        problems.add(
            spreadsheet_place(1, "B"),
            _("must be %(language)s, the bank's own language"),
            language=doc["language"],
        )
    languages: dict[int, str] = {}
    for index, tag in enumerate(header[2:], start=2):
        if not tag:
            continue
        where = spreadsheet_place(1, tag)
        if not LANGUAGE_TAG.fullmatch(tag):
            problems.add(where, _("is not a language tag such as de or cs"))
        elif tag == doc["language"]:
            problems.add(where, _("is the bank's own language"))
        elif tag in languages.values():
            problems.add(where, _("is there twice"))
        else:
            languages[index] = tag
    texts = _texts(doc)
    blocks: dict[str, dict[str, Any]] = {tag: {} for tag in languages.values()}
    seen: set[str] = set()
    for number_, row in enumerate(rows[2:], start=3):
        if not any(cell.strip() for cell in row):
            continue
        key = row[0].strip()
        if key not in texts:
            problems.add(
                spreadsheet_place(number_, "key"),
                _("%(key)s is not a text of %(label)s"),
                key=repr(key),
                label=version.label,
            )
            continue
        if key in seen:
            problems.add(spreadsheet_place(number_, "key"), _("%(key)s is there twice"), key=key)
            continue
        seen.add(key)
        source = row[1] if len(row) > 1 else ""
        if source.strip() != texts[key].strip():
            problems.add(
                spreadsheet_place(number_, doc["language"]),
                _("the text of %(key)s changed since the export; export the texts again"),
                key=key,
            )
            continue
        for index, tag in languages.items():
            text = row[index].strip() if index < len(row) else ""
            if not text:
                continue
            if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(texts[key])):
                problems.add(
                    spreadsheet_place(number_, tag),
                    _("must keep the placeholders of the %(language)s text"),
                    language=doc["language"],
                )
                continue
            _set(blocks[tag], _path(key), text)
    problems.raise_if_any()
    doc["translations"] = {**doc["translations"], **{t: b for t, b in blocks.items() if b}}
    with transaction.atomic():
        doc["version"] = next_free_version(doc["bank"])
        return _create_version(validate_bank_document(_as_raw(doc)), draft=True)
