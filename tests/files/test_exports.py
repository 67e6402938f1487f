"""Exports (CSV, XLSX, PowerPoint) and the JSON API: the figures of `score --json`,
suppression respected, formulas neutralised, and the pages' access rules."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from assessments.files import exports
from assessments.formatting import places
from assessments.models import Answer, ApiToken, Campaign, ClientViewer, Response, Team
from assessments.outputs.dashboard import labels_for
from assessments.selectors.scores import campaign_scores
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, demo):
    client.force_login(get_user_model().objects.get(username="consultant"))
    return client


def _url(campaign: Campaign, kind: str, fmt: str) -> str:
    return reverse("assessments:campaign-export", args=[campaign.slug, kind, fmt])


def _sheets(body: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(body))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def _csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_scores_xlsx_carries_every_block_of_the_score_document(member, demo):
    response = member.get(_url(demo, "scores", "xlsx"))
    assert response["Content-Disposition"] == 'attachment; filename="acme-2026-scores.xlsx"'
    sheets = _sheets(response.content)
    doc = campaign_scores(demo)
    summary = dict(sheets["summary"][1:])
    assert summary["overall.stage"] == doc["overall"]["stage"]
    assert summary["overall.stage_score"] == doc["overall"]["stage_score"]
    assert summary["respondents.submitted"] == doc["respondents"]["submitted"]
    assert summary["progress.baseline"] == "acme-2025"
    for block in ("overall.dimensions", "overall.blockers", "by_function", "by_team", "by_site"):
        assert block in sheets, block
    for block in ("perception_gaps", "questions", "divergent_questions", "recommendations"):
        assert block in sheets, block
    header, *rows = sheets["overall.dimensions"]
    assert header[:4] == ("item", "name", "score", "se")
    assert {row[0]: row[2] for row in rows} == {
        k: v["score"] for k, v in doc["overall"]["dimensions"].items()
    }
    header, *rows = sheets["recommendations"]
    assert [row[header.index("text")] for row in rows] == [
        r["text"] for r in doc["recommendations"]
    ]


def test_scores_csv_is_the_long_form_and_suppression_holds(member, demo):
    rows = _csv(member.get(_url(demo, "scores", "csv")).content)
    doc = campaign_scores(demo)
    value = {(r["table"], r["item"], r["field"]): r["value"] for r in rows}
    assert value[("summary", "", "overall.stage_score")] == str(doc["overall"]["stage_score"])
    teams = doc["by_team"]
    suppressed = [slug for slug, group in teams.items() if group.get("suppressed")]
    assert suppressed  # the demo has small teams
    for slug in suppressed:
        assert value[("by_team", slug, "suppressed")] == "yes"
        assert ("by_team", slug, "stage_score") not in value or not value[
            ("by_team", slug, "stage_score")
        ]
    shown = next(slug for slug, group in teams.items() if not group.get("suppressed"))
    assert value[("by_team", shown, "stage_score")] == str(teams[shown]["stage_score"])


def test_question_results(member, demo):
    rows = _csv(member.get(_url(demo, "questions", "csv")).content)
    doc = campaign_scores(demo)
    assert len(rows) == len(doc["questions"]) == 53  # scored; decisions are in "scores"
    first = rows[0]
    assert first["mean"] == str(doc["questions"][first["question"]]["mean"])
    assert [r["dk"] for r in rows] == [str(doc["questions"][r["question"]]["dk"]) for r in rows]
    assert sum(int(r["dk"]) for r in rows) > 0
    divergent = {r["question"] for r in rows if r["divergent"] == "yes"}
    assert divergent == set(doc["divergent_questions"])


def test_raw_answers_are_pseudonymous(member, demo):
    invited = Response.objects.filter(campaign=demo).first()
    invited.name = ""
    invited.save()
    typed = Response.objects.filter(campaign=demo).last()
    typed.name = "Dana typed this"
    typed.save()
    rows = _csv(member.get(_url(demo, "answers", "csv")).content)
    assert len(rows) == Response.objects.filter(campaign=demo).count() == 63
    assert rows[0]["respondent"] == "R0001" and rows[-1]["respondent"] == "R0063"
    assert [r["name"] for r in rows if r["name"]] == ["Dana typed this"]
    assert {r["submitted"] for r in rows} == {"yes", "no"}
    references = set(Response.objects.filter(campaign=demo).values_list("respondent", flat=True))
    assert not references & {r["respondent"] for r in rows}
    assert set(rows[0]) >= {"function", "team", "site", "COL-1", "INF-7"}
    assert {r["COL-1"] for r in rows} <= {"0", "1", "2", "3", "NA", "DK", ""}
    assert {r["DR-1"] for r in rows} <= {"it", "ot", "joint", "vendor", "nobody", "NA", "DK", ""}


def test_raw_answers_carry_protected_teams_sites_and_functions(member, demo):
    """Rule 8: a pseudonymous row cannot be pinned to a small team. The demo's OT Security
    (3) and Plant Management (2) are hidden; their rows carry "*" for team, site and
    function, as do rows in progress (in no figure)."""
    rows = _csv(member.get(_url(demo, "answers", "csv")).content)
    teams = Counter(r["team"] for r in rows if r["submitted"] == "yes")
    assert "ot-security" not in teams and "plant-management" not in teams
    assert all(
        count >= 5
        for count in Counter(
            (r["function"], r["team"], r["site"]) for r in rows if r["submitted"] == "yes"
        ).values()
    )
    # Whoever lost the function lost team and site first; some lost only their team.
    assert {(r["team"], r["site"]) for r in rows if r["function"] == "*"} == {("*", "*")}
    assert any(r["team"] == "*" and r["function"] != "*" for r in rows)
    assert all(r["team"] == "*" for r in rows if r["submitted"] == "no")


def test_comments_export_has_no_names_and_only_shown_groups(member, demo):
    answer = (
        Answer.objects.filter(
            response__campaign=demo,
            response__team__slug="plant-management",
            response__submitted_at__isnull=False,
        )
        .select_related("question")
        .first()
    )
    answer.comment = "Budget for the OT network is approved for Q3."
    answer.save()
    rows = _csv(member.get(_url(demo, "comments", "csv")).content)
    by_team = {r["comment"]: r for r in rows}
    assert by_team["Remote access is whatever the vendor brings."]["team"] == "maintenance-north"
    assert by_team["Remote access is whatever the vendor brings."]["function"] == "OT"
    assert [r for r in rows if r["comment"].startswith("Budget")] == [
        {
            "question": answer.question.key,
            "text": answer.question.text,
            "comment": "Budget for the OT network is approved for Q3.",
            "function": "",  # the plant managers (2) are not a shown group
            "team": "",
        }
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formulas_are_neutralised(member, demo, start):
    payload = f'{start}HYPERLINK("http://evil.invalid","x")'
    Team.objects.filter(organization=demo.organization, slug="it-ops").update(name=payload)
    response = Response.objects.filter(campaign=demo).first()
    response.name = payload
    response.save()
    names = [r["name"] for r in _csv(member.get(_url(demo, "answers", "csv")).content)]
    assert "'" + payload in names
    cells = [
        cell
        for rows in _sheets(member.get(_url(demo, "answers", "xlsx")).content).values()
        for row in rows
        for cell in row
    ]
    assert "'" + payload.replace("\r", "") in [
        c.replace("\r", "") for c in cells if isinstance(c, str)
    ]
    team_names = [
        row[1] for row in _sheets(member.get(_url(demo, "scores", "xlsx")).content)["by_team"][1:]
    ]
    assert "'" + payload in team_names or "'" + payload.replace("\r", "") in team_names
    assert not any(isinstance(c, str) and c.startswith(start) for c in cells)


def test_negative_numbers_stay_numbers():
    assert exports.safe(-0.5) == -0.5
    assert exports.safe("-0.5") == "'-0.5"
    assert exports.safe(None) is None
    assert exports.safe(True) == "yes"


def test_viewers_get_aggregated_exports_only_and_outsiders_nothing(client, demo):
    viewer = builders.user("cio")
    ClientViewer.objects.create(user=viewer, organization=demo.organization)
    client.force_login(viewer)
    assert client.get(_url(demo, "scores", "xlsx")).content.startswith(b"PK")
    assert client.get(_url(demo, "questions", "csv")).status_code == 200
    assert client.get(_url(demo, "answers", "csv")).status_code == 403
    assert client.get(reverse("assessments:campaign-deck", args=[demo.slug])).status_code == 403
    outsider = builders.user("stranger", builders.workspace("elsewhere"))
    client.force_login(outsider)
    for kind in exports.KINDS:
        assert client.get(_url(demo, kind, "csv")).status_code == 404
    assert client.get(reverse("assessments:campaign-deck", args=[demo.slug])).status_code == 404
    client.force_login(get_user_model().objects.get(username="consultant"))
    assert client.get(_url(demo, "secrets", "csv")).status_code == 404
    assert client.get(_url(demo, "scores", "exe")).status_code == 404


def _title(slide) -> str:
    """A slide's title (its text box named "Title")."""
    return next(s.text_frame.text for s in slide.shapes if s.name == "Title")


def test_deck_has_native_editable_charts_with_the_scores(member, demo):
    response = member.get(reverse("assessments:campaign-deck", args=[demo.slug]))
    assert response["Content-Disposition"] == 'attachment; filename="acme-2026.pptx"'
    deck = Presentation(io.BytesIO(response.content))
    doc = campaign_scores(demo)
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    kinds = [chart.chart_type for chart in charts]
    assert XL_CHART_TYPE.BAR_CLUSTERED in kinds and XL_CHART_TYPE.RADAR_MARKERS in kinds
    bars = charts[kinds.index(XL_CHART_TYPE.BAR_CLUSTERED)]
    scores = list(bars.plots[0].series[0].values)
    order = list(labels_for(demo).dimensions)  # the bank's order (PostgreSQL's jsonb sorts keys)
    assert scores == [doc["overall"]["dimensions"][k]["score"] for k in order]
    radar = charts[kinds.index(XL_CHART_TYPE.RADAR_MARKERS)]
    names = [series.name for series in radar.plots[0].series]
    assert names == ["Everyone", "IT", "OT"]
    it = [doc["by_function"]["it"]["dimensions"][k]["score"] for k in order]
    assert list(radar.plots[0].series[1].values) == it
    text = " ".join(
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert f"Stage score {places(doc['overall']['stage_score'])}" in text  # two decimals
    assert doc["recommendations"][0]["text"] in text
    # The consultancy on every slide; titles that state findings; the slides issue 20 asks.
    slides = list(deck.slides)
    assert len(slides) >= 9
    for slide in slides[1:]:
        words = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert "Northwind Consulting · ACME Manufacturing" in words
    titles = [_title(slide) for slide in slides[1:]]
    assert titles[0] == "Stage 1: Individual project teams"
    assert "65% of the way to the targets" in titles
    assert any(t.startswith("Most progress since ACME baseline assessment 2025") for t in titles)
    assert any(t.startswith("Who decides: 5 decisions disputed") for t in titles)
    assert any(t.endswith("questions divide the room") for t in titles)


# --- The JSON API ----------------------------------------------------------------------------


def _token(client, user) -> str:
    client.force_login(user)
    blank = client.get(reverse("assessments:profile")).content.decode()
    # logout, the language switch, and one token form (no nested crispy form)
    assert blank.count("<form") == 3
    page = client.post(reverse("assessments:profile"), {"name": "Power BI"}).content.decode()
    start = page.index('id="new-token">') + len('id="new-token">')
    return page[start : page.index("<", start)]


def test_api_token_lists_campaigns_and_serves_the_score_document(client, demo, capsys):
    consultant = get_user_model().objects.get(username="consultant")
    token = _token(client, consultant)
    assert token.startswith("cvg_") and len(token) > 40
    stored = ApiToken.objects.get(user=consultant)
    assert stored.token_hash != token and token not in stored.token_hash
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listing = client.get(reverse("assessments:api-campaigns"), **auth).json()
    assert [c["slug"] for c in listing["campaigns"]] == ["acme-2026", "acme-2025", "bergmann-2026"]
    scores = client.get(listing["campaigns"][0]["scores_url"], **auth)
    assert scores["Content-Type"] == "application/json"
    call_command("score", "acme-2026", "--json")
    assert scores.json() == json.loads(capsys.readouterr().out)
    assert ApiToken.objects.get(user=consultant).last_used is not None


def test_api_scores_a_view_and_says_what_is_wrong_with_one(client, demo, capsys):
    consultant = get_user_model().objects.get(username="consultant")
    token = _token(client, consultant)
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = reverse("assessments:api-campaign-scores", args=[demo.slug])
    view = client.get(url, {"site": "plant-south", "function": "ot"}, **auth).json()
    call_command("score", demo.slug, "--json", "--site", "plant-south", "--function", "ot")
    assert view == json.loads(capsys.readouterr().out)
    assert view["view"] == {"site": "plant-south", "function": "ot"}
    wrong = client.get(url, {"site": "mars"}, **auth)
    assert wrong.status_code == 400
    assert (
        "'mars' is not a site of ACME Manufacturing (plant-north, plant-south)"
        in (wrong.json()["error"])
    )


def test_api_refuses_what_it_should(client, demo):
    url = reverse("assessments:api-campaign-scores", args=[demo.slug])
    assert client.get(url).status_code == 401
    assert client.get(url).headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(url, HTTP_AUTHORIZATION="Bearer cvg_guess").status_code == 401
    outsider = builders.user("stranger", builders.workspace("elsewhere"))
    token = _token(client, outsider)
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(url, **auth).status_code == 404
    assert client.get(url, **auth).json() == {"error": "Not found."}
    assert client.get(reverse("assessments:api-campaigns"), **auth).json() == {"campaigns": []}
    assert client.post(url, **auth).status_code == 405
    # Issue 16.15: with CSRF checks on (as in production), a POST still gets the JSON 405.
    strict = Client(enforce_csrf_checks=True)
    posted = strict.post(url, **auth)
    assert (posted.status_code, posted.json()) == (405, {"error": "The API is read-only: use GET."})
    # A client viewer reads the organisation's scores through the API too.
    viewer = builders.user("cio")
    ClientViewer.objects.create(user=viewer, organization=demo.organization)
    token = _token(client, viewer)
    client.logout()
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json()["campaign"] == "acme-2026"


def test_revoked_token_no_longer_opens_the_api(client, demo):
    consultant = get_user_model().objects.get(username="consultant")
    token = _token(client, consultant)
    row = ApiToken.objects.get(user=consultant)
    someone = builders.user("someone", builders.workspace("elsewhere"))
    client.force_login(someone)
    revoke = reverse("assessments:token-revoke", args=[row.pk])
    assert client.post(revoke).status_code == 404  # not theirs
    client.force_login(consultant)
    page = client.post(revoke, follow=True).content.decode()
    assert "revoked" in page and not ApiToken.objects.exists()
    client.logout()
    url = reverse("assessments:api-campaigns")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_deck_workbooks_hold_names_as_text_not_formulas(workspace):
    """Issue 16.14: a dimension named `=1+1 …` became a live formula in the embedded chart
    workbooks of the deck."""
    from openpyxl import load_workbook

    from assessments.files.banks import bank_import
    from assessments.outputs.deck import campaign_deck
    from assessments.services.survey import (
        answer_save,
        invitation_create,
        response_start,
        response_submit,
    )

    doc = builders.small_bank_document(bank="formula")
    doc["dimensions"][0]["name"] = '=HYPERLINK("http://evil.example","click")'
    doc["dimensions"][1]["name"] = "+1+1 Scaling"
    version = bank_import(data=builders.as_yaml(doc), fmt="yaml").version
    org = builders.organization(workspace, slug="formula")  # beside the demo (acme)
    campaign = builders.campaign(
        workspace, slug="formula-2026", org=org, version=version, min_group_size=1
    )
    link = invitation_create(campaign=campaign, kind="person")
    response = response_start(invitation=link.invitation, function="it")
    for question in version.questions.prefetch_related("choices"):
        answer_save(response=response, question=question, value="2")
    response_submit(response=response)
    deck = Presentation(io.BytesIO(campaign_deck(campaign)))
    formulas, texts = [], set()
    for slide in deck.slides:
        for shape in slide.shapes:
            if not shape.has_chart:
                continue
            blob = shape.chart.part.chart_workbook.xlsx_part.blob
            sheet = load_workbook(io.BytesIO(blob)).active
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        formulas.append(cell.value)
                    elif isinstance(cell.value, str):
                        texts.add(cell.value)
    assert formulas == []
    assert '\'=HYPERLINK("http://evil.example","click")' in texts
    assert "'+1+1 Scaling" in texts


def test_excel_is_made_for_people_and_still_reads_like_the_csv(member, demo):
    """The contract's names stay in row 1 (a script reads the sheet like the CSV); people get
    numbers as numbers, a frozen filtered header, columns as wide as their text, and an
    "about" sheet, last, that names every key."""
    body = member.get(_url(demo, "answers", "xlsx")).content
    book = load_workbook(io.BytesIO(body))
    answers = book.worksheets[0]
    assert answers.title == "answers" and book.sheetnames[-1] == "about"
    header = [cell.value for cell in answers[1]]
    column = header.index("COL-1") + 1
    values = {answers.cell(row=r, column=column).value for r in range(2, answers.max_row + 1)}
    assert {v for v in values if isinstance(v, int)} <= {0, 1, 2, 3} and any(
        isinstance(v, int) for v in values
    )
    assert answers.freeze_panes == "A2" and answers.auto_filter.ref
    assert answers.column_dimensions["A"].width >= len("respondent")
    about = dict(book["about"].iter_rows(min_row=2, values_only=True))
    assert about["collaboration"] == "Organisation and collaboration"
    assert about["it-ops"] == "IT Operations"
    scores = load_workbook(io.BytesIO(member.get(_url(demo, "scores", "xlsx")).content))
    header = [c.value for c in scores["overall.dimensions"][1]]
    assert header[:2] == ["item", "name"] and "score" in header  # the JSON's names
