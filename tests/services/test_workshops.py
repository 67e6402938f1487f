"""Workshop writes: the join code, joining, and the facilitator pacing the room."""

from __future__ import annotations

import pytest

from assessments.errors import Refused
from assessments.models import Question, Response
from assessments.services.campaigns import campaign_close
from assessments.services.workshops import (
    workshop_for,
    workshop_join,
    workshop_set_state,
    workshop_step,
)
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace)


def _order(campaign) -> list[str]:
    return list(
        Question.objects.filter(version=campaign.bank_version)
        .in_survey_order()
        .values_list("key", flat=True)
    )


def test_one_workshop_per_campaign_with_a_readable_code(campaign):
    workshop = workshop_for(campaign)
    assert workshop_for(campaign).pk == workshop.pk
    assert len(workshop.join_code) == 6
    assert not set(workshop.join_code) & set("01OI")  # read off a projector


def test_next_and_previous_walk_the_survey_order_and_stop_at_the_ends(campaign):
    workshop = workshop_for(campaign)
    order = _order(campaign)
    seen = []
    for _step in range(len(order) + 2):
        workshop = workshop_step(workshop=workshop, action="next")
        seen.append(workshop.current_question.key)
    assert seen == [*order, order[-1], order[-1]]
    workshop = workshop_step(workshop=workshop, action="previous")
    assert workshop.current_question.key == order[-2]


def test_a_new_question_starts_hidden_and_each_change_moves_the_state(campaign):
    workshop = workshop_for(campaign)
    first = Question.objects.get(version=campaign.bank_version, key="C-1")
    workshop = workshop_set_state(workshop=workshop, mode="paced", question=first, revealed=True)
    version = workshop.state_version
    assert workshop.revealed
    workshop = workshop_step(workshop=workshop, action="next")
    assert (workshop.revealed, workshop.state_version) == (False, version + 1)


def test_pacing_refuses_what_is_not_this_campaigns(campaign, workspace):
    workshop = workshop_for(campaign)
    other = builders.import_small_bank(bank="other")
    with pytest.raises(Refused) as refused:
        workshop_set_state(workshop=workshop, question=other.questions.first())
    assert refused.value.lines == ["question: not a question of this campaign"]
    with pytest.raises(Refused) as refused:
        workshop_set_state(workshop=workshop, mode="loud")
    assert refused.value.lines == ["mode: 'loud' is not free or paced"]


def test_joining_gives_each_phone_a_response_of_its_team(campaign, other_workspace):
    workshop = workshop_for(campaign)
    team = campaign.organization.teams.get(slug="ot-north")
    first = workshop_join(workshop=workshop, team=team)
    second = workshop_join(workshop=workshop, team=team)
    assert first.pk != second.pk
    assert (first.function, first.site.slug) == ("ot", "north")
    rival_team = builders.organization(other_workspace, slug="rival").teams.first()
    with pytest.raises(Refused) as refused:
        workshop_join(workshop=workshop, team=rival_team)
    assert refused.value.lines == ["team: not a team of this organisation"]
    campaign_close(campaign=campaign)
    with pytest.raises(Refused) as refused:
        workshop_join(workshop=workshop, team=team)
    assert refused.value.lines == ["campaign: acme-2026 is not open"]
    assert Response.objects.count() == 2
