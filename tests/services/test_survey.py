"""The respondent's writes: links, answers, submit."""

from __future__ import annotations

import pytest

from assessments.errors import Refused
from assessments.models import Answer, Question, Response
from assessments.services.survey import (
    SurveyClosed,
    answer_save,
    invitation_create,
    response_start,
    response_submit,
)
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace)


@pytest.fixture
def response(campaign):
    team = campaign.organization.teams.get(slug="ot-north")
    return response_start(
        invitation=invitation_create(campaign=campaign, kind="team", team=team).invitation
    )


def _question(campaign, key: str) -> Question:
    return Question.objects.prefetch_related("choices").get(version=campaign.bank_version, key=key)


def test_an_answer_racing_the_submit_is_refused_not_stored_after_it(campaign, response):
    """Issue 16.2: an answer posted at the same moment as submit was stored after
    `submitted_at`. The answer's request loaded the response before the submit committed."""
    answer_save(response=response, question=_question(campaign, "C-1"), value="1")
    stale = Response.objects.get(pk=response.pk)  # the answer request's copy, not submitted
    assert response_submit(response=Response.objects.get(pk=response.pk))
    with pytest.raises(SurveyClosed) as closed:
        answer_save(response=stale, question=_question(campaign, "S-1"), value="3")
    assert closed.value.message == (
        "You have already submitted your answers; they can no longer change."
    )
    with pytest.raises(SurveyClosed):
        answer_save(response=stale, question=_question(campaign, "C-1"), value="3", comment="x")
    stored = {
        a.question.key: a.choice.key for a in Answer.objects.select_related("question", "choice")
    }
    assert stored == {"C-1": "1"}
    submitted = Response.objects.get(pk=response.pk)
    assert not Answer.objects.filter(
        response=submitted, updated__gt=submitted.submitted_at
    ).exists()


def test_refused_answers_name_the_question(campaign, response):
    with pytest.raises(Refused) as refused:
        answer_save(response=response, question=_question(campaign, "C-1"), value="NA")
    assert refused.value.lines == ["C-1: N/A is not an answer to this question"]
    with pytest.raises(Refused) as refused:
        answer_save(response=response, question=_question(campaign, "C-1"), value="9")
    assert refused.value.lines == ['C-1: "9" is not one of its answers']
    assert not Answer.objects.exists()


def test_invitation_problems_are_listed_together(campaign, other_workspace):
    rival_team = builders.organization(other_workspace, slug="rival").teams.first()
    with pytest.raises(Refused) as refused:
        invitation_create(campaign=campaign, kind="door", team=rival_team)
    assert refused.value.lines == [
        "team: not a team of this campaign's organisation",
        "kind: 'door' is not person or team",
    ]


def test_revoking_a_link_stops_the_browsers_that_opened_it(campaign):
    """Issue 16.8: sessions opened with a revoked link could still answer and submit."""
    from assessments.services.survey import invitation_revoke

    link = invitation_create(campaign=campaign, kind="person", name="Pat")
    response = response_start(invitation=link.invitation, function="it")
    answer_save(response=response, question=_question(campaign, "C-1"), value="2")
    invitation_revoke(invitation=link.invitation)
    response = Response.objects.select_related("invitation", "campaign").get(pk=response.pk)
    with pytest.raises(SurveyClosed) as closed:
        answer_save(response=response, question=_question(campaign, "S-1"), value="2")
    assert "This link was withdrawn" in closed.value.message
    with pytest.raises(SurveyClosed):
        response_submit(response=response)
    assert Response.objects.get(pk=response.pk).submitted_at is None
