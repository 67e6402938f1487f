"""Responses import (docs/file-formats.md): CSV and XLSX, every bad cell reported, nothing
half-written."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from openpyxl import Workbook

from assessments.errors import Refused
from assessments.files.responses import responses_import
from assessments.models import Answer, Choice, Response
from assessments.selectors.scores import campaign_scores
from assessments.services.campaigns import campaign_close
from tests import builders

pytestmark = pytest.mark.django_db

HEADER = "respondent,function,team,site,submitted,C-1,C-2,S-1,S-2,I-1\n"


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace)


def load(campaign, text: str, filename: str = "answers.csv"):
    return responses_import(campaign=campaign, data=text.encode(), filename=filename)


def refused(campaign, data: bytes | str, filename: str = "answers.csv") -> list[str]:
    if isinstance(data, str):
        data = data.encode()
    before = (Response.objects.count(), Answer.objects.count(), campaign_scores(campaign))
    with pytest.raises(Refused) as exc:
        responses_import(campaign=campaign, data=data, filename=filename)
    after = (Response.objects.count(), Answer.objects.count(), campaign_scores(campaign))
    assert after == before
    return exc.value.lines


def test_valid_csv_creates_responses_and_answers(campaign):
    result = load(campaign, HEADER + "r-1,,it-ops,,yes,1,NA,2,3,0\nr-2,ot,,north,no,0,,,,\n")
    assert result.message == (
        "Imported 2 response(s): 1 submitted, 1 in progress (0 replaced an earlier import)."
    )
    first = Response.objects.get(respondent="r-1")
    # Function and site come from the team when the row leaves them empty.
    assert (first.function, first.team.slug, first.site.slug) == ("it", "it-ops", "north")
    assert first.is_submitted
    answers = {a.question.key: ("NA" if a.is_na else a.choice.key) for a in first.answers.all()}
    assert answers == {"C-1": "1", "C-2": "NA", "S-1": "2", "S-2": "3", "I-1": "0"}
    second = Response.objects.get(respondent="r-2")
    assert (second.function, second.team, second.site.slug, second.is_submitted) == (
        "ot",
        None,
        "north",
        False,
    )
    assert second.answers.count() == 1


def test_bom_and_semicolons_from_european_spreadsheets(campaign):
    text = "\ufeff" + HEADER.replace(",", ";") + "r-1;it;;;yes;1;2;3;3;1\n"
    load(campaign, text)
    assert Response.objects.get().answers.count() == 5


def test_columns_in_any_order_and_some_left_out(campaign):
    load(campaign, "I-1,respondent,function\n2,r-9,business\n")
    response = Response.objects.get()
    assert (response.function, response.answers.get().choice.key) == ("business", "2")


def test_reimport_replaces_a_respondents_answers(campaign):
    load(campaign, HEADER + "r-1,it,,,yes,1,1,1,1,1\nr-2,ot,,,yes,2,2,2,2,2\n")
    result = load(campaign, HEADER + "r-1,ot,,,no,3,,,,\n")
    assert result.replaced == 1 and result.created == 0
    response = Response.objects.get(respondent="r-1")
    assert (response.function, response.is_submitted) == ("ot", False)
    assert [a.choice.key for a in response.answers.all()] == ["3"]
    assert Response.objects.count() == 2  # r-2 untouched
    # Idempotent: the same file twice leaves the same rows.
    load(campaign, HEADER + "r-1,ot,,,no,3,,,,\n")
    assert Answer.objects.filter(response__respondent="r-1").count() == 1


def test_import_changes_the_scores_without_being_told(campaign):
    before = campaign_scores(campaign)["respondents"]["submitted"]
    load(campaign, HEADER + "r-1,it,,,yes,1,1,1,1,1\n")
    assert campaign_scores(campaign)["respondents"]["submitted"] == before + 1


def test_dont_know_and_decision_answers(workspace):
    campaign = builders.campaign(workspace, version=builders.decision_bank())
    load(campaign, "respondent,function,C-1,D-1\nr-1,it,DK,joint\nr-2,ot,2,DK\n")
    cells = {
        (a.response.respondent, a.question.key): a.cell
        for a in Answer.objects.select_related("response", "question", "choice")
    }
    assert cells == {
        ("r-1", "C-1"): "DK",
        ("r-1", "D-1"): "joint",
        ("r-2", "C-1"): "2",
        ("r-2", "D-1"): "DK",
    }
    doc = campaign_scores(campaign)
    assert doc["questions"]["C-1"]["dk"] == 1
    assert doc["decisions"]["D-1"]["shares"]["joint"] == 1.0
    problems = refused(campaign, "respondent,function,C-1,D-1,C-2\nr-3,it,maybe,boss,DK\n")
    assert problems == [
        'row 2, column C-1: "maybe" is not a choice of C-1 (0, 1, 2, 3, DK)',
        'row 2, column D-1: "boss" is not a choice of D-1 (it, ot, joint, vendor, nobody, NA, DK)',
        'row 2, column C-2: "DK" is not a choice of C-2 (0, 1, 2, 3, NA)',
    ]


def test_every_bad_cell_is_reported_at_once(campaign):
    text = HEADER + (
        "r-1,finance,,,yes,5,,,,\n"  # row 2
        ",it,,,maybe,1,,,,\n"  # row 3
        "r-1,,,,yes,,,,,\n"  # row 4
        "r-4,it,nobody,west,yes,NA,NA,,,\n"  # row 5
    )
    assert refused(campaign, text) == [
        'row 2, column function: "finance" is not a function (it, ot, business, leadership, other)',
        'row 2, column C-1: "5" is not a choice of C-1 (0, 1, 2, 3)',
        "row 3, column respondent: is empty; every row needs a reference",
        'row 3, column submitted: "maybe" must be yes or no',
        'row 4, column respondent: "r-1" appears twice (also row 2)',
        "row 4, column function: is empty and no team is given",
        'row 5, column team: "nobody" is not a team of Acme',
        'row 5, column site: "west" is not a site of Acme',
        'row 5, column C-1: "NA" is not a choice of C-1 (0, 1, 2, 3)',
    ]


def test_na_only_where_the_question_allows_it(campaign):
    # C-2 allows N/A; its message lists NA among the choices.
    assert refused(campaign, HEADER + "r-1,it,,,yes,1,x,,,\n") == [
        'row 2, column C-2: "x" is not a choice of C-2 (0, 1, 2, 3, NA)'
    ]


def test_header_problems(campaign):
    assert refused(campaign, "respondent,function,C-1,C-1,COLOUR\nr,it,1,1,red\n") == [
        "row 1, column C-1: appears twice in the header",
        'row 1, column COLOUR: "COLOUR" is not a question of mini v1 nor one of the columns '
        "respondent, function, team, site, submitted",
    ]
    assert refused(campaign, "function,C-1\nit,1\n") == [
        "row 1: the header must include a respondent column"
    ]
    assert refused(campaign, "") == [
        "row 1: the file is empty; the first row must name the columns"
    ]


def test_broken_encoding_and_wrong_type(campaign):
    assert refused(campaign, b"respondent\n\xff\xfe") == [
        "file: not UTF-8 text (byte 11); save the spreadsheet as CSV UTF-8"
    ]
    assert refused(campaign, b"x", filename="answers.pdf") == [
        "answers.pdf: use a .csv or .xlsx file"
    ]
    assert refused(campaign, b"not a zip", filename="answers.xlsx") == [
        "file: not a valid XLSX file"
    ]


def test_closed_campaign_refuses_imports(campaign):
    campaign_close(campaign=campaign)
    problems = refused(campaign, HEADER + "r-1,it,,,yes,1,1,1,1,1\n")
    assert problems == [
        f"campaign: {campaign.slug} closed on {campaign.closed_at.date().isoformat()}; "
        "it no longer accepts responses"
    ]


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_first_sheet_with_numbers_as_choice_keys(campaign):
    data = xlsx(
        [
            ["respondent", "function", "C-1", "C-2", "submitted"],
            ["r-1", "it", 1, 2.0, "yes"],
            ["r-2", "ot", 0, "NA", None],
            [None, None],
        ]
    )
    responses_import(campaign=campaign, data=data, filename="answers.XLSX")
    keys = sorted(
        (a.response.respondent, a.question.key, "NA" if a.is_na else a.choice.key)
        for a in Answer.objects.select_related("response", "question", "choice")
    )
    assert keys == [
        ("r-1", "C-1", "1"),
        ("r-1", "C-2", "2"),
        ("r-2", "C-1", "0"),
        ("r-2", "C-2", "NA"),
    ]


def test_xlsx_zip_bomb_is_refused_before_unpacking(campaign):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (210 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 1024 * 1024
    problems = refused(campaign, data, filename="bomb.xlsx")
    assert problems[0].startswith("file: unpacks to 220,200,960 bytes, more than the limit")


def test_oversized_file_is_refused(campaign):
    data = (HEADER + "r,it,,,yes,1,1,1,1,1\n" * 1_200_000).encode()
    assert refused(campaign, data) == [
        f"file: {len(data):,} bytes is larger than the limit of 20,971,520 bytes"
    ]


def test_database_refuses_a_choice_of_another_question(campaign):
    load(campaign, HEADER + "r-1,it,,,yes,1,,,,\n")
    answer = Answer.objects.get()
    other = Choice.objects.filter(question__key="S-1").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(choice=other)
        # PostgreSQL checks the deferred foreign key at commit; force it inside the block.
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_database_refuses_two_answers_to_one_question(campaign):
    load(campaign, HEADER + "r-1,it,,,yes,1,,,,\n")
    answer = Answer.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            response=answer.response, question=answer.question, choice=answer.choice
        )


def test_command_line(campaign, tmp_path, capsys):
    path = tmp_path / "answers.csv"
    path.write_text(HEADER + "r-1,it,,,yes,1,2,3,3,1\n")
    call_command("import_responses", campaign.slug, str(path))
    assert "Imported 1 response(s)" in capsys.readouterr().out
    path.write_text(HEADER + "r-1,it,,,yes,9,2,3,3,1\n")
    with pytest.raises(CommandError) as exc:
        call_command("import_responses", campaign.slug, str(path))
    assert 'row 2, column C-1: "9" is not a choice of C-1 (0, 1, 2, 3)' in str(exc.value)
    with pytest.raises(CommandError, match="nope: no such campaign"):
        call_command("import_responses", "nope", str(path))


def test_imported_answers_read_back_with_their_time(campaign):
    load(campaign, HEADER + "r-1,it,,,yes,1,,,,\n")
    answer = Answer.objects.get()
    assert answer.updated is not None and answer.updated.tzinfo is not None
    assert (answer.comment, answer.is_na) == ("", False)


def test_a_sheet_cut_short_is_refused_not_a_traceback(campaign):
    """Issue 16.15: a truncated sheet raised openpyxl's raw ParseError."""
    whole = xlsx([["respondent", "function", "C-1"]] + [[f"r-{n}", "it", 1] for n in range(50)])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as source, zipfile.ZipFile(out, "w") as cut:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            cut.writestr(item, content)
    problems = refused(campaign, out.getvalue(), filename="cut.xlsx")
    assert len(problems) == 1
    assert problems[0].startswith("file: the first sheet could not be read after row ")
    assert problems[0].endswith("(ParseError); save it again")
    assert not Answer.objects.exists()
