"""Responses collected on paper or in a spreadsheet: CSV or XLSX import (docs/file-formats.md).

Every bad cell is reported at `row N, column X` (rows numbered as a spreadsheet
shows them, the header being row 1), all at once, and nothing is written unless the whole
file is valid. Re-importing a respondent replaces their response, so an import can be
repeated safely.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.errors import ProblemList, Refused, StrOrPromise
from assessments.models import (
    FUNCTION_KEYS,
    Answer,
    Campaign,
    Choice,
    Question,
    Response,
    Site,
    Team,
)
from assessments.vocabulary import DECISION_ANSWERS, DK, NA

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 2_100
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an XLSX is a zip: refuse bombs before opening
MAX_PROBLEMS_SHOWN = 500
FIXED_COLUMNS = ("respondent", "function", "team", "site", "submitted")
BATCH = 1000
ANALYZE_AFTER = 10_000  # answers in one import


@dataclass(frozen=True)
class ResponsesImportResult:
    created: int
    replaced: int
    submitted: int
    in_progress: int

    @property
    def message(self) -> str:
        return gettext(
            "Imported %(count)s response(s): %(submitted)s submitted, %(in_progress)s in "
            "progress (%(replaced)s replaced an earlier import)."
        ) % {
            "count": self.created + self.replaced,
            "submitted": self.submitted,
            "in_progress": self.in_progress,
            "replaced": self.replaced,
        }


# --- Reading the file ----------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """Rows of text cells from a CSV (UTF-8, optional BOM, `,` or `;`) or an XLSX file."""
    if len(data) > MAX_FILE_BYTES:
        raise Refused.at(
            "file",
            _("%(size)s bytes is larger than the limit of %(MAX_FILE_BYTES)s bytes"),
            size=f"{len(data):,}",
            MAX_FILE_BYTES=f"{MAX_FILE_BYTES:,}",
        )
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        rows = _read_xlsx(data)
    elif lower.endswith(".csv"):
        rows = _read_csv(data)
    else:
        raise Refused.at(filename, _("use a .csv or .xlsx file"))
    # A NUL character means a damaged or binary file, and PostgreSQL cannot store one.
    damaged = ProblemList(limit=MAX_PROBLEMS_SHOWN)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if "\x00" in value:
                damaged.add(
                    spreadsheet_place(number, str(column)),
                    _("contains a NUL character; the file may be damaged"),
                )
    damaged.raise_if_any()
    return rows


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused.at(
            "file",
            _("not UTF-8 text (byte %(start)s); save the spreadsheet as CSV UTF-8"),
            start=exc.start,
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise Refused.at("file", _("more than %(MAX_ROWS)s rows"), MAX_ROWS=f"{MAX_ROWS:,}")
        return rows
    except csv.Error as exc:
        raise Refused.at("file", _("not a valid CSV file (%(exc)s)"), exc=exc) from None


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise Refused.at("file", _("not a valid XLSX file")) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise Refused.at(
            "file",
            _("unpacks to %(unzipped)s bytes, more than the limit of %(MAX_UNZIPPED_BYTES)s bytes"),
            unzipped=f"{unzipped:,}",
            MAX_UNZIPPED_BYTES=f"{MAX_UNZIPPED_BYTES:,}",
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise Refused.at(
            "file", _("not a valid XLSX file (%(error)s)"), error=type(exc).__name__
        ) from None
    rows: list[list[str]] = []
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                raise Refused.at("file", _("more than %(MAX_ROWS)s rows"), MAX_ROWS=f"{MAX_ROWS:,}")
    except Refused:
        raise
    except Exception as exc:  # a sheet cut short: XML ParseError, KeyError, zlib errors...
        raise Refused.at(
            "file",
            _("the first sheet could not be read after row %(rows)s (%(error)s); save it again"),
            rows=len(rows),
            error=type(exc).__name__,
        ) from None
    finally:
        workbook.close()
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- Validation ----------------------------------------------------------------------------


def spreadsheet_place(row: int, column: str | None) -> str:
    """Where a cell is, as a spreadsheet shows it: `row 5, column COL-3` (the header is row 1)."""
    return f"row {row}, column {column}" if column else f"row {row}"


class _Problems:
    """Every problem of the file, each at its row and column, the first 500 listed."""

    def __init__(self, locate: Callable[[int, str | None], str]) -> None:
        self.found = ProblemList(limit=MAX_PROBLEMS_SHOWN, one_per_field=False)
        self.locate = locate

    def add(self, row: int, column: str | None, message: StrOrPromise, **params: Any) -> None:
        self.found.add(self.locate(row, column), message, **params)

    def raise_if_any(self) -> None:
        self.found.raise_if_any()


@dataclass
class _Row:
    respondent: str
    function: str
    team: Team | None
    site: Site | None
    submitted: bool
    # A choice, or NA, DK or a decision answer as the file writes it.
    answers: list[tuple[Question, Choice | str]]


def _validate(
    campaign: Campaign,
    rows: list[list[str]],
    *,
    locate: Callable[[int, str | None], str] = spreadsheet_place,
) -> list[_Row]:
    """The rows as answers, or every problem at its place (`locate` names the place)."""
    problems = _Problems(locate)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise Refused.at(
            locate(1, None), _("the file is empty; the first row must name the columns")
        )
    header = [cell.strip() for cell in rows[0]]
    questions = {
        q.key: q
        for q in Question.objects.filter(version=campaign.bank_version).prefetch_related("choices")
    }
    choices = {key: {c.key: c for c in q.choices.all()} for key, q in questions.items()}
    teams = {t.slug: t for t in Team.objects.filter(organization=campaign.organization)}
    sites = {s.slug: s for s in Site.objects.filter(organization=campaign.organization)}

    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            if any(len(row) > index and row[index].strip() for row in rows[1:]):
                problems.add(1, f"{index + 1}", _("this column has values but no name"))
            continue
        if name in columns:
            problems.add(1, name, _("appears twice in the header"))
        elif name not in FIXED_COLUMNS and name not in questions:
            problems.add(
                1,
                name,
                _('"%(name)s" is not a question of %(label)s nor one of the columns %(value)s'),
                name=name,
                label=campaign.bank_version.label,
                value=", ".join(FIXED_COLUMNS),
            )
        columns[name] = index
    if "respondent" not in columns:
        problems.add(1, None, _("the header must include a respondent column"))
        problems.raise_if_any()  # without it every row would repeat the same complaint

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    answer_columns = [name for name in columns if name in questions]
    seen: dict[str, int] = {}
    parsed: list[_Row] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue  # blank lines are common at the end of spreadsheets
        if len(row) > len(header):
            extra = [c for c in row[len(header) :] if c.strip()]
            if extra:
                problems.add(
                    number,
                    None,
                    _("has %(cells)s cells but the header names %(columns)s columns"),
                    cells=len(row),
                    columns=len(header),
                )
        respondent = cell(row, "respondent")
        if not respondent:
            problems.add(number, "respondent", _("is empty; every row needs a reference"))
        elif len(respondent) > 100:
            problems.add(number, "respondent", _("is longer than 100 characters"))
        elif respondent in seen:
            problems.add(
                number,
                "respondent",
                _('"%(respondent)s" appears twice (also row %(value)s)'),
                respondent=respondent,
                value=seen[respondent],
            )
        else:
            seen[respondent] = number

        team_slug = cell(row, "team")
        team = teams.get(team_slug) if team_slug else None
        if team_slug and team is None:
            problems.add(
                number,
                "team",
                _('"%(team_slug)s" is not a team of %(name)s'),
                team_slug=team_slug,
                name=campaign.organization.name,
            )
        site_slug = cell(row, "site")
        site = sites.get(site_slug) if site_slug else (team.site if team else None)
        if site_slug and site is None:
            problems.add(
                number,
                "site",
                _('"%(site_slug)s" is not a site of %(name)s'),
                site_slug=site_slug,
                name=campaign.organization.name,
            )
        function = cell(row, "function")
        if not function:
            if team is not None:
                function = team.function
            elif not team_slug:
                problems.add(number, "function", _("is empty and no team is given"))
        elif function not in FUNCTION_KEYS:
            problems.add(
                number,
                "function",
                _('"%(function)s" is not a function (%(value)s)'),
                function=function,
                value=", ".join(FUNCTION_KEYS),
            )
        submitted_text = cell(row, "submitted").lower()
        if submitted_text not in ("", "yes", "no"):
            problems.add(
                number,
                "submitted",
                _('"%(value)s" must be yes or no'),
                value=cell(row, "submitted"),
            )

        answers: list[tuple[Question, Choice | str]] = []
        for key in answer_columns:
            value = cell(row, key)
            if not value:
                continue
            question = questions[key]
            if key in campaign.left_out:
                problems.add(
                    number,
                    key,
                    _(
                        "%(key)s is left out of this campaign (one site); leave the cell "
                        "empty or drop the column"
                    ),
                    key=key,
                )
                continue
            allowed_words = [
                *([NA] if question.allow_na else []),
                *([DK] if question.allow_dont_know else []),
            ]
            if value in allowed_words or (question.is_decision and value in DECISION_ANSWERS):
                answers.append((question, value))
            elif not question.is_decision and value in choices[key]:
                answers.append((question, choices[key][value]))
            else:
                answers_of = DECISION_ANSWERS if question.is_decision else list(choices[key])
                allowed = ", ".join([*answers_of, *allowed_words])
                problems.add(
                    number,
                    key,
                    _('"%(value)s" is not a choice of %(key)s (%(allowed)s)'),
                    value=value,
                    key=key,
                    allowed=allowed,
                )
        parsed.append(_Row(respondent, function, team, site, submitted_text != "no", answers))
    problems.raise_if_any()
    return parsed


# --- Writing -------------------------------------------------------------------------------


def _answer_row(response_id: int, question: Question, value: Choice | str) -> tuple[Any, ...]:
    """(response, question, choice, is_na, is_dk, decision) of one answer."""
    if isinstance(value, Choice):
        return (response_id, question.pk, value.pk, False, False, "")
    return (
        response_id,
        question.pk,
        None,
        value == NA,
        value == DK,
        value if value not in (NA, DK) else "",
    )


def _insert_answers(values: Iterable[tuple[Any, ...]]) -> None:
    """Answers go in with COPY on PostgreSQL and multi-row INSERTs on SQLite: building a
    model instance per answer made the ORM's bulk_create spend most of an import's time in
    Python (docs/performance.md)."""
    fields = {f.name: f.column for f in Answer._meta.concrete_fields}
    table = connection.ops.quote_name(Answer._meta.db_table)
    columns = ", ".join(
        fields[name]
        for name in (
            "response",
            "question",
            "choice",
            "is_na",
            "is_dk",
            "decision",
            "comment",
            "updated",
        )
    )
    rows = list(values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            moment = timezone.now()
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, "", moment))
            if len(rows) >= ANALYZE_AFTER:
                # Fresh statistics let the planner hash-aggregate the score query (measured:
                # 0.44 s -> 0.13 s for 230,000 answers); autovacuum would get there later.
                transaction.on_commit(_analyze_answers)
            return
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        per_statement = 1000  # 8 parameters a row: well under SQLite's limit of 32,766
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            params = [p for row in chunk for p in (*row, "", now)]
            # Table and column names come from the model's meta; values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES {placeholders}"  # nosec  # noqa: S608
            cursor.execute(sql, params)


def answer_cells(campaign: Campaign) -> dict[int, dict[str, str]]:
    """Every answer of the campaign as the responses file writes it: response id ->
    {question key: choice key, NA, DK or decision answer}. One query whatever the campaign's
    size; answers that hold only a comment are left out."""
    cells: dict[int, dict[str, str]] = {}
    for response_id, key, choice, is_na, is_dk, decision in Answer.objects.filter(
        response__campaign=campaign
    ).values_list("response_id", "question__key", "choice__key", "is_na", "is_dk", "decision"):
        value = NA if is_na else DK if is_dk else decision or choice
        if value:
            cells.setdefault(response_id, {})[key] = value
    return cells


def _analyze_answers() -> None:
    with connection.cursor() as cursor:
        for model in (Response, Answer):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _write_rows(
    campaign: Campaign,
    rows: list[_Row],
    submitted_at: list[Any] | None = None,
    names: list[str] | None = None,
) -> int:
    """Replace or create every row's response in one transaction; how many were replaced.
    `submitted_at` and `names` (an archive's) go with the rows; by default a submitted row
    is submitted now and has no name."""
    now = timezone.now()
    with transaction.atomic():
        refs = [row.respondent for row in rows]
        replaced = 0
        for start in range(0, len(refs), BATCH):
            _, deleted = Response.objects.filter(
                campaign=campaign, respondent__in=refs[start : start + BATCH]
            ).delete()
            replaced += deleted.get(Response._meta.label, 0)
        # In chunks, so memory stays flat for files of tens of thousands of respondents.
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            responses = Response.objects.bulk_create(
                [
                    Response(
                        campaign=campaign,
                        respondent=row.respondent,
                        name=names[start + number] if names else "",
                        function=row.function,
                        team=row.team,
                        site=row.site,
                        submitted_at=(
                            submitted_at[start + number]
                            if submitted_at
                            else (now if row.submitted else None)
                        ),
                    )
                    for number, row in enumerate(chunk)
                ]
            )
            _insert_answers(
                _answer_row(response.pk, question, value)
                for response, row in zip(responses, chunk, strict=True)
                for question, value in row.answers
            )
    return replaced


def responses_import(*, campaign: Campaign, data: bytes, filename: str) -> ResponsesImportResult:
    """Validate the whole file, then replace or create every row's response in one transaction."""
    if campaign.is_closed:
        closed = campaign.closed_at.date().isoformat() if campaign.closed_at else "earlier"
        raise Refused.at(
            "campaign",
            _("%(slug)s closed on %(closed)s; it no longer accepts responses"),
            slug=campaign.slug,
            closed=closed,
        )
    rows = _validate(campaign, read_table(data, filename))
    replaced = _write_rows(campaign, rows)
    submitted = sum(1 for row in rows if row.submitted)
    return ResponsesImportResult(
        created=len(rows) - replaced,
        replaced=replaced,
        submitted=submitted,
        in_progress=len(rows) - submitted,
    )
