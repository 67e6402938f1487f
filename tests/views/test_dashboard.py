"""The campaign dashboard: the figures of the score document, in words and charts, for
consultants and client viewers; filters; thin states; a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Campaign, ClientViewer
from assessments.selectors import ScoreFilter, campaign_scores
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo")


@pytest.fixture
def consultant_client(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="consultant"))
    return client


def dashboard(client, slug="acme-2026", **params):
    response = client.get(reverse("assessments:campaign-dashboard", args=[slug]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_dashboard_says_the_stage_the_reason_the_gap_and_the_first_step(consultant_client):
    doc = campaign_scores(Campaign.objects.get(slug="acme-2026"))
    html = dashboard(consultant_client)
    overall = doc["overall"]
    assert f"Stage {overall['stage']}</p>" in html
    assert f"Stage score {overall['stage_score']:.2f} of 3" in html
    assert "Why not Stage 2 (Central project team)?" in html
    for blocker in overall["blockers"]:
        name = {"scaling": "Scaling and continuity", "decisions": "Decisions and shared goals"}[
            blocker["dimension"]
        ]
        assert f"<strong>{name}</strong> scores {blocker['score']:.2f}" in html
    gaps = {k: g["gap"] for k, g in doc["perception_gaps"].items() if g["gap"] is not None}
    largest = max(gaps, key=lambda k: abs(gaps[k]))
    assert largest == "infrastructure"
    assert f"IT rates IT infrastructure {abs(gaps[largest]):.2f} stages higher than OT" in html
    first = doc["recommendations"][0]
    plain = html.replace("&quot;", '"').replace("&#x27;", "'")
    assert f"<strong>First thing to do:</strong> {first['text']}" in plain
    assert "Holding you back:</strong> Employee skills" in html


def test_every_dimension_score_is_the_score_documents(consultant_client):
    doc = campaign_scores(Campaign.objects.get(slug="acme-2026"))
    html = dashboard(consultant_client)
    table = html.split("Dimension scores as a table")[1].split("</table>")[0]
    for figures in doc["overall"]["dimensions"].values():
        assert f'<td class="text-end">{figures["score"]:.2f}</td>' in table


def test_suppressed_team_shows_no_number(consultant_client):
    html = dashboard(consultant_client)
    teams = html.split("Teams as a table")[1].split("</table>")[0]
    row = re.search(r"<tr><td>Plant Management</td>(.*?)</tr>", teams, re.S).group(1)
    assert "fewer than 3 responses" in row
    assert re.findall(r"\d+\.\d+", row) == []
    assert '<td class="text-end">2</td>' in row  # its size, and nothing else


def test_charts_are_embedded_with_titles_that_state_findings(consultant_client):
    html = dashboard(consultant_client)
    for chart in ("dimensions", "radar", "gaps", "teams", "sites", "progress", "trend"):
        assert f'id="fig-{chart}"' in html, chart
    assert "of the way to the targets" in html
    assert "/static/plotly/plotly.min.js" in html
    assert "cdn" not in html.lower()


def test_filter_by_site_rescores_that_subset_and_is_in_the_address(consultant_client):
    campaign = Campaign.objects.get(slug="acme-2026")
    north = campaign_scores(campaign, ScoreFilter(site="plant-north"))
    html = dashboard(consultant_client, site="plant-north")
    assert f"{north['respondents']['submitted']} responses submitted in this view" in html
    assert '<option value="plant-north" selected>' in html
    # An unknown filter value is ignored, not trusted.
    html = dashboard(consultant_client, site="<script>", function="ceo")
    assert "56 responses submitted<" in html


def test_filter_to_a_small_group_shows_the_thin_state(consultant_client):
    html = dashboard(consultant_client, function="leadership")
    assert "Not enough answers yet" in html
    assert "2 responses submitted in this view; figures appear from 3" in html
    assert 'id="fig-' not in html


def test_empty_campaign_says_what_is_missing_and_links_to_invitations(client, workspace, owner):
    campaign = builders.campaign(workspace)
    client.force_login(owner)
    html = dashboard(client, campaign.slug)
    assert "No one has submitted answers yet" in html
    assert reverse("assessments:campaign-detail", args=[campaign.slug]) in html
    assert 'id="fig-' not in html


def test_client_viewer_sees_the_dashboard_but_nothing_of_other_organisations(client, demo):
    from django.contrib.auth import get_user_model

    from assessments.models import Organization

    viewer = builders.user("cio")
    ClientViewer.objects.create(user=viewer, organization=Organization.objects.get(slug="acme"))
    client.force_login(viewer)
    html = dashboard(client)
    assert "Why not Stage 2" in html
    assert "Invite people" not in html
    other = builders.workspace("rival-consulting")
    other_campaign = builders.campaign(
        other, slug="other-2026", org=builders.organization(other, slug="rivalco")
    )
    response = client.get(reverse("assessments:campaign-dashboard", args=[other_campaign.slug]))
    assert response.status_code == 404
    home = client.get(reverse("assessments:home")).content.decode()
    assert "ACME Manufacturing" in home and "Rivalco" not in home
    assert get_user_model().objects.filter(username="cio").exists()


DASHBOARD_QUERIES = 18  # the same for 12 or 300 respondents (warm score cache)


def test_dashboard_issues_a_fixed_number_of_queries(
    client, workspace, owner, django_assert_num_queries
):
    from assessments import demo as generator
    from assessments.responses import responses_import

    client.force_login(owner)
    version = builders.default_bank()
    org = builders.organization(workspace)
    questions = generator.question_infos(version)
    sizes = {"small": 12, "large": 300}
    for slug, size in sizes.items():
        campaign = builders.campaign(workspace, slug=slug, org=org, version=version)
        plans = [
            generator.TeamPlan("it-ops", "it", size // 2),
            generator.TeamPlan("ot-north", "ot", size - size // 2),
        ]
        rows = generator.generate_rows(
            questions, plans, levels=generator.CURRENT_LEVELS, seed=size, prefix=slug
        )
        responses_import(
            campaign=campaign, data=generator.rows_to_csv(rows, questions), filename="a.csv"
        )
        url = reverse("assessments:campaign-dashboard", args=[slug])
        client.get(url)  # warm the score cache
        with django_assert_num_queries(DASHBOARD_QUERIES):
            assert client.get(url).status_code == 200


def test_organisation_page_shows_latest_stage_per_site_and_the_trend(consultant_client):
    doc = campaign_scores(Campaign.objects.get(slug="acme-2026"))
    html = consultant_client.get(
        reverse("assessments:organization-detail", args=["acme"])
    ).content.decode()
    assert "Where ACME Manufacturing stands" in html
    north = doc["by_site"]["plant-north"]
    assert (
        f'<tr><td>Plant North</td><td class="text-end">{north["n"]}</td>'
        f'<td class="text-end">Stage {north["stage"]} ({north["stage_score"]:.2f})' in html
    )
    assert 'id="fig-org-trend"' in html
    assert "over 2 campaigns" in html
