"""Fixtures shared by the workshop tests."""

from __future__ import annotations

import pytest

from assessments.models import Question
from assessments.services.workshops import workshop_for, workshop_set_state
from tests import builders


@pytest.fixture
def room(workspace):
    """A paced workshop on C-1 (minimum group 2): (campaign, workshop, question, teams)."""
    campaign = builders.campaign(workspace, min_group_size=2)
    question = Question.objects.prefetch_related("choices").get(
        version=campaign.bank_version, key="C-1"
    )
    workshop = workshop_set_state(workshop=workshop_for(campaign), mode="paced", question=question)
    teams = {t.slug: t for t in campaign.organization.teams.all()}
    return campaign, workshop, question, teams
