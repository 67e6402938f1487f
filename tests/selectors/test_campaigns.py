"""The campaign page's completion counts."""

from __future__ import annotations

import pytest

from assessments.selectors.campaigns import completion
from assessments.services.survey import invitation_create, response_start, response_submit
from tests import builders

pytestmark = pytest.mark.django_db


def test_completion_counts_started_and_submitted_per_team_and_function(workspace):
    campaign = builders.campaign(workspace)
    org = campaign.organization
    ot = invitation_create(campaign=campaign, kind="team", team=org.teams.get(slug="ot-north"))
    response_submit(response=response_start(invitation=ot.invitation))
    response_start(invitation=ot.invitation)
    person = invitation_create(campaign=campaign, kind="person")  # no team: answers as IT
    response_start(invitation=person.invitation, function="it")
    counts = completion(campaign)
    assert (counts["submitted"], counts["in_progress"]) == (1, 2)
    teams = {team.slug: figures for team, figures in counts["teams"]}
    assert teams == {
        "it-ops": {"submitted": 0, "in_progress": 0, "rate": None},  # no headcount
        "ot-north": {"submitted": 1, "in_progress": 1, "rate": None},
        "biz": {"submitted": 0, "in_progress": 0, "rate": None},
    }
    assert (counts["expected"], counts["rate"]) == (0, None)
    assert counts["no_team"] == {"submitted": 0, "in_progress": 1}
    functions = dict(counts["functions"])
    assert functions["OT"] == {"submitted": 1, "in_progress": 1}
    assert functions["IT"] == {"submitted": 0, "in_progress": 1}


def test_teams_in_scope_only_when_the_campaign_names_them(workspace):
    campaign = builders.campaign(workspace)
    campaign.teams.set([campaign.organization.teams.get(slug="biz")])
    assert [team.slug for team, _counts in completion(campaign)["teams"]] == ["biz"]
