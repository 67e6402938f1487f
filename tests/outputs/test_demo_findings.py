"""Issue 17, done when: the dashboard and the PDF show the decision-rights matrix, Don't-know
rates and response rates from the demo data, matching `score --json`."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from assessments.outputs import report
from assessments.vocabulary import DECISION_SHORT
from tests.html import table_rows, visible_text
from tests.outputs.test_report import NO_CHROMIUM, pdf_text

pytestmark = pytest.mark.django_db
OWNER = {**DECISION_SHORT, "contested": "Contested"}


@pytest.fixture
def document(demo, capsys):
    call_command("score", demo.slug, "--json")
    return json.loads(capsys.readouterr().out)


def _percent(share: float) -> str:
    return f"{round(100 * share)} %"


def test_the_dashboard_shows_who_decides_dont_know_and_response_rates(client, demo, document):
    client.force_login(get_user_model().objects.get(username="consultant"))
    html = client.get(reverse("assessments:campaign-dashboard", args=[demo.slug])).content.decode()
    matrix = table_rows(html.split('id="decision-matrix"')[1].split("</table>")[0])
    decisions = document["decisions"]
    assert len(matrix) - 1 == len(decisions) == 10
    # The first cell: the decision, "disputed", and what a workshop agreed (DR-2 in the demo).
    by_text = {
        re.sub(r"( disputed)?( Agreed in the workshop: .*)?$", "", row[0]): row
        for row in matrix[1:]
    }
    texts = {q.key: q.text for q in demo.bank_version.questions.filter(kind="decision")}
    for key, figures in decisions.items():
        row = by_text[texts[key]]
        assert row[1].startswith(OWNER[figures["owner"]]), key
        assert row[2:4] == [OWNER[figures["it_owner"]], OWNER[figures["ot_owner"]]], key
        assert row[4] == _percent(figures["clarity"]), key
    disputed = [k for k, d in decisions.items() if d["disputed"]]
    assert ["disputed" in r[0] for r in matrix[1:]] == [True] * len(disputed) + [False] * (
        10 - len(disputed)
    )
    # Don't know: the OT group's IT-infrastructure share, the demo's largest.
    ot = document["by_function"]["ot"]["dimensions"]["infrastructure"]["dont_know"]
    assert ot >= 0.2
    text = visible_text(html)
    assert f"OT answered Don't know to {_percent(ot)} of the IT infrastructure questions" in text
    # Response rates: everyone, and per team beside its headcount.
    respondents = document["respondents"]
    assert (
        f"{respondents['submitted']} responses, {_percent(respondents['response_rate'])} of the "
        f"{respondents['expected']} people expected" in text
    )
    teams = html.split("Teams as a table")[1].split("</table>")[0]
    maintenance = document["by_team"]["maintenance-north"]
    assert f"{_percent(maintenance['response_rate'])} of {maintenance['headcount']}" in teams


@NO_CHROMIUM
def test_the_pdf_shows_the_same(demo, document):
    text = pdf_text(report.campaign_report_pdf(demo))
    assert "Who decides" in text
    disputed = sum(d["disputed"] for d in document["decisions"].values())
    assert f"{disputed} disputed: IT and OT name different owners" in text
    index = document["overall"]["decision_rights"]
    assert f"{_percent(index['joint'])} joint, {_percent(index['clarity'])} clarity" in text
    ot = document["by_function"]["ot"]["dimensions"]["infrastructure"]["dont_know"]
    assert re.search(rf"OT IT infrastructure {round(100 * ot)} %", text)
    respondents = document["respondents"]
    assert f"{_percent(respondents['response_rate'])} of the {respondents['expected']}" in text
