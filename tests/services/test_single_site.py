"""One-site campaigns (issue 17, point 6): the questions about several sites are not asked,
anywhere a respondent meets them, and cannot be answered through a side door."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessments.errors import Refused
from assessments.files.archive import archive_import, campaign_archive
from assessments.files.responses import responses_import
from assessments.models import Campaign, Invitation, Question
from assessments.selectors.scores import campaign_scores
from assessments.services.campaigns import campaign_update, site_questions
from assessments.services.survey import (
    answer_save,
    invitation_create,
    response_start,
    survey_pages,
)
from tests import builders
from tests.html import visible_text

pytestmark = pytest.mark.django_db
SEVERAL_SITES = ["SCA-7", "SCA-8", "INF-10"]


@pytest.fixture
def bank():
    return builders.default_bank()


def _settings(campaign: Campaign, **changes):
    return campaign_update(
        campaign=campaign,
        min_group_size=campaign.min_group_size,
        gap_threshold=campaign.gap_threshold,
        targets=campaign.targets,
        **changes,
    )


def test_by_default_a_one_site_campaign_leaves_out_the_questions_about_several_sites(
    workspace, bank
):
    assert site_questions(bank) == SEVERAL_SITES
    one = builders.campaign(workspace, slug="one-2026", version=bank, single_site=True)
    assert one.left_out == SEVERAL_SITES
    several = builders.campaign(
        workspace, slug="two-2026", org=builders.organization(workspace, "b"), version=bank
    )
    assert several.left_out == [] and not several.single_site


def test_only_questions_that_allow_na_can_be_left_out(workspace, bank):
    with pytest.raises(Refused) as refused:
        builders.campaign(workspace, version=bank, single_site=True, left_out=["SCA-7", "COL-1"])
    assert refused.value.lines == [
        "left_out: COL-1 cannot be left out: only questions that allow N/A (SCA-7, SCA-8, INF-10)"
    ]
    assert not Campaign.objects.exists()


def test_the_survey_the_answer_and_the_workshop_skip_what_is_left_out(workspace, bank):
    campaign = builders.campaign(workspace, version=bank, single_site=True, left_out=["SCA-7"])
    team = campaign.organization.teams.get(slug="it-ops")
    link = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=team)
    response = response_start(invitation=link.invitation)
    asked = [q.key for page in survey_pages(response) for q in page.questions]
    assert "SCA-7" not in asked and {"SCA-8", "INF-10"} <= set(asked)
    with pytest.raises(Refused) as refused:
        answer_save(
            response=response, question=Question.objects.get(version=bank, key="SCA-7"), value="3"
        )
    assert refused.value.lines == ["SCA-7: not a question of this survey"]
    assert not response.answers.exists()


def test_a_paper_answer_to_a_left_out_question_is_refused_at_its_cell(workspace, bank):
    campaign = builders.campaign(workspace, version=bank, single_site=True)
    data = b"respondent,team,COL-1,SCA-8\nr-1,it-ops,2,\nr-2,ot-north,1,3\n"
    with pytest.raises(Refused) as refused:
        responses_import(campaign=campaign, data=data, filename="paper.csv")
    assert refused.value.lines == [
        "row 3, column SCA-8: SCA-8 is left out of this campaign (one site); leave the cell "
        "empty or drop the column"
    ]
    assert not campaign.responses.exists()


def test_what_is_asked_stops_changing_once_someone_answers(workspace, bank):
    campaign = builders.campaign(workspace, version=bank)
    _settings(campaign, single_site=True, left_out=["INF-10"])
    assert campaign.left_out == ["INF-10"]
    responses_import(
        campaign=campaign, data=b"respondent,team,COL-1\nr-1,it-ops,2\n", filename="a.csv"
    )
    with pytest.raises(Refused) as refused:
        _settings(campaign, single_site=False)
    assert "the questions asked no longer change: 1 people have started answering" in (
        refused.value.sentence
    )
    campaign.refresh_from_db()
    assert campaign.single_site and campaign.left_out == ["INF-10"]
    _settings(campaign, single_site=True, left_out=["INF-10"])  # the same: fine


def test_the_archive_carries_what_was_left_out(workspace, bank):
    campaign = builders.campaign(workspace, version=bank, single_site=True)
    responses_import(
        campaign=campaign, data=b"respondent,team,COL-1\nr-1,it-ops,2\n", filename="a.csv"
    )
    archive = campaign_archive(campaign)
    assert archive["campaigns"][-1]["left_out"] == SEVERAL_SITES
    archive["campaigns"][-1]["slug"] = "copy-2026"
    archive["campaigns"][-1]["scores"]["campaign"] = "copy-2026"
    archive_import(data=json.dumps(archive).encode())
    copy = Campaign.objects.get(slug="copy-2026")
    assert copy.single_site and copy.left_out == SEVERAL_SITES


def test_the_demo_shows_a_one_site_client_beside_a_two_site_one(demo, client):
    foundry = Campaign.objects.get(slug="bergmann-2026")
    assert foundry.single_site and foundry.left_out == SEVERAL_SITES
    assert list(foundry.organization.sites.values_list("slug", flat=True)) == ["foundry"]
    doc = campaign_scores(foundry)
    assert doc["respondents"]["submitted"] == 22
    for key in SEVERAL_SITES:
        assert doc["questions"][key]["n"] == doc["questions"][key]["na"] == 0
    assert not demo.single_site
    assert campaign_scores(demo)["questions"]["SCA-7"]["n"] > 0
    client.force_login(get_user_model().objects.get(username="consultant"))
    page = visible_text(client.get(reverse("assessments:campaign-detail", args=[foundry.slug])))
    assert "One site: 3 questions about several sites left out (SCA-7, SCA-8, INF-10)" in page
    preview = client.get(
        reverse("assessments:campaign-preview", args=[foundry.slug]),
        {"function": "it", "page": 4},  # Delivery, scaling and continuity
    )
    assert 'id="q-SCA-5"' in preview.content.decode()
    assert "SCA-7" not in preview.content.decode()
    settings = client.get(
        reverse("assessments:campaign-edit", args=[foundry.slug])
    ).content.decode()
    assert "With one site, leave out" in settings and 'value="INF-10"' in settings


def test_the_settings_form_sets_and_clears_one_site(workspace, owner, bank, client):
    org = builders.organization(workspace, "solo")  # not "acme": the demo may be loaded
    campaign = builders.campaign(workspace, slug="solo-2026", org=org, version=bank)
    client.force_login(owner)
    url = reverse("assessments:campaign-edit", args=[campaign.slug])
    form = {
        "name": campaign.name,
        "min_group_size": 5,
        "gap_threshold": 0.5,
        **{f"target_{d.key}": 2 for d in bank.dimensions.all()},
    }
    client.post(url, {**form, "single_site": "on", "left_out": ["SCA-8", "INF-10"]})
    campaign.refresh_from_db()
    assert campaign.single_site and campaign.left_out == ["SCA-8", "INF-10"]
    client.post(url, form)
    campaign.refresh_from_db()
    assert not campaign.single_site and campaign.left_out == []
