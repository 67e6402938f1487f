"""Hand-worked examples of the rules version 2 added: Don't know, decision rights (rule 15),
response rates (rule 16) and views (a site and/or a function, rule 8d)."""

from __future__ import annotations

from assessments.scoring import (
    EVERYONE,
    BankDef,
    ChoiceDef,
    DimensionDef,
    QuestionDef,
    ResponseData,
    ScoreInput,
    Settings,
    View,
    score,
    tally,
)
from assessments.vocabulary import DK, NA

CHOICES = tuple(ChoiceDef(str(i), float(i)) for i in range(4))
BANK = BankDef(
    "b",
    1,
    (DimensionDef("A", "stage"), DimensionDef("E", "enabler")),
    (
        QuestionDef("A1", "A", 1.0, CHOICES, allow_dont_know=True),
        QuestionDef("E1", "E", 1.0, CHOICES),
        QuestionDef("D1", "A", kind="decision", allow_na=True, allow_dont_know=True),
        QuestionDef("D2", "A", kind="decision", allow_dont_know=True),
    ),
)


def r(function, team=None, site=None, **answers):
    return ResponseData(function, team, site, True, answers)


RESPONSES = [
    r("it", "t-it", "s1", A1="3", E1="2", D1="it", D2=DK),
    r("it", "t-it", "s1", A1=DK, E1="2", D1="it"),
    r("it", "t-it", "s2", A1="1", E1="2", D1="joint"),
    r("ot", "t-ot", "s1", A1="1", E1="1", D1="ot", D2=DK),
    r("ot", "t-ot", "s2", A1="0", E1="1", D1="ot"),
    r("ot", "t-ot", "s2", A1=DK, E1="1", D1=DK),
    r("business", "t-biz", "s1", A1="2", E1="0", D1=NA),
]


def doc_for(view=EVERYONE, minimum=1, headcounts=None):
    return score(
        ScoreInput(
            "c",
            BANK,
            Settings(min_group_size=minimum),
            tally(RESPONSES, BANK),
            teams=("t-it", "t-ot", "t-biz", "t-none"),
            sites=("s1", "s2"),
            headcounts=headcounts or {},
            view=view,
        )
    )


def test_dont_know_is_counted_never_scored():
    doc = doc_for()
    # A1: choices 3, 1, 1, 0, 2 (mean 1.4); two Don't know
    assert doc["questions"]["A1"] == {
        "n": 5,
        "na": 0,
        "dk": 2,
        "mean": 1.4,
        "stdev": 1.02,
        "agreement": 0.168,  # variance 1.04
    }
    # dont_know_A = 2 / (5 + 2); decision questions never enter a score or a dont_know
    assert doc["overall"]["dimensions"]["A"]["dont_know"] == 0.286
    assert doc["overall"]["dimensions"]["A"]["score"] == 1.4
    assert doc["overall"]["dimensions"]["E"]["dont_know"] == 0.0
    assert "D1" not in doc["questions"]


def test_rule_15_decision_rights():
    doc = doc_for()
    # D1: it, it, joint, ot, ot (n 5), one Don't know, one N/A (not counted).
    # it 0.4 = ot 0.4: no strict leader, contested; clarity 0.4; joint 0.2.
    # IT's own group: it 2 of 3 -> it; OT's: ot 2 of 2 -> ot; they differ: disputed.
    assert doc["decisions"]["D1"] == {
        "n": 5,
        "dk": 1,
        "shares": {"it": 0.4, "ot": 0.4, "joint": 0.2, "vendor": 0.0, "nobody": 0.0},
        "owner": "contested",
        "clarity": 0.4,
        "joint": 0.2,
        "it_owner": "it",
        "ot_owner": "ot",
        "disputed": True,
    }
    # D2: only Don't know (2): no shares, no owner.
    assert doc["decisions"]["D2"] == {
        "n": 0,
        "dk": 2,
        "shares": None,
        "owner": None,
        "clarity": None,
        "joint": None,
        "it_owner": None,
        "ot_owner": None,
        "disputed": False,
    }
    # The index: joint and clarity over D1 (D2 has no answer); unknown = (1 + 2) / (6 + 2)
    assert doc["overall"]["decision_rights"] == {"joint": 0.2, "clarity": 0.4, "unknown": 0.375}
    # IT's group: D1 it 2/3, joint 1/3; D2 one Don't know: unknown = 1 / (3 + 1)
    assert doc["by_function"]["it"]["decision_rights"] == {
        "joint": 0.333,
        "clarity": 0.667,
        "unknown": 0.25,
    }


def test_rule_16_response_rates_are_counts_of_the_whole_campaign():
    doc = doc_for(view=View(site="s1"), headcounts={"t-it": 4, "t-ot": 6, "t-none": 5})
    # Teams with a headcount: 4 + 6 + 5 = 15; their submitted responses 3 + 3 + 0 = 6.
    assert doc["respondents"] == {
        "submitted": 7,
        "in_progress": 0,
        "expected": 15,
        "response_rate": 0.4,
    }
    # In the site view too, a team's rate counts the whole campaign: 3 of 4.
    assert doc["by_team"]["t-it"]["headcount"] == 4
    assert doc["by_team"]["t-it"]["response_rate"] == 0.75
    assert doc["by_team"]["t-biz"]["headcount"] is None
    # A suppressed team keeps its rate (a count, not an answer).
    small = doc_for(minimum=5, headcounts={"t-biz": 2})
    assert small["by_team"]["t-biz"] == {
        "n": 0,
        "answered": 1,
        "suppressed": True,
        "headcount": 2,
        "response_rate": 0.5,
    }


def test_a_view_reports_its_group_and_its_intersections():
    doc = doc_for(view=View(site="s2"))
    assert doc["view"] == {"site": "s2", "function": None}
    # s2: it (A1 1), ot (A1 0), ot (A1 DK)
    assert (doc["overall"]["n"], doc["overall"]["answered"]) == (3, 3)
    assert doc["overall"]["dimensions"]["A"]["score"] == 0.5
    assert doc["by_function"]["it"]["n"] == 1
    assert doc["by_function"]["business"] == {"n": 0, "answered": 0, "suppressed": True}
    assert list(doc["by_team"]) == ["t-it", "t-ot"]  # present in the view
    assert list(doc["by_site"]) == ["s2"]
    both = doc_for(view=View(site="s2", function="ot"))
    assert both["overall"]["n"] == 2 and list(both["by_team"]) == ["t-ot"]


def test_rule_8d_a_suppressed_view_reports_only_its_count():
    # m = 5: every class is small; all seven are one class (*, *, *). The s1 view holds no
    # protected response: only the header blocks and its real count are reported.
    doc = doc_for(view=View(site="s1"), minimum=5)
    assert list(doc) == [
        "campaign",
        "contract",
        "bank",
        "view",
        "respondents",
        "settings",
        "overall",
    ]
    assert doc["overall"] == {"n": 0, "answered": 4, "suppressed": True}
