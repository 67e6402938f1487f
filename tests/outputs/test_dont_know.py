"""Don't know as a finding (issue 17, point 3): "OT answered Don't know to 50 % of the
Collaboration questions", from shown groups only, on the dashboard and in the report, equal
to the score document."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.files.responses import responses_import
from assessments.outputs import findings
from assessments.outputs.dashboard import labels_for
from assessments.outputs.report import report_context
from assessments.selectors.scores import campaign_scores
from tests import builders
from tests.html import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    campaign = builders.campaign(workspace, version=builders.decision_bank())
    rows = ["respondent,function,team,site,submitted,C-1,C-2,S-1,S-2,I-1"]
    for n in range(6):
        rows.append(f"it{n},,it-ops,north,yes,2,2,1,1,2")
        rows.append(f"ot{n},,ot-north,north,yes,DK,1,1,1,1")
    responses_import(campaign=campaign, data="\n".join(rows).encode(), filename="a.csv")
    return campaign


def test_the_finding_reads_the_score_document(campaign):
    doc = campaign_scores(campaign)
    share = doc["by_function"]["ot"]["dimensions"]["collab"]["dont_know"]
    assert share == 0.5
    found = findings.dont_know(doc, labels_for(campaign))
    assert {"who": "OT", "dimension": "Collaboration", "share": 0.5} in found
    assert found[0]["share"] == 0.5  # the largest first
    assert all(item["who"] != "IT" for item in found)  # IT knew


def test_a_hidden_group_says_nothing_about_what_it_did_not_know(campaign):
    doc = campaign_scores(campaign)
    doc["by_function"]["ot"] = {"n": 0, "answered": 6, "suppressed": True}
    assert all(item["who"] != "OT" for item in findings.dont_know(doc, labels_for(campaign)))


def test_dashboard_and_report_say_it(client, owner, campaign):
    client.force_login(owner)
    page = client.get(reverse("assessments:campaign-dashboard", args=[campaign.slug]))
    text = visible_text(page.content.decode())
    assert "OT answered Don't know to 50 % of the Collaboration questions" in text
    context = report_context(campaign)
    assert {"who": "OT", "dimension": "Collaboration", "share": 0.5} in context["dont_know"]


def test_a_low_response_rate_is_said_everywhere(client, owner, campaign):
    """Rule 16 with a warning: 12 answered of 60 expected is 20 %."""
    from assessments.models import Team
    from assessments.selectors.campaigns import completion

    Team.objects.filter(organization=campaign.organization, slug__in=["it-ops", "ot-north"]).update(
        headcount=30
    )
    done = completion(campaign)
    rates = {team.slug: counts["rate"] for team, counts in done["teams"]}
    assert rates["it-ops"] == rates["ot-north"] == 0.2 and rates["biz"] is None
    assert (done["expected"], done["rate"]) == (60, 0.2)
    client.force_login(owner)
    page = client.get(reverse("assessments:campaign-detail", args=[campaign.slug]))
    text = visible_text(page.content.decode())
    assert "20 % of the 60 people expected low" in text
    assert "20 % of 30 low" in text
    dashboard = client.get(reverse("assessments:campaign-dashboard", args=[campaign.slug]))
    assert "Only 20 % of the 60 people expected have answered" in visible_text(
        dashboard.content.decode()
    )
    assert campaign_scores(campaign)["respondents"]["response_rate"] == 0.2


def test_the_score_exports_carry_the_shares(campaign):
    from assessments.files.exports import score_rows_long, tables_for

    rows = score_rows_long(tables_for(campaign, "scores")).rows
    shares = {(table, item, field): value for table, item, field, value in rows}
    assert shares[("by_function", "ot", "dimensions.collab.dont_know")] == 0.5
    assert shares[("by_function", "it", "dimensions.collab.dont_know")] == 0.0
    assert shares[("overall.dimensions", "collab", "dont_know")] == 0.25


def test_the_decision_matrix_on_the_dashboard_and_in_the_report(client, owner, workspace):
    """Rule 15: IT says IT decides, OT says OT decides: disputed, highlighted."""
    campaign = builders.campaign(workspace, slug="dr-2026", version=builders.decision_bank())
    rows = ["respondent,function,team,site,submitted,C-1,C-2,S-1,S-2,I-1,D-1"]
    for n in range(6):
        rows.append(f"it{n},,it-ops,north,yes,2,2,1,1,2,it")
        rows.append(f"ot{n},,ot-north,north,yes,1,1,1,1,1,ot")
    responses_import(campaign=campaign, data="\n".join(rows).encode(), filename="a.csv")
    doc = campaign_scores(campaign)
    assert doc["decisions"]["D-1"]["disputed"] is True
    matrix = findings.decision_matrix(doc, labels_for(campaign))
    row = matrix["rows"][0]
    assert (row["owner"], row["it"], row["ot"], row["disputed"]) == ("Contested", "IT", "OT", True)
    assert row["clarity"] == doc["decisions"]["D-1"]["clarity"] == 0.5
    client.force_login(owner)
    page = client.get(reverse("assessments:campaign-dashboard", args=[campaign.slug]))
    text = visible_text(page.content.decode())
    assert "1 disputed" in text and "Who decides Contested" not in text
    table = [
        r
        for r in __import__("tests.html", fromlist=["table_rows"]).table_rows(page)
        if r and r[0].startswith("Who decides whether a machine")
    ]
    assert table == [
        [
            "Who decides whether a machine may join the plant network? disputed",
            "Contested",
            "IT",
            "OT",
            "50 %",
            "0 %",
            "0 %",
        ]
    ]
    assert report_context(campaign)["decisions"]["disputed"] == 1
