"""The sentences the dashboard, the PDF and the deck share, from hand-made documents."""

from __future__ import annotations

from typing import Any

from assessments.outputs.charts import Labels
from assessments.outputs.findings import (
    coverage,
    hidden_note,
    ladder,
    largest_gap,
    recommendations,
    strongest_and_weakest,
    why_not_next,
)

LABELS = Labels(
    dimensions={"collab": "Collaboration", "scale": "Scaling", "infra": "Infrastructure"},
    lenses={"collab": "stage", "scale": "stage", "infra": "enabler"},
    stages={0: "Silos", 1: "Islands", 2: "Lighthouses", 3: "Converged"},
    questions={"C-1": "Do IT and OT plan together?"},
)


def _dim(score: float | None, stage: int | None, gap: float | None = None) -> dict[str, Any]:
    return {
        "score": score,
        "se": 0.1,
        "stage": stage,
        "target": 2,
        "gap_to_target": gap,
        "dont_know": 0.0,
    }


def document(**overrides: Any) -> Any:
    overall = {
        "n": 12,
        "answered": 12,
        "stage": 1,
        "stage_score": 1.3,
        "dimensions": {
            "collab": _dim(0.9, 0, 1.1),
            "scale": _dim(1.7, 1, 0.3),
            "infra": _dim(2.4, 2, None),
        },
        "blockers": [{"dimension": "collab", "score": 0.9, "questions": ["C-1"]}],
        "holding_back": ["scale"],
        "percent_to_target": 0.6,
        "decision_rights": None,
    }
    doc = {
        "view": {"site": None, "function": None},
        "settings": {"min_group_size": 5, "gap_threshold": 0.5},
        "overall": overall,
        "questions": {"C-1": {"n": 12, "na": 0, "dk": 0, "mean": 0.8, "stdev": 0.5}},
        "perception_gaps": {
            "collab": {"gap": 0.9, "se": 0.5, "flagged": False},
            "scale": {"gap": -0.6, "se": 0.1, "flagged": True},
        },
        "recommendations": [
            {"dimension": "collab", "stage": 0, "text": "Start."},
            {"dimension": "scale", "stage": 1, "text": "Join up."},
        ],
        "by_function": {
            "it": {"n": 6, "answered": 6},
            "ot": {"n": 0, "answered": 3, "suppressed": True},
        },
        "by_team": {},
        "by_site": {},
    }
    doc.update(overrides)
    return doc


def test_why_not_next_names_the_blocker_and_what_holds_back():
    said = why_not_next(document(), LABELS)
    assert (said["next"], said["next_name"], said["threshold"]) == (2, "Lighthouses", 1.5)
    assert [(b["name"], b["score"]) for b in said["blockers"]] == [("Collaboration", 0.9)]
    assert said["blockers"][0]["questions"] == [
        {"key": "C-1", "text": "Do IT and OT plan together?", "mean": 0.8}
    ]
    assert [(h["name"], h["stage"]) for h in said["holding_back"]] == [("Scaling", 1)]


def test_nothing_to_say_for_a_hidden_view_or_the_top_stage():
    hidden = document(overall={"n": 0, "answered": 3, "suppressed": True})
    assert why_not_next(hidden, LABELS) is None
    assert recommendations(hidden, LABELS) == []
    assert strongest_and_weakest(hidden, LABELS) == ([], [])
    assert [step["current"] for step in ladder(hidden, LABELS)] == [False] * 4
    top = document()
    top["overall"]["stage"] = 3
    assert why_not_next(top, LABELS) is None


def test_the_gap_to_talk_about_is_the_flagged_one_even_if_smaller():
    gap = largest_gap(document(), LABELS)
    assert (gap["name"], gap["gap"], gap["higher"], gap["lower"]) == ("Scaling", -0.6, "OT", "IT")
    assert (gap["noise"], gap["flagged"]) == (0.2, True)
    unflagged = document()
    unflagged["perception_gaps"]["scale"]["flagged"] = False
    gap = largest_gap(unflagged, LABELS)
    assert (gap["name"], gap["flagged"]) == ("Collaboration", False)
    assert largest_gap(document(perception_gaps={}), LABELS) is None


def test_each_recommendation_says_why_it_comes_where_it_does():
    said = recommendations(document(), LABELS)
    assert [(r["name"], r["why"], r["gap"]) for r in said] == [
        ("Collaboration", "blocks the next stage", 1.1),
        ("Scaling", "holds the next stage back", 0.3),
    ]


def test_strongest_and_weakest_in_order():
    strongest, weakest = strongest_and_weakest(document(), LABELS, count=2)
    assert strongest == [("Infrastructure", 2.4), ("Scaling", 1.7)]
    assert weakest == [("Collaboration", 0.9), ("Scaling", 1.7)]


def test_coverage_in_words():
    assert coverage({"n": 6, "answered": 10}, 5) == "figures from 6 of 10 responses"
    assert coverage({"n": 6, "answered": 10}, 5, short=True) == "6 of 10"
    assert coverage({"n": 1, "answered": 1}, 5) == "1 response"
    hidden = {"n": 0, "answered": 3, "suppressed": True}
    assert coverage(hidden, 5) == (
        "3 responses; fewer than 5 that can be shown without singling anyone out"
    )
    assert coverage(hidden, 5, short=True) == "3 (not shown)"


def test_the_hidden_groups_note_only_when_something_is_hidden():
    assert "no figure rests on fewer than 5 people" in hidden_note(document(), 5)
    shown_all = document(by_function={"it": {"n": 6, "answered": 6}})
    assert hidden_note(shown_all, 5) is None
