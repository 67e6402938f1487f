"""Spreadsheet exports of a campaign: scores, results per question, raw answers (CSV, XLSX).

Every figure is the `score --json` document's (suppression included: a suppressed group has
no figures there, so none here). Scores are flattened generically, so every block of the
document reaches the spreadsheet: scalars go to a *summary* table as `path, value`; a mapping
of mappings (groups, dimensions, questions) becomes a table with one row per key; a list of
mappings (blockers, recommendations) a table with one row per item. The CSV of the scores is
the long form of the same tables (`table, item, field, value`), which BI tools load directly.

Raw answers carry a pseudonym per respondent (R0001, ... in the order they started), never an
invitation's name; a name is exported only when the respondent typed it. Text cells that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) are
neutralised with a leading apostrophe (OWASP "CSV injection"); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill

from assessments.files.responses import FIXED_COLUMNS, answer_cells
from assessments.models import Campaign, Question, Response
from assessments.outputs.charts import FUNCTION_NAMES
from assessments.outputs.dashboard import comments, labels_for
from assessments.selectors.scores import campaign_protection, campaign_scores, campaign_snapshot
from assessments.vocabulary import ANY

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KINDS = ("scores", "questions", "comments", "answers")
AGGREGATED = ("scores", "questions", "comments")  # what client viewers may download


def safe(value: Any) -> Any:
    """A cell value no spreadsheet runs as a formula; numbers and None pass unchanged."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # Text cells that are numbers (a choice key "2") go to a spreadsheet as numbers.
    numbers_as_text: bool = False


# --- Scores ---------------------------------------------------------------------------------


def _leaves(value: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        yield prefix, "; ".join(str(item) for item in value)
    else:
        yield prefix, value


def _is_table(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(isinstance(v, dict) for v in value.values())
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, dict) for v in value)
    return False


def _table(name: str, value: Any, names: dict[str, str]) -> Table:
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value, start=1))
    flat = [(str(key), dict(_leaves(inner))) for key, inner in items]
    columns: list[str] = []
    for _key, leaves in flat:
        columns += [c for c in leaves if c not in columns]
    table = Table(name, ["item", "name", *columns])
    for key, leaves in flat:
        table.rows.append([key, names.get(key, ""), *(leaves.get(c) for c in columns)])
    return table


def score_tables(campaign: Campaign) -> list[Table]:
    """The score document as tables: `summary` first, then one per block."""
    doc = campaign_scores(campaign)
    labels = labels_for(campaign)
    names = {
        **labels.teams,
        **labels.sites,
        **labels.dimensions,
        **labels.questions,
        "it": "IT",
        "ot": "OT",
        "business": "Business",
        "leadership": "Leadership",
        "other": "Other",
    }
    summary = Table("summary", ["field", "value"])
    tables = [summary]

    def walk(value: Any, path: str) -> None:
        if _is_table(value):
            tables.append(_table(path, value, names))
        elif isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            tables.append(Table(path, ["item"], [[item] for item in value]))
        else:
            summary.rows.append([path, value])

    walk(doc, "")
    return tables


def score_rows_long(tables: Sequence[Table]) -> Table:
    """The tables in long form, for one CSV: table, item, field, value."""
    long = Table("scores", ["table", "item", "field", "value"])
    for table in tables:
        if table.name == "summary":
            long.rows += [["summary", "", path, value] for path, value in table.rows]
            continue
        for row in table.rows:
            item = row[0]
            for column, value in zip(table.columns[1:], row[1:], strict=True):
                if column != "name" or value:
                    long.rows.append([table.name, item, column, value])
    return long


# --- Results per question and raw answers ---------------------------------------------------


def question_table(campaign: Campaign) -> Table:
    doc = campaign_scores(campaign)
    # Scored questions only: who-decides answers are in the scores export (`decisions`).
    questions = Question.objects.filter(
        version=campaign.bank_version, kind=Question.Kind.SCORED
    ).select_related("dimension")
    info = {q.key: q for q in questions.in_survey_order()}
    divergent = set(doc["divergent_questions"])
    table = Table(
        "questions",
        [
            "question",
            "dimension",
            "text",
            "n",
            "na",
            "dk",
            "mean",
            "stdev",
            "agreement",
            "divergent",
        ],
    )
    for key, question in info.items():
        figures: Mapping[str, Any] = doc["questions"].get(key, {})
        table.rows.append(
            [
                key,
                question.dimension.key,
                question.text,
                figures.get("n"),
                figures.get("na"),
                figures.get("dk"),
                figures.get("mean"),
                figures.get("stdev"),
                figures.get("agreement"),
                key in divergent,
            ]
        )
    return table


def comment_table(campaign: Campaign) -> Table:
    """Respondents' comments, as the dashboard shows them (rule 8e): no names; the protected
    function and team only where that group is shown."""
    labels = labels_for(campaign)
    notes = comments(campaign, campaign_snapshot(campaign))
    table = Table("comments", ["question", "text", "comment", "function", "team"])
    for key in labels.questions:
        for item in notes.get(key, []):
            table.rows.append(
                [key, labels.questions[key], item["text"], item["function"], item["team"]]
            )
    return table


def answer_table(campaign: Campaign) -> Table:
    """One row per respondent in the responses-file layout, plus a typed name: four
    queries whatever the campaign's size. Function, team and site are the *protected* ones
    (rule 8: "*" where hidden), so a pseudonymous row cannot be pinned to a small team; an
    in-progress row, in no figure, shows none of them. Rows are in the order of their
    protected coordinates and then of the response's random public id, never of arrival:
    who answered when (a workshop, the completion tracker) must not point at a row."""
    keys = list(
        Question.objects.filter(version=campaign.bank_version)
        .in_survey_order()
        .values_list("key", flat=True)
    )
    answers = answer_cells(campaign)
    protection = campaign_protection(campaign)
    hidden = (ANY, ANY, ANY)
    rows = (
        Response.objects.counted()
        .filter(campaign=campaign)
        .values_list(
            "id", "public_id", "name", "function", "team__slug", "site__slug", "submitted_at"
        )
    )
    responses = sorted(
        (
            protection.get((function, team or ANY, site or ANY), hidden)
            if submitted_at
            else hidden,
            submitted_at is None,
            str(public_id),
            pk,
            name,
            submitted_at,
        )
        for pk, public_id, name, function, team, site, submitted_at in rows
    )
    table = Table("answers", [*FIXED_COLUMNS, "name", *keys], numbers_as_text=True)
    width = len(str(len(responses)))
    for number, ((function, team, site), _open, _order, pk, name, submitted_at) in enumerate(
        responses, start=1
    ):
        given = answers.get(pk, {})
        table.rows.append(
            [
                f"R{number:0{max(4, width)}d}",
                function,
                team,
                site,
                "yes" if submitted_at else "no",
                name,
                *(given.get(key, "") for key in keys),
            ]
        )
    return table


# --- Files ----------------------------------------------------------------------------------


def tables_for(campaign: Campaign, kind: str) -> list[Table]:
    if kind == "scores":
        return score_tables(campaign)
    if kind == "questions":
        return [question_table(campaign)]
    if kind == "comments":
        return [comment_table(campaign)]
    if kind == "answers":
        return [answer_table(campaign)]
    raise ValueError(f"unknown export {kind!r}")


def to_csv(tables: Sequence[Table]) -> bytes:
    table = score_rows_long(tables) if len(tables) > 1 else tables[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([safe(cell) for cell in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode()  # the BOM makes Excel read UTF-8


HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
WIDEST_COLUMN = 60  # characters


def to_xlsx(tables: Sequence[Table], about: Sequence[tuple[str, str]] = ()) -> bytes:
    """One sheet per table in the contract's layout (row 1 the names the JSON uses, so a
    script reads it like the CSV), made for people too: a frozen, filtered, shaded header,
    columns as wide as their text, numbers as numbers; and, last, an "about" sheet that says
    what the keys stand for (the first sheet stays the data: an answers file imports back)."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.name, book.sheetnames))
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
        for row in table.rows:
            sheet.append([_xlsx_value(cell, table.numbers_as_text) for cell in row])
        sheet.freeze_panes = "A2"
        if table.columns:
            sheet.auto_filter.ref = sheet.dimensions
        _fit_columns(sheet)
    if about:
        sheet = book.create_sheet(_sheet_name("about", book.sheetnames))
        sheet.append([_("Key"), _("What it stands for")])
        for cell in sheet[1]:
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
        for key, meaning in about:
            sheet.append([_xlsx_value(key), _xlsx_value(meaning)])
        _fit_columns(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fit_columns(sheet: Any) -> None:
    for column in sheet.columns:
        longest = max(
            (len(str(cell.value)) for cell in column if cell.value is not None), default=0
        )
        sheet.column_dimensions[column[0].column_letter].width = min(WIDEST_COLUMN, longest + 2)


def _xlsx_value(value: Any, numbers_as_text: bool = False) -> Any:
    if numbers_as_text and isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    value = safe(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XLSX cannot hold
    return value


def glossary(campaign: Campaign, kind: str) -> list[tuple[str, str]]:
    """What the keys of an export stand for, in the reader's language where the bank has it."""
    labels = labels_for(campaign, translation.get_language())
    pairs: list[tuple[str, str]] = [(k, v) for k, v in labels.dimensions.items()]
    pairs += [(k, v) for k, v in labels.questions.items()]
    if kind != "questions":
        pairs += list(labels.teams.items()) + list(labels.sites.items())
        pairs += [(k, str(v)) for k, v in FUNCTION_NAMES.items() if k != "overall"]
    return pairs


def _sheet_name(name: str, taken: list[str]) -> str:
    base = name.replace("/", "-")[:31] or "sheet"
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base[:28]}-{number}"
        number += 1
    return candidate


def export(campaign: Campaign, kind: str, fmt: str) -> tuple[bytes, str]:
    """The file's bytes and its content type."""
    tables = tables_for(campaign, kind)
    if fmt == "csv":
        return to_csv(tables), "text/csv; charset=utf-8"
    if fmt == "xlsx":
        return (
            to_xlsx(tables, glossary(campaign, kind)),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise ValueError(f"unknown format {fmt!r}")
