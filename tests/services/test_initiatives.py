"""Roadmap initiatives: checked against the campaign's bank, every problem at its field and
nothing written; where each sits on the matrix; whether it worked, from the figures the view
shows and never from a hidden group."""

from __future__ import annotations

import math

import pytest

from assessments.errors import Refused
from assessments.models import Initiative
from assessments.outputs import roadmap
from assessments.outputs.charts import Labels, impact_effort
from assessments.services.initiatives import initiative_save
from tests import builders

pytestmark = pytest.mark.django_db

LABELS = Labels(
    dimensions={"collaboration": "Collaboration", "skills": "Skills"},
    lenses={"collaboration": "stage", "skills": "enabler"},
    stages={0: "Silos"},
)


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace)


def _save(campaign, **changes):
    fields = {
        "title": "One change board",
        "owner": "Head of OT",
        "dimensions": ["collab"],
        "questions": [],
        "horizon": 3,
        "effort": 2,
        "impact": 3,
        "status": "planned",
    }
    return initiative_save(campaign=campaign, **{**fields, **changes})


def test_an_initiative_keeps_the_banks_order_and_changes_in_place(campaign):
    made = _save(campaign, dimensions=["infra", "collab", "infra"])
    assert made.dimensions == ["collab", "infra"]  # the bank's order, each once
    changed = _save(campaign, initiative=made, owner="CIO", status="done")
    assert changed.pk == made.pk and Initiative.objects.count() == 1
    assert (changed.owner, changed.status) == ("CIO", "done")


def test_every_problem_is_named_at_its_field_and_nothing_is_written(campaign):
    with pytest.raises(Refused) as refused:
        _save(
            campaign,
            title=" ",
            owner="Head\nof OT",
            dimensions=["plumbing"],
            questions=["NOPE-1"],
            horizon=6,
            effort=0,
            impact=True,
            status="sleeping",
        )
    problems = {p.field: p.text for p in refused.value.problems}
    assert problems == {
        "title": "is required",
        "owner": "must not contain line breaks or other control characters",
        "dimensions": problems["dimensions"],
        "questions": "NOPE-1: not a scored question of the chosen dimensions",
        "horizon": "6 is not one of 3, 12, 24",
        "effort": "0 is not one of 1, 2, 3",
        "impact": "True is not one of 1, 2, 3",
        "status": "'sleeping' is not one of planned, started, done, dropped",
    }
    assert problems["dimensions"].startswith("plumbing: not a dimension of this campaign's bank")
    assert not Initiative.objects.exists()


def test_a_closed_campaigns_roadmap_still_changes(campaign):
    from assessments.services.campaigns import campaign_close

    campaign_close(campaign=campaign)
    assert _save(campaign, status="started").status == "started"


@pytest.mark.parametrize(
    ("impact", "effort", "where"),
    [
        (3, 1, "quick-win"),
        (2, 1, "quick-win"),
        (3, 2, "quick-win"),
        (3, 3, "big-bet"),
        (2, 2, "steady"),
        (1, 1, "steady"),
        (1, 3, "reconsider"),
        (2, 3, "reconsider"),
    ],
)
def test_where_an_initiative_sits_on_the_matrix(impact, effort, where):
    assert roadmap.quadrant(Initiative(impact=impact, effort=effort)) == where


def test_the_matrix_spreads_initiatives_that_share_a_cell():
    initiatives = [
        Initiative(pk=n, title=f"Step {n}", owner="OT", impact=2, effort=2, horizon=3)
        for n in range(1, 4)
    ]
    figure = impact_effort(roadmap.rows(initiatives, LABELS))
    points = list(zip(figure.data[0].x, figure.data[0].y, strict=True))
    assert len(set(points)) == 3  # never on top of each other
    assert all(abs(x - 2) < 0.5 and abs(y - 2) < 0.5 for x, y in points)  # in their cell
    assert list(figure.data[0].text) == ["1", "2", "3"]
    assert impact_effort([]) is None


def _doc(scores, se, delta=None, suppressed=False):
    overall = (
        {"suppressed": True}
        if suppressed
        else {"dimensions": {k: {"score": v, "se": se} for k, v in scores.items()}}
    )
    progress = {"dimensions": {k: {"delta": d} for k, d in (delta or {}).items()}}
    return {"overall": overall, "progress": progress if delta else None}


def test_did_it_work_counts_a_change_only_beyond_its_noise():
    initiative = Initiative(
        pk=1, title="Board", owner="OT", dimensions=["collaboration", "skills"], horizon=3
    )
    then = _doc({"collaboration": 1.0, "skills": 0.5}, se=0.05)
    now = _doc(
        {"collaboration": 1.4, "skills": 0.55},
        se=0.05,
        delta={"collaboration": 0.4, "skills": 0.05},
    )
    [row] = roadmap.did_it_work([initiative], now, then, LABELS)
    noise = 2 * math.sqrt(0.05**2 + 0.05**2)  # 0.141
    collaboration, skills = row["moves"]
    assert (collaboration["verdict"], collaboration["noise"]) == ("up", pytest.approx(noise))
    assert (collaboration["before"], collaboration["after"]) == (1.0, 1.4)
    assert skills["verdict"] == "unclear"  # 0.05 is within 0.14
    assert row["verdict"] == "up" and row["says"] == "moved up"
    down = _doc({"collaboration": 0.6, "skills": 0.5}, se=0.05, delta={"collaboration": -0.4})
    [fell] = roadmap.did_it_work([initiative], down, then, LABELS)
    assert [m["verdict"] for m in fell["moves"]] == ["down", "hidden"]


def test_did_it_work_shows_nothing_of_a_hidden_group():
    """A view whose group is hidden now or in the baseline shows no figure of it."""
    initiative = Initiative(pk=1, title="Board", owner="OT", dimensions=["skills"], horizon=3)
    shown = _doc({"skills": 0.5}, se=0.05)
    hidden = _doc({}, se=0.05, suppressed=True)
    for now, then in ((hidden, shown), (shown, hidden), (shown, None)):
        [row] = roadmap.did_it_work([initiative], now, then, LABELS)
        [move] = row["moves"]
        assert move["verdict"] == "hidden" and row["says"] == "not shown"
        assert (move["before"], move["after"], move["delta"], move["noise"]) == (
            None,
            None,
            None,
            None,
        )
