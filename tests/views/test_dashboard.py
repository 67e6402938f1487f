"""The campaign dashboard: the figures of the score document, in words and charts, for
consultants and client viewers; filters; thin states; a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments.formatting import places
from assessments.models import Campaign, ClientViewer, Initiative
from assessments.outputs import charts
from assessments.outputs.dashboard import labels_for
from assessments.selectors.scores import ScoreFilter, campaign_scores
from tests import builders
from tests.html import table_rows

pytestmark = pytest.mark.django_db


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
    assert "Why not Stage 2 (Joint IT/OT project team)?" in html
    for blocker in overall["blockers"]:
        name = {
            "scaling": "Delivery, scaling and continuity",
            "decisions": "Decisions and shared goals",
        }[blocker["dimension"]]
        assert f"<strong>{name}</strong> scores {blocker['score']:.2f}" in html
    gaps = {k: g for k, g in doc["perception_gaps"].items() if g["flagged"]}
    largest = max(gaps, key=lambda k: abs(gaps[k]["gap"]))
    assert largest == "infrastructure"
    gap = gaps[largest]
    assert (
        f"IT rates IT infrastructure {abs(gap['gap']):.2f} ± {2 * gap['se']:.2f} stages higher "
        "than OT, worth discussing" in html
    )
    first = doc["recommendations"][0]
    plain = html.replace("&quot;", '"').replace("&#x27;", "'")
    assert f"<strong>First thing to do:</strong> {first['text']}" in plain
    # Rule 13: the first thing to do is what blocks the next stage.
    assert first["dimension"] == overall["blockers"][0]["dimension"]
    assert "blocks the next stage)" in plain
    assert "Holding you back:</strong> Employee skills" in html
    assert "an enabler not yet at Stage 2 makes the next step harder." in plain


def test_every_dimension_score_is_the_score_documents(consultant_client):
    doc = campaign_scores(Campaign.objects.get(slug="acme-2026"))
    html = dashboard(consultant_client)
    table = table_rows(html.split("Dimension scores as a table")[1].split("</table>")[0])
    cells = {cell for row in table for cell in row}
    for figures in doc["overall"]["dimensions"].values():
        assert places(figures["score"]) in cells
    # The bar chart's labels are the same figures, rounded the same way (1.765 reads 1.77).
    campaign = Campaign.objects.get(slug="acme-2026")
    bars = charts.dimension_bars(doc, labels_for(campaign)).data[0]
    assert sorted(bars.text) == sorted(
        places(f["score"]) for f in doc["overall"]["dimensions"].values()
    )


def test_suppressed_team_shows_no_number(consultant_client):
    html = dashboard(consultant_client)
    teams = html.split("Teams as a table")[1].split("</table>")[0]
    row = re.search(r"<tr><td>Plant Management</td>(.*?)</tr>", teams, re.S).group(1)
    # Its count and response rate (counts, not answers), and nothing else.
    assert "2 responses; fewer than 5 that can be shown without singling anyone out" in row
    assert "not shown" in row and "67 % of 3" in row
    assert re.findall(r"\d+\.\d+", row) == []
    # A shown team whose figures rest on fewer than all its responses says so.
    it_ops = re.search(r"<tr><td>IT Operations</td>(.*?)</tr>", teams, re.S).group(1)
    doc = campaign_scores(Campaign.objects.get(slug="acme-2026"))["by_team"]["it-ops"]
    assert doc["n"] < doc["answered"]
    assert f"figures from {doc['n']} of {doc['answered']} responses" in it_ops


def test_charts_are_embedded_with_titles_that_state_findings(consultant_client):
    html = dashboard(consultant_client)
    for chart in ("dimensions", "radar", "gaps", "teams", "sites", "progress", "trend"):
        assert f'id="fig-{chart}"' in html, chart
    assert "of the way to the targets" in html
    assert "/static/plotly/plotly.min.js" in html
    assert not re.search(r"(?i)//[^\"' ]*cdn", html)  # no CDN address (a token may hold "cdn")


def test_filter_by_site_rescores_that_subset_and_is_in_the_address(consultant_client):
    campaign = Campaign.objects.get(slug="acme-2026")
    north = campaign_scores(campaign, ScoreFilter(site="plant-north"))
    html = dashboard(consultant_client, site="plant-north")
    assert (
        f"This view: figures from {north['overall']['n']} of {north['overall']['answered']} "
        "responses." in html
    )
    assert f"Stage score {north['overall']['stage_score']:.2f} of 3" in html
    assert '<option value="plant-north" selected>' in html
    south = campaign_scores(campaign, ScoreFilter(site="plant-south"))
    html = dashboard(consultant_client, site="plant-south")
    # Part of the South's responses are protected (rule 8): the page says how many count.
    assert south["overall"]["n"] < south["overall"]["answered"]
    assert (
        f"This view: figures from {south['overall']['n']} of {south['overall']['answered']} "
        "responses." in html
    )
    # An unknown filter value is ignored, not trusted.
    html = dashboard(consultant_client, site="<script>", function="ceo")
    assert "59 responses, 80 % of the 74 people expected." in html


def test_filter_to_a_small_group_shows_its_count_and_nothing_else(consultant_client):
    html = dashboard(consultant_client, function="leadership")
    assert "Nothing can be shown for this view" in html
    assert "2 responses submitted in this view: fewer than 5 that can be shown" in html
    assert 'id="fig-' not in html
    main = html.split('id="thin-state"')[1].split("</div>")[0]
    assert re.findall(r"\d+\.\d+", main) == []


def test_site_view_leaves_nothing_to_subtract(consultant_client):
    """The attack of issue 14: in a site's view, the group's answers minus the shown
    functions' answers gave away a hidden leader's. Now a site view holds only classes with
    a function, so the shown functions' answers add up to the group's, question by question,
    and the leader is in none of them."""
    from assessments.selectors.scores import campaign_snapshot

    campaign = Campaign.objects.get(slug="acme-2026")
    view = ScoreFilter(site="plant-north")
    snapshot = campaign_snapshot(campaign, view)
    doc = snapshot.document
    assert doc["by_function"]["leadership"]["suppressed"]
    assert snapshot.distributions, "the demo has divergent questions"
    for key, per_function in snapshot.distributions.items():
        assert "leadership" not in per_function
        answered = sum(n for counts in per_function.values() for k, n in counts.items())
        figures = doc["questions"][key]
        assert answered == figures["n"] + figures["na"] + figures["dk"], key
    html = dashboard(consultant_client, site="plant-north")
    assert "Leadership" not in html.split('id="divergent"')[1].split("</section>")[0]


def test_trend_draws_each_campaign_at_its_own_stage_score(consultant_client):
    campaign = Campaign.objects.get(slug="acme-2026")
    baseline = campaign_scores(Campaign.objects.get(slug="acme-2025"))["overall"]
    current = campaign_scores(campaign)["overall"]
    assert baseline["stage_score"] != current["stage_score"]
    from assessments.outputs.dashboard import trend

    points = trend(campaign, campaign_scores(campaign))
    assert [(p.campaign, p.stage, p.stage_score) for p in points] == [
        ("acme-2025", baseline["stage"], baseline["stage_score"]),
        ("acme-2026", current["stage"], current["stage_score"]),
    ]
    html = dashboard(consultant_client)
    change = current["stage_score"] - baseline["stage_score"]
    assert f"Stage score up {change:.2f} over 2 campaigns" in html
    # A site's view draws the same trend of the whole organisation, and says so.
    html = dashboard(consultant_client, site="plant-north")
    assert f"Stage score up {change:.2f} over 2 campaigns (the whole organisation)" in html
    # The 2025 dashboard draws the same two points, not its own score twice.
    earlier = Campaign.objects.get(slug="acme-2025")
    old = trend(earlier, campaign_scores(earlier))
    assert [p.stage_score for p in old] == [baseline["stage_score"], current["stage_score"]]


def test_comments_are_shown_without_names_and_only_for_shown_groups(consultant_client):
    from assessments.models import Answer

    campaign = Campaign.objects.get(slug="acme-2026")

    def comment_on(team: str, text: str) -> None:
        answer = Answer.objects.filter(
            response__campaign=campaign,
            response__team__slug=team,
            response__submitted_at__isnull=False,
            question__key="COL-1",
        ).first()
        answer.comment = text
        answer.save()

    comment_on("maintenance-north", "The night shift calls IT directly.")
    comment_on("plant-management", "We never see the IT roadmap.")
    html = dashboard(consultant_client)
    assert "“The night shift calls IT directly.” <span" in html
    assert "(OT, Maintenance North)" in html
    # The plant manager's comment is shown, but with no function or team.
    assert "<li>“We never see the IT roadmap.”</li>" in html
    # In the view of one function, only that function's comments.
    html = dashboard(consultant_client, function="it")
    assert "The night shift calls IT directly." not in html


def test_empty_campaign_says_what_is_missing_and_links_to_invitations(client, workspace, owner):
    # Beside the demo (seeded once for this module), so another client's names.
    org = builders.organization(workspace, slug="globex")
    campaign = builders.campaign(workspace, slug="globex-2026", org=org)
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


# The same for 30 or 300 respondents, and for one or two other campaigns in the trend (warm
# score cache): the snapshot and its fingerprint (6), the labels, the trend's campaigns and
# their snapshots in one batch (7), agreed answers, comments, the roadmap's initiatives
# (however many), and the session and user.
DASHBOARD_QUERIES = 29


def test_dashboard_issues_a_fixed_number_of_queries(
    client, workspace, owner, django_assert_num_queries
):
    from assessments import demo as generator
    from assessments.files.responses import responses_import

    client.force_login(owner)
    version = builders.default_bank()
    org = builders.organization(workspace, slug="globex")
    questions = generator.question_infos(version)
    sizes = {"small": 12, "large": 300, "third": 30}
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
        for number in range(size // 30):  # 10 initiatives for 300 respondents, 1 for 30
            Initiative.objects.create(
                campaign=campaign, title=f"Step {number}", owner="OT", dimensions=["skills"]
            )
        if slug == "small":
            continue  # measured once the trend has another campaign
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
    row = next(row for row in table_rows(html) if row[0] == "Plant North")
    assert row[1:3] == [
        f"figures from {north['n']} of {north['answered']} responses",
        f"Stage {north['stage']} ({north['stage_score']:.2f})",
    ]
    assert 'id="fig-org-trend"' in html
    assert "over 2 campaigns" in html
