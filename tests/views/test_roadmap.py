"""The roadmap a consultant can run: a recommendation becomes an initiative (title, owner,
horizon, impact, effort, dimensions and blocking questions), the dashboard places it on the
impact/effort matrix and lists it, the next campaign says whether it worked; bad input is
refused at its field with nothing written; a client viewer reads and changes nothing."""

from __future__ import annotations

import math
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessments.formatting import places, signed
from assessments.models import Campaign, ClientViewer, Initiative, Organization
from assessments.selectors.scores import campaign_scores
from tests import builders
from tests.html import table_rows, visible_text


@pytest.fixture
def consultant_client(client, demo):
    client.force_login(get_user_model().objects.get(username="consultant"))
    return client


def _new(slug="acme-2026"):
    return reverse("assessments:initiative-create", args=[slug])


def _dashboard(client, slug="acme-2026") -> str:
    response = client.get(reverse("assessments:campaign-dashboard", args=[slug]))
    assert response.status_code == 200
    return response.content.decode()


def _roadmap_rows(html: str) -> list[list[str]]:
    section = html[
        html.index('id="initiatives"') : html.index("</table>", html.index('id="initiatives"'))
    ]
    return [row for row in table_rows(f"<table {section}</table>") if row[0] != "#"]


def _checked(page: str, name: str) -> set[str]:
    """The values of the checked inputs called `name`."""
    found = set()
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and " checked" in tag:
            found.add(re.search(r'value="([^"]*)"', tag).group(1))
    return found


def test_a_recommendation_becomes_an_initiative_on_the_roadmap(consultant_client, demo):
    # The dashboard offers each recommendation as an initiative.
    html = _dashboard(consultant_client)
    assert f'href="{_new()}?dimension=scaling"' in html
    # The form comes filled from the recommendation: its advice, its dimension, and the
    # questions that block it (scaling blocks the next stage: the blocker's own questions).
    page = consultant_client.get(_new(), {"dimension": "scaling"}).content.decode()
    doc = campaign_scores(demo)
    blocker = next(b for b in doc["overall"]["blockers"] if b["dimension"] == "scaling")
    assert _checked(page, "questions") == set(blocker["questions"][:3])
    assert _checked(page, "dimensions") == {"scaling"}
    assert 'value="Before starting more pilots' in page

    response = consultant_client.post(
        _new(),
        {
            "title": "Runbook for the North line's best pilot",
            "owner": "Plant manager South",
            "dimensions": ["scaling"],
            "questions": blocker["questions"][:2],
            "horizon": "12",
            "impact": "3",
            "effort": "1",
            "status": "started",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/campaigns/acme-2026/dashboard/#roadmap")
    made = Initiative.objects.get(title="Runbook for the North line's best pilot")
    assert (made.campaign, made.owner, made.horizon, made.impact, made.effort) == (
        demo,
        "Plant manager South",
        12,
        3,
        1,
    )
    assert made.questions == sorted(blocker["questions"][:2])  # in the bank's order

    rows = _roadmap_rows(_dashboard(consultant_client))
    # Soonest first, then most impact for least effort: the demo's two 0-3 month ones, then
    # the new 3-12 month quick win before the 3-12 month big bet.
    assert [row[1].split(" (")[0] for row in rows] == [
        "Joint IT/OT targets in next year's objectives",
        "Name a stand-in for each of the two IT/OT experts",
        "Runbook for the North line's best pilot",
        "Roll the North line's machine-data platform out to Plant South",
        "IT/OT job rotation: two weeks a year for each engineer",
    ]
    third = rows[2]
    assert third[0] == "3" and third[2:7] == [
        "Plant manager South",
        "3\u201312 months",
        "high",
        "low",
        "Started",
    ]
    assert "(quick win)" in third[1] and "Delivery, scaling and continuity" in third[1]


def test_the_matrix_places_each_initiative_at_its_impact_and_effort(consultant_client, demo):
    html = _dashboard(consultant_client)
    from assessments.outputs.dashboard import dashboard_context

    chart = dashboard_context(demo)["charts"]["matrix"]
    points = {}
    for trace in chart.figure.data:
        for x, y, number in zip(trace.x, trace.y, trace.text, strict=True):
            points[int(number)] = (round(x), round(y), trace.name)
    assert points == {
        1: (1, 3, "0\u20133 months"),  # joint targets: low effort, high impact
        2: (1, 2, "0\u20133 months"),
        3: (3, 3, "3\u201312 months"),
        4: (3, 2, "12\u201324 months"),
    }
    assert chart.title == "2 of 4 initiatives promise more impact than effort"
    assert 'id="chart-matrix"' in html or "matrix" in html


def test_did_it_work_shows_the_baselines_initiatives_against_their_dimensions(
    consultant_client, demo
):
    html = _dashboard(consultant_client)
    doc = campaign_scores(demo)
    baseline = campaign_scores(Campaign.objects.get(slug="acme-2025"))
    text = visible_text(html)
    assert "Did it work? The roadmap of ACME baseline assessment 2025" in text
    assert "2 of 3 initiatives moved a dimension they aimed at by more than its noise." in text
    rows = table_rows(html[html.index('id="did-it-work"') :])
    by_dimension = {row[-5]: row for row in rows if len(row) >= 5}
    for key, name, verdict in (
        ("collaboration", "Organisation and collaboration", "moved up"),
        ("decisions", "Decisions and shared goals", "moved up"),
        ("infrastructure", "IT infrastructure", "moved up"),
        ("skills", "Employee skills", "no clear change"),
    ):
        before = baseline["overall"]["dimensions"][key]
        after = doc["overall"]["dimensions"][key]
        delta = doc["progress"]["dimensions"][key]["delta"]
        noise = 2 * math.sqrt(before["se"] ** 2 + after["se"] ** 2)
        row = by_dimension[name]
        assert row[-4:] == [
            places(before["score"]),
            places(after["score"]),
            f"{signed(delta)} ± {places(noise)}",
            verdict,
        ], name
        assert (verdict == "moved up") == (delta > noise)


def test_bad_input_is_refused_at_its_field_and_nothing_is_written(consultant_client, demo):
    before = Initiative.objects.count()
    page = consultant_client.post(
        _new(),
        {
            "title": "",
            "owner": "Head of OT",
            "dimensions": ["skills"],
            "questions": ["COL-1"],  # not a question of skills
            "horizon": "6",
            "impact": "2",
            "effort": "2",
            "status": "planned",
        },
    ).content.decode()
    assert Initiative.objects.count() == before
    assert "This field is required." in page
    assert "Select a valid choice. 6 is not one of the available choices." in page
    # The form passes; the service refuses a question outside the chosen dimensions.
    page = consultant_client.post(
        _new(),
        {
            "title": "Hybrid roles",
            "owner": "Head of OT",
            "dimensions": ["skills"],
            "questions": ["COL-1"],
            "horizon": "3",
            "impact": "2",
            "effort": "2",
            "status": "planned",
        },
    ).content.decode()
    assert "COL-1: not a scored question of the chosen dimensions" in page
    assert Initiative.objects.count() == before


def test_change_and_delete_with_a_confirmation(consultant_client, demo):
    initiative = Initiative.objects.filter(campaign=demo).first()
    edit = reverse("assessments:initiative-edit", args=["acme-2026", initiative.pk])
    page = consultant_client.get(edit).content.decode()
    assert f'value="{initiative.title}"' in page.replace("&#x27;", "'")
    response = consultant_client.post(
        edit,
        {
            "title": initiative.title,
            "owner": "CIO",
            "dimensions": initiative.dimensions,
            "questions": initiative.questions,
            "horizon": "24",
            "impact": str(initiative.impact),
            "effort": str(initiative.effort),
            "status": "done",
        },
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert (initiative.owner, initiative.horizon, initiative.status) == ("CIO", 24, "done")

    delete = reverse("assessments:initiative-delete", args=["acme-2026", initiative.pk])
    page = visible_text(consultant_client.get(delete).content.decode())
    assert f"Delete “{initiative.title}”?" in page and "Scores do not change." in page
    assert Initiative.objects.filter(pk=initiative.pk).exists()  # asking deletes nothing
    consultant_client.post(delete)
    assert not Initiative.objects.filter(pk=initiative.pk).exists()
    # A double click finds it gone and says so.
    again = consultant_client.post(delete, follow=True).content.decode()
    assert "That initiative was already deleted." in again


def test_another_campaigns_initiative_is_not_found_through_this_one(consultant_client, demo):
    baseline_initiative = Initiative.objects.filter(campaign__slug="acme-2025").first()
    edit = reverse("assessments:initiative-edit", args=["acme-2026", baseline_initiative.pk])
    assert consultant_client.get(edit).status_code == 404
    delete = reverse("assessments:initiative-delete", args=["acme-2026", baseline_initiative.pk])
    assert consultant_client.get(delete).status_code == 404


def test_a_client_viewer_reads_the_roadmap_and_changes_nothing(client, demo):
    viewer = builders.user("cio-viewer")
    ClientViewer.objects.create(user=viewer, organization=Organization.objects.get(slug="acme"))
    client.force_login(viewer)
    html = _dashboard(client)
    assert "Joint IT/OT targets in next year&#x27;s objectives" in html
    assert "Make it an initiative" not in html and "Add an initiative" not in html
    assert "/initiatives/" not in html
    before = Initiative.objects.count()
    response = client.post(
        _new(),
        {"title": "x", "owner": "y", "dimensions": ["skills"], "horizon": "3"},
    )
    assert response.status_code == 403 and Initiative.objects.count() == before


def test_an_outsider_gets_404(client, demo, outsider):
    client.force_login(outsider)
    initiative = Initiative.objects.filter(campaign=demo).first()
    for url in (
        _new(),
        reverse("assessments:initiative-edit", args=["acme-2026", initiative.pk]),
        reverse("assessments:initiative-delete", args=["acme-2026", initiative.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "x"}).status_code == 404
    assert Initiative.objects.filter(pk=initiative.pk).exists()
