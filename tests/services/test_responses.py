"""Fabricated responses (issue 16, point 8): caps on join links and workshops, and setting
aside what got through, without the figures before and after singling anyone out."""

from __future__ import annotations

import pytest

from assessments.errors import Refused
from assessments.files.responses import responses_import
from assessments.models import Invitation, Response
from assessments.selectors.responses import source_responses, sources
from assessments.selectors.scores import campaign_scores
from assessments.services.campaigns import campaign_close
from assessments.services.responses import responses_discard, responses_restore
from assessments.services.survey import (
    SurveyClosed,
    answer_save,
    invitation_create,
    response_start,
    response_submit,
)
from assessments.services.workshops import (
    workshop_for,
    workshop_join,
    workshop_rotate_code,
    workshop_set_limits,
)
from tests import builders

pytestmark = pytest.mark.django_db

QUESTIONS = ("C-1", "C-2", "S-1", "S-2", "I-1")


def _real_rows(campaign, seed_answers="0101"):
    """Six IT people (it-ops, north) and six OT people (ot-north, north), answering 0 or 1."""
    rows = ["respondent,function,team,site,submitted," + ",".join(QUESTIONS)]
    for number in range(6):
        answers = ",".join(seed_answers[(number + i) % 4] for i in range(len(QUESTIONS)))
        rows.append(f"it{number},,it-ops,north,yes,{answers}")
        rows.append(f"ot{number},,ot-north,north,yes,{answers}")
    responses_import(campaign=campaign, data="\n".join(rows).encode(), filename="a.csv")


def _fabricate(workshop, team, count):
    """What the attack did: fresh sessions joining with the code, answering 3 to all."""
    made = []
    for _ in range(count):
        response = workshop_join(workshop=workshop, team=team)
        for question in response.campaign.bank_version.questions.prefetch_related("choices"):
            if question.asked_of(response.function):
                answer_save(response=response, question=question, value="3")
        response_submit(response=response)
        made.append(response)
    return made


def _figures(doc):
    return {
        "overall": doc["overall"],
        "by_function": doc["by_function"],
        "by_team": doc["by_team"],
        "by_site": doc["by_site"],
        "submitted": doc["respondents"]["submitted"],
    }


@pytest.fixture
def campaign(workspace):
    campaign = builders.campaign(workspace)
    _real_rows(campaign)
    return campaign


@pytest.fixture
def honest(workspace):
    """The same organisation's answers without the fakes, for comparison."""
    org = builders.organization(workspace, slug="twin")
    campaign = builders.campaign(workspace, slug="twin-2026", org=org)
    _real_rows(campaign)
    return campaign


def test_setting_aside_the_fakes_gives_the_figures_without_them(campaign, honest, owner):
    workshop = workshop_for(campaign)
    ot = campaign.organization.teams.get(slug="ot-north")
    _fabricate(workshop, ot, 6)
    lifted = campaign_scores(campaign)
    assert lifted["respondents"]["submitted"] == 18
    assert _figures(lifted) != _figures(campaign_scores(honest))

    fakes = source_responses(campaign, "workshop", "all")
    assert responses_discard(campaign=campaign, responses=fakes, by=owner, reason="made up") == 6
    assert _figures(campaign_scores(campaign)) == _figures(campaign_scores(honest))
    assert Response.objects.filter(discarded_at__isnull=False).count() == 6
    assert set(
        Response.objects.filter(discarded_at__isnull=False).values_list("discard_reason", flat=True)
    ) == {"made up"}

    # Restoring brings them back, whole.
    assert responses_restore(campaign=campaign, responses=fakes) == 6
    assert _figures(campaign_scores(campaign)) == _figures(lifted)


def test_setting_aside_fewer_than_the_minimum_is_refused_and_changes_nothing(campaign, owner):
    workshop = workshop_for(campaign)
    fakes = _fabricate(workshop, campaign.organization.teams.get(slug="ot-north"), 6)
    before = _figures(campaign_scores(campaign))
    with pytest.raises(Refused) as refused:
        responses_discard(campaign=campaign, responses=fakes[:2], by=owner)
    assert "by fewer than 5 responses" in refused.value.sentence
    assert "team ot-north" in refused.value.sentence
    assert not Response.objects.filter(discarded_at__isnull=False).exists()
    assert _figures(campaign_scores(campaign)) == before


def test_a_set_aside_response_can_no_longer_change(campaign, owner):
    workshop = workshop_for(campaign)
    it = campaign.organization.teams.get(slug="it-ops")
    waiting = workshop_join(workshop=workshop, team=it)  # joined, nothing answered yet
    # In progress with no answer: in no figure, so it can be set aside alone.
    assert responses_discard(campaign=campaign, responses=[waiting], by=owner) == 1
    waiting.refresh_from_db()
    question = campaign.bank_version.questions.first()
    with pytest.raises(SurveyClosed) as closed:
        answer_save(response=waiting, question=question, value="2")
    assert "set these answers aside" in closed.value.message
    with pytest.raises(SurveyClosed):
        response_submit(response=waiting)


def test_a_closed_campaign_keeps_its_responses(campaign, owner):
    workshop = workshop_for(campaign)
    fakes = _fabricate(workshop, campaign.organization.teams.get(slug="ot-north"), 5)
    campaign_close(campaign=campaign)
    with pytest.raises(Refused, match="closed: its figures are final"):
        responses_discard(campaign=campaign, responses=fakes, by=owner)


def test_a_join_link_takes_no_more_than_its_cap(campaign):
    team = campaign.organization.teams.get(slug="biz")
    link = invitation_create(
        campaign=campaign, kind=Invitation.Kind.TEAM, team=team, max_responses=2
    ).invitation
    first = response_start(invitation=link)
    response_start(invitation=link)
    with pytest.raises(Refused, match=r"taken all the responses it allows \(2\)"):
        response_start(invitation=link)
    assert Response.objects.filter(invitation=link).count() == 2
    # A response set aside frees its place (in progress, no answer: no figure moves).
    responses_discard(campaign=campaign, responses=[first], by=None)
    response_start(invitation=link)
    assert Response.objects.filter(invitation=link).count() == 3


def test_a_cap_must_be_positive_and_belongs_to_join_links(campaign):
    team = campaign.organization.teams.get(slug="biz")
    with pytest.raises(Refused, match="at least 1"):
        invitation_create(campaign=campaign, kind=Invitation.Kind.TEAM, team=team, max_responses=0)
    with pytest.raises(Refused, match="a personal link is one response"):
        invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, max_responses=3)


def test_a_workshop_stops_at_its_cap_and_at_each_teams_headcount(campaign):
    workshop = workshop_for(campaign)
    biz = campaign.organization.teams.get(slug="biz")
    biz.headcount = 3
    biz.save()
    for _ in range(3):
        workshop_join(workshop=workshop, team=biz)
    with pytest.raises(Refused, match="Business has 3 people and as many responses already"):
        workshop_join(workshop=workshop, team=biz)
    # it-ops has 6 imported responses and no headcount: not capped by team, but by the room.
    workshop_set_limits(workshop=workshop, max_participants=4, cap_teams=True)
    workshop_join(workshop=workshop, team=campaign.organization.teams.get(slug="it-ops"))
    with pytest.raises(Refused, match=r"all the participants it takes \(4\)"):
        workshop_join(workshop=workshop, team=campaign.organization.teams.get(slug="it-ops"))
    assert Response.objects.filter(workshop=workshop).count() == 4
    # Without the team cap, the headcount does not stop anyone.
    workshop_set_limits(workshop=workshop, max_participants=None, cap_teams=False)
    workshop_join(workshop=workshop, team=biz)


def test_a_new_code_replaces_the_old_one(campaign):
    workshop = workshop_for(campaign)
    old = workshop.join_code
    workshop_rotate_code(workshop=workshop)
    assert workshop.join_code != old and len(workshop.join_code) == 6
    from assessments.selectors.workshops import workshop_by_code

    assert workshop_by_code(old) is None
    assert workshop_by_code(workshop.join_code).pk == workshop.pk


def test_sources_count_what_came_through_each(campaign, owner):
    workshop = workshop_for(campaign)
    _fabricate(workshop, campaign.organization.teams.get(slug="ot-north"), 5)
    link = invitation_create(
        campaign=campaign,
        kind=Invitation.Kind.TEAM,
        team=campaign.organization.teams.get(slug="biz"),
        max_responses=10,
    ).invitation
    response_start(invitation=link)
    found = {s.key: s for s in sources(campaign)}
    room = found["workshop"]
    assert (room.joined, room.submitted, room.fast, room.burst) == (5, 5, 5, 5)
    assert room.burst_from <= room.burst_to
    joined_link = found[f"link-{link.pk}"]
    assert (joined_link.joined, joined_link.submitted, joined_link.cap) == (1, 0, 10)
    # The imported responses and personal links are not sources of anonymous responses.
    assert set(found) == {"workshop", f"link-{link.pk}"}
    assert len(source_responses(campaign, "workshop", "fast")) == 5
    assert source_responses(campaign, "link-999999", "all") == []
    assert source_responses(campaign, "nonsense", "all") == []
