"""What the projector and the phones poll: counts, votes (rule 8f), the ETag."""

from __future__ import annotations

import pytest

from assessments.models import Question
from assessments.selectors.workshops import room_state, room_votes, vote_shares, workshop_by_code
from assessments.services.workshops import (
    workshop_for,
    workshop_join,
    workshop_set_state,
    workshop_vote,
)
from tests import builders

pytestmark = pytest.mark.django_db


def test_votes_show_only_from_the_minimum_group_size():
    cast = {"it": {"2": 2}, "ot": {"1": 1, "NA": 1}}
    assert room_votes(cast, 5) == (None, 4)
    cast["ot"]["1"] = 2
    assert room_votes(cast, 5) == ({"2": 2, "1": 2, "NA": 1}, 5)


def test_the_code_is_found_however_it_is_typed(workspace):
    workshop = workshop_for(builders.campaign(workspace))
    typed = " ".join(workshop.join_code.lower())
    assert workshop_by_code(typed).pk == workshop.pk
    assert workshop_by_code("") is None
    assert workshop_by_code("X" * 13) is None


def test_room_state_counts_votes_and_its_etag_moves_with_them(workspace):
    campaign = builders.campaign(workspace, min_group_size=2)
    workshop = workshop_for(campaign)
    question = Question.objects.prefetch_related("choices").get(
        version=campaign.bank_version, key="C-1"
    )
    workshop = workshop_set_state(workshop=workshop, mode="paced", question=question)
    teams = {t.slug: t for t in campaign.organization.teams.all()}
    phones = [workshop_join(workshop=workshop, team=teams[slug]) for slug in ("it-ops", "ot-north")]
    empty = room_state(workshop)
    assert (empty.totals["joined"], empty.distribution, empty.votes) == (2, None, 0)
    workshop_vote(workshop=workshop, response=phones[0], question=question, value="3")
    one = room_state(workshop)
    assert (one.distribution, one.votes, one.counts["it"]["answering"]) == (None, 1, 1)
    assert one.etag != empty.etag
    workshop_vote(workshop=workshop, response=phones[1], question=question, value="1")
    two = room_state(workshop)
    assert (two.distribution, two.votes) == ({"3": 1, "1": 1}, 2)
    assert room_state(workshop).etag == two.etag  # nothing changed: the same ETag
    shares = {s["key"]: (s["votes"], s["percent"]) for s in vote_shares(workshop, two)}
    assert shares == {"0": (0, 0), "1": (1, 50), "2": (0, 0), "3": (1, 50)}
