"""scoring.py against a hand-worked example that exercises every rule of scoring.md.

No database: plain data in, numbers out. Every expected figure below was worked out by
hand; the comments show the arithmetic.

The bank: stage dimensions A (weight 1) and B (weight 2), enabler E (weight 1).
  A1 (w1), A2 (w3, N/A allowed) in A;  B1, B2 in B;  E1, E2 (N/A allowed) in E.
Settings: min_group_size 2, gap_threshold 1.25, targets A=3 (B and E default to 2).

Responses (all submitted except r6):
  r1 it  t-it  s1: A1=3 A2=2  B1=2 B2=1 E1=3 E2=NA
  r2 it  t-it  s1: A1=2 A2=NA B1=2 B2=2 E1=3
  r3 ot  t-ot  s1: A1=1 A2=1  B1=1 B2=1 E1=1
  r4 ot  t-ot  s2: A1=0 A2=1  B1=2 (B2 missing) E1=0
  r5 business t-biz s2: A1=2 A2=2 B1=1 B2=1 E1=1
  r6 ot  t-ot  s1: in progress, A1=3 (counted, never scored)
"""

from __future__ import annotations

import pytest

from assessments.scoring import (
    BankDef,
    Baseline,
    ChoiceDef,
    DimensionDef,
    QuestionDef,
    ResponseData,
    ScoreInput,
    Settings,
    score,
    stage_of,
    tally,
)

CHOICES = tuple(ChoiceDef(str(i), float(i)) for i in range(4))


def guidance(key: str) -> tuple[str, str, str, str]:
    return (f"{key}:0", f"{key}:1", f"{key}:2", f"{key}:3")


BANK = BankDef(
    slug="mini",
    version=1,
    dimensions=(
        DimensionDef("A", "stage", 1.0, guidance("A")),
        DimensionDef("B", "stage", 2.0, guidance("B")),
        DimensionDef("E", "enabler", 1.0, guidance("E")),
    ),
    questions=(
        QuestionDef("A1", "A", 1.0, CHOICES),
        QuestionDef("A2", "A", 3.0, CHOICES, allow_na=True),
        QuestionDef("B1", "B", 1.0, CHOICES),
        QuestionDef("B2", "B", 1.0, CHOICES),
        QuestionDef("E1", "E", 1.0, CHOICES),
        QuestionDef("E2", "E", 1.0, CHOICES, allow_na=True),
    ),
)
SETTINGS = Settings(min_group_size=2, gap_threshold=1.25, targets={"A": 3})
NA = None


def r(function, team, site, submitted=True, **answers):
    return ResponseData(function, team, site, submitted, answers)


RESPONSES = [
    r("it", "t-it", "s1", A1="3", A2="2", B1="2", B2="1", E1="3", E2=NA),
    r("it", "t-it", "s1", A1="2", A2=NA, B1="2", B2="2", E1="3"),
    r("ot", "t-ot", "s1", A1="1", A2="1", B1="1", B2="1", E1="1"),
    r("ot", "t-ot", "s2", A1="0", A2="1", B1="2", E1="0"),
    r("business", "t-biz", "s2", A1="2", A2="2", B1="1", B2="1", E1="1"),
    r("ot", "t-ot", "s1", False, A1="3"),
]


@pytest.fixture(scope="module")
def doc():
    return score(
        ScoreInput(
            campaign="acme-2026",
            bank=BANK,
            settings=SETTINGS,
            tally=tally(RESPONSES),
            teams=("t-it", "t-ot", "t-biz", "t-empty"),
            sites=("s1", "s2", "s3"),
            baseline=Baseline("acme-2025", {"A": 0.9, "B": 1.3, "E": 2.5}),
            consensus={"B2": "3", "A2": NA},
        )
    )


def test_header_blocks(doc):
    assert doc["campaign"] == "acme-2026"
    assert doc["bank"] == {"slug": "mini", "version": 1}
    assert doc["respondents"] == {"submitted": 5, "in_progress": 1}
    assert doc["settings"] == {"min_group_size": 2, "gap_threshold": 1.25}


def test_rule_1_questions(doc):
    assert doc["questions"] == {
        # [3,2,1,0,2]: mean 8/5; variance 18/5 - 1.6^2 = 1.04; stdev 1.0198; 1 - 1.0198/1.5
        "A1": {"n": 5, "na": 0, "mean": 1.6, "stdev": 1.02, "agreement": 0.32},
        # [2,1,1,2] and one N/A: mean 1.5; variance 2.5 - 2.25 = 0.25
        "A2": {"n": 4, "na": 1, "mean": 1.5, "stdev": 0.5, "agreement": 0.667},
        # [2,2,1,2,1]: variance 2.8 - 2.56 = 0.24; stdev 0.4899
        "B1": {"n": 5, "na": 0, "mean": 1.6, "stdev": 0.49, "agreement": 0.673},
        # [1,2,1,1], r4 missing: mean 1.25; variance 1.75 - 1.5625 = 0.1875
        "B2": {"n": 4, "na": 0, "mean": 1.25, "stdev": 0.433, "agreement": 0.711},
        # [3,3,1,0,1]: variance 4 - 2.56 = 1.44; stdev 1.2
        "E1": {"n": 5, "na": 0, "mean": 1.6, "stdev": 1.2, "agreement": 0.2},
        # only N/A: undefined, appears with n = 0 and null figures
        "E2": {"n": 0, "na": 1, "mean": None, "stdev": None, "agreement": None},
    }


def test_rules_2_to_7_and_11_overall(doc):
    assert doc["overall"] == {
        "n": 5,
        # rule 4: (1 * 1.525 + 2 * 1.425) / 3 = 4.375 / 3
        "stage": 1,
        "stage_score": 1.458,
        "dimensions": {
            # rule 2: A = (1 * 1.6 + 3 * 1.5) / 4 = 1.525 -> stage 2; target 3, gap 1.475
            "A": {"score": 1.525, "stage": 2, "target": 3, "gap_to_target": 1.475},
            # B = (1.6 + 1.25) / 2 = 1.425 -> stage 1; gap 0.575
            "B": {"score": 1.425, "stage": 1, "target": 2, "gap_to_target": 0.575},
            # E = E1 only (E2 undefined) = 1.6 -> stage 2; gap 0.4
            "E": {"score": 1.6, "stage": 2, "target": 2, "gap_to_target": 0.4},
        },
        # rule 5: min(stage 2, stage 1) = 1. rule 6: B is at 1; its questions with
        # mean <= 1.5: B2 (1.25), not B1 (1.6)
        "blockers": [{"dimension": "B", "score": 1.425, "questions": ["B2"]}],
        # rule 7: E is at stage 2, not below 1
        "holding_back": [],
        # rule 11: 1 - (1.475 + 0.575 + 0.4) / (3 + 2 + 2) = 1 - 2.45 / 7
        "percent_to_target": 0.65,
    }


def test_it_group_blockers_order_and_inclusive_limit(doc):
    it = doc["by_function"]["it"]
    # A1 [3,2] 2.5, A2 [2] 2: A = (2.5 + 6) / 4 = 2.125. B1 2, B2 1.5: B = 1.75. E1 = 3.
    assert it["n"] == 2
    assert it["stage"] == 2
    assert it["stage_score"] == 1.875  # (2.125 + 2 * 1.75) / 3
    assert it["dimensions"]["E"] == {"score": 3.0, "stage": 3, "target": 2, "gap_to_target": 0}
    # Both A and B are at stage 2: lowest score first. Questions with mean <= 2.5, lowest
    # first; A1's mean of exactly 2.5 is included.
    assert it["blockers"] == [
        {"dimension": "B", "score": 1.75, "questions": ["B2", "B1"]},
        {"dimension": "A", "score": 2.125, "questions": ["A2", "A1"]},
    ]
    assert it["holding_back"] == []
    assert it["percent_to_target"] == 0.839  # 1 - (0.875 + 0.25 + 0) / 7


def test_ot_group_tie_on_boundary_goes_down_and_holds_back(doc):
    ot = doc["by_function"]["ot"]
    # A1 [1,0] 0.5, A2 [1,1] 1: A = (0.5 + 3) / 4 = 0.875. B1 [1,2] 1.5, B2 [1] 1: B = 1.25.
    # E1 [1,0] = 0.5 exactly: a tie between stages 0 and 1 goes down to 0.
    assert ot["dimensions"]["E"]["score"] == 0.5
    assert ot["dimensions"]["E"]["stage"] == 0
    assert ot["stage"] == 1
    assert ot["stage_score"] == 1.125  # (0.875 + 2 * 1.25) / 3
    assert ot["blockers"] == [
        {"dimension": "A", "score": 0.875, "questions": ["A1", "A2"]},
        {"dimension": "B", "score": 1.25, "questions": ["B2", "B1"]},  # B1 = 1.5 <= 1.5
    ]
    assert ot["holding_back"] == ["E"]
    assert ot["percent_to_target"] == 0.375  # 1 - (2.125 + 0.75 + 1.5) / 7


def test_rule_8_small_groups_are_suppressed(doc):
    assert doc["by_function"]["business"] == {"n": 1, "suppressed": True}
    assert doc["by_function"]["leadership"] == {"n": 0, "suppressed": True}
    assert doc["by_function"]["other"] == {"n": 0, "suppressed": True}
    assert list(doc["by_function"]) == ["it", "ot", "business", "leadership", "other"]
    # Teams and sites with a submitted response, in the organisation's order.
    assert list(doc["by_team"]) == ["t-it", "t-ot", "t-biz"]
    assert doc["by_team"]["t-biz"] == {"n": 1, "suppressed": True}
    assert doc["by_team"]["t-it"] == doc["by_function"]["it"]
    assert list(doc["by_site"]) == ["s1", "s2"]


def test_site_with_a_dimension_exactly_on_a_boundary(doc):
    s1 = doc["by_site"]["s1"]
    # r1-r3. B1 [2,2,1] 5/3, B2 [1,2,1] 4/3: B = 1.5 exactly -> stage 1, not 2.
    assert s1["n"] == 3
    assert s1["dimensions"]["B"] == {"score": 1.5, "stage": 1, "target": 2, "gap_to_target": 0.5}
    # A1 [3,2,1] 2, A2 [2,1] 1.5: A = (2 + 4.5) / 4 = 1.625
    assert s1["dimensions"]["A"]["score"] == 1.625
    assert s1["stage_score"] == 1.542  # (1.625 + 3) / 3 = 1.5417
    assert s1["blockers"] == [{"dimension": "B", "score": 1.5, "questions": ["B2"]}]
    s2 = doc["by_site"]["s2"]
    assert (s2["n"], s2["stage"], s2["stage_score"]) == (2, 1, 1.292)
    assert s2["holding_back"] == ["E"]
    assert s2["percent_to_target"] == 0.446  # 1 - (1.625 + 0.75 + 1.5) / 7


def test_rule_9_perception_gaps_flag_at_threshold(doc):
    assert doc["perception_gaps"] == {
        "A": {"gap": 1.25, "flagged": True},  # 2.125 - 0.875: equal to the threshold
        "B": {"gap": 0.5, "flagged": False},  # 1.75 - 1.25
        "E": {"gap": 2.5, "flagged": True},  # 3 - 0.5
    }


def test_rule_10_divergent_questions_in_order(doc):
    # E1: stdev 1.2 / 0.75 = 1.6; |3 - 0.5| = 2.5 -> 2.5
    # A1: stdev 1.02 / 0.75 = 1.36; |2.5 - 0.5| = 2 -> 2
    # A2: stdev 0.5; |2 - 1| = 1.0, exactly the limit -> 1
    # B1 (|2 - 1.5| = 0.5) and B2 (|1.5 - 1| = 0.5) are not divergent.
    assert doc["divergent_questions"] == ["E1", "A1", "A2"]


def test_rule_12_progress_against_baseline(doc):
    assert doc["progress"] == {
        "baseline": "acme-2025",
        "dimensions": {
            # 1.525 - 0.9 = 0.625; 0.625 / (3 - 0.9) = 0.2976
            "A": {"delta": 0.625, "progress_to_date": 0.298},
            # 1.425 - 1.3 = 0.125; 0.125 / (2 - 1.3) = 0.1786
            "B": {"delta": 0.125, "progress_to_date": 0.179},
            # 1.6 - 2.5 = -0.9; the target 2 is not above the baseline 2.5: null
            "E": {"delta": -0.9, "progress_to_date": None},
        },
    }


def test_rule_13_recommendations_by_weighted_gap(doc):
    # gap x weight: A 1.475 x 1 = 1.475; B 0.575 x 2 = 1.15; E 0.4 x 1 = 0.4.
    # The text is the guidance for the dimension's current stage.
    assert doc["recommendations"] == [
        {"dimension": "A", "stage": 2, "text": "A:2"},
        {"dimension": "B", "stage": 1, "text": "B:1"},
        {"dimension": "E", "stage": 2, "text": "E:2"},
    ]


def test_rule_14_consensus_block(doc):
    # A: the agreed N/A takes A2 out, A1 keeps its mean 1.6. B: (1.6 + 3) / 2 = 2.3.
    # E: no agreed answer, keeps the means: 1.6. The survey scores are unchanged.
    assert doc["consensus"] == {"dimensions": {"A": 1.6, "B": 2.3, "E": 1.6}}
    assert doc["overall"]["dimensions"]["B"]["score"] == 1.425


def test_without_baseline_or_consensus_those_blocks_are_null():
    plain = score(ScoreInput("c", BANK, SETTINGS, tally(RESPONSES)))
    assert plain["progress"] is None
    assert plain["consensus"] is None


def test_empty_campaign_has_null_figures_and_no_invented_values():
    empty = score(ScoreInput("c", BANK, SETTINGS, tally([])))
    assert empty["respondents"] == {"submitted": 0, "in_progress": 0}
    assert empty["overall"]["stage"] is None
    assert empty["overall"]["stage_score"] is None
    assert empty["overall"]["percent_to_target"] is None
    assert empty["overall"]["blockers"] == []
    assert empty["overall"]["dimensions"]["A"] == {
        "score": None,
        "stage": None,
        "target": 3,
        "gap_to_target": None,
    }
    assert empty["by_team"] == {} and empty["by_site"] == {}
    assert empty["perception_gaps"]["A"] == {"gap": None, "flagged": None}
    assert empty["divergent_questions"] == [] and empty["recommendations"] == []


def test_suppressed_it_group_hides_gaps_and_it_ot_divergence():
    # With a minimum of 3, IT (2) and OT (2) are suppressed: no gaps, and questions are
    # divergent only by their overall spread (A1: 1.36, E1: 1.6).
    doc = score(ScoreInput("c", BANK, Settings(min_group_size=3), tally(RESPONSES)))
    assert doc["by_function"]["it"] == {"n": 2, "suppressed": True}
    assert all(g == {"gap": None, "flagged": None} for g in doc["perception_gaps"].values())
    assert doc["divergent_questions"] == ["E1", "A1"]


def test_stage_at_three_has_no_blockers():
    top = [r("it", None, None, A1="3", A2="3", B1="3", B2="3", E1="3") for _ in range(2)]
    doc = score(ScoreInput("c", BANK, SETTINGS, tally(top)))
    assert doc["overall"]["stage"] == 3
    assert doc["overall"]["blockers"] == []
    assert doc["overall"]["percent_to_target"] == 1.0


@pytest.mark.parametrize(
    "x,stage",
    [(0, 0), (0.5, 0), (0.5001, 1), (1.5, 1), (1.5001, 2), (2.5, 2), (2.5001, 3), (3, 3)],
)
def test_rule_3_stage_boundaries(x, stage):
    from fractions import Fraction

    assert stage_of(Fraction(x)) == stage
