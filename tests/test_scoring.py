"""scoring.py against a hand-worked example that exercises every rule of the scoring
contract (version 2; docs/methodology.md explains the rules to users).

No database: plain data in, numbers out. Every expected figure below was worked out by
hand; the comments show the arithmetic. The privacy rule's own hand-worked examples are in
tests/test_suppression.py; here `min_group_size` is 1, so every group holds its real
responses and the other rules can be followed by hand.

The bank: stage dimensions A (weight 1) and B (weight 2), enabler E (weight 1).
  A1 (w1), A2 (w3, N/A allowed) in A;  B1, B2 in B;  E1, E2 (N/A allowed) in E.
Settings: min_group_size 1, gap_threshold 1.25, targets A=3 (B and E default to 2).

Responses (all submitted except r6):
  r1 it  t-it  s1: A1=3 A2=2  B1=2 B2=1 E1=3 E2=NA
  r2 it  t-it  s1: A1=2 A2=NA B1=2 B2=2 E1=3
  r3 ot  t-ot  s1: A1=1 A2=1  B1=1 B2=1 E1=1
  r4 ot  t-ot  s2: A1=0 A2=1  B1=2 (B2 missing) E1=0
  r5 business t-biz s2: A1=2 A2=2 B1=1 B2=1 E1=1
  r6 ot  t-ot  s1: in progress, A1=3 (counted, never scored)

Respondents' own scores (rule 2b), r1..r5:
  A = (A1 + 3 A2) / 4 over what each answered: 2.25, 2 (A1 only), 1, 0.75, 2
  B = mean of B1, B2 answered: 1.5, 2, 1, 2 (B1 only), 1
  E = E1: 3, 3, 1, 0, 1
"""

from __future__ import annotations

from fractions import Fraction

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
from assessments.vocabulary import NA

CHOICES = tuple(ChoiceDef(str(i), float(i)) for i in range(4))


def guidance(key: str) -> tuple[str, str, str, str]:
    return (f"{key}:0", f"{key}:1", f"{key}:2", f"{key}:3")


BANK = BankDef(
    slug="mini",
    version=2,
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
SETTINGS = Settings(min_group_size=1, gap_threshold=1.25, targets={"A": 3})


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
TALLY = tally(RESPONSES, BANK)


def data(**extra):
    fields = {
        "campaign": "acme-2026",
        "bank": BANK,
        "settings": SETTINGS,
        "tally": TALLY,
        "teams": ("t-it", "t-ot", "t-biz", "t-empty"),
        "sites": ("s1", "s2", "s3"),
        **extra,
    }
    return ScoreInput(**fields)


@pytest.fixture(scope="module")
def doc():
    return score(
        data(
            baseline=Baseline(
                "acme-2025", 1, {"A": Fraction(9, 10), "B": Fraction(13, 10), "E": Fraction(5, 2)}
            ),
            consensus={"B2": "3", "A2": NA},
        )
    )


def test_header_blocks(doc):
    assert list(doc)[:6] == ["campaign", "contract", "bank", "view", "respondents", "settings"]
    assert doc["campaign"] == "acme-2026"
    assert doc["contract"] == 2
    assert doc["bank"] == {"slug": "mini", "version": 2}
    assert doc["view"] == {"site": None, "function": None}
    assert doc["respondents"] == {
        "submitted": 5,
        "in_progress": 1,
        "expected": None,  # no team has a headcount
        "response_rate": None,
    }
    assert doc["settings"] == {"min_group_size": 1, "gap_threshold": 1.25}


def test_rule_1_questions(doc):
    # agreement = max(0, 1 - variance / 1.25) (r_wg)
    assert doc["questions"] == {
        # [3,2,1,0,2]: mean 8/5; variance 18/5 - 1.6^2 = 1.04; 1 - 1.04/1.25 = 0.168
        "A1": {"n": 5, "na": 0, "dk": 0, "mean": 1.6, "stdev": 1.02, "agreement": 0.168},
        # [2,1,1,2] and one N/A: mean 1.5; variance 2.5 - 2.25 = 0.25 -> 0.8
        "A2": {"n": 4, "na": 1, "dk": 0, "mean": 1.5, "stdev": 0.5, "agreement": 0.8},
        # [2,2,1,2,1]: variance 2.8 - 2.56 = 0.24 -> 0.808
        "B1": {"n": 5, "na": 0, "dk": 0, "mean": 1.6, "stdev": 0.49, "agreement": 0.808},
        # [1,2,1,1], r4 missing: mean 1.25; variance 0.1875 -> 0.85
        "B2": {"n": 4, "na": 0, "dk": 0, "mean": 1.25, "stdev": 0.433, "agreement": 0.85},
        # [3,3,1,0,1]: variance 1.44, more than an even spread: agreement 0
        "E1": {"n": 5, "na": 0, "dk": 0, "mean": 1.6, "stdev": 1.2, "agreement": 0.0},
        # only N/A: undefined, appears with n = 0 and null figures
        "E2": {"n": 0, "na": 1, "dk": 0, "mean": None, "stdev": None, "agreement": None},
    }


def test_rules_2_to_7_and_11_overall(doc):
    assert doc["overall"] == {
        "n": 5,
        "answered": 5,
        # rule 4: (1 * 1.525 + 2 * 1.425) / 3 = 4.375 / 3
        "stage": 1,
        "stage_score": 1.458,
        "dimensions": {
            # rule 2: A = (1 * 1.6 + 3 * 1.5) / 4 = 1.525 -> stage 2; target 3, gap 1.475
            # rule 2b: r = 2.25, 2, 1, 0.75, 2; mean 1.6; squares of deviations 1.825;
            # se = sqrt(1.825 / 4 / 5) = 0.302
            "A": {
                "score": 1.525,
                "se": 0.302,
                "stage": 2,
                "target": 3,
                "gap_to_target": 1.475,
                "dont_know": 0.0,
            },
            # B = (1.6 + 1.25) / 2 = 1.425 -> stage 1; gap 0.575. r = 1.5, 2, 1, 2, 1:
            # mean 1.5, squares 1.0, se = sqrt(1 / 4 / 5) = 0.224
            "B": {
                "score": 1.425,
                "se": 0.224,
                "stage": 1,
                "target": 2,
                "gap_to_target": 0.575,
                "dont_know": 0.0,
            },
            # E = E1 only (E2 undefined) = 1.6 -> stage 2; gap 0.4. r = 3, 3, 1, 0, 1:
            # squares 7.2, se = sqrt(7.2 / 4 / 5) = 0.6
            "E": {
                "score": 1.6,
                "se": 0.6,
                "stage": 2,
                "target": 2,
                "gap_to_target": 0.4,
                "dont_know": 0.0,
            },
        },
        # rule 5: min(stage 2, stage 1) = 1. rule 6: B is at 1; its questions with
        # mean <= 1.5: B2 (1.25), not B1 (1.6)
        "blockers": [{"dimension": "B", "score": 1.425, "questions": ["B2"]}],
        # rule 7: E is at stage 2, already the next stage
        "holding_back": [],
        # rule 11: 1 - (1.475 + 0.575 + 0.4) / (3 + 2 + 2) = 1 - 2.45 / 7
        "percent_to_target": 0.65,
        "decision_rights": None,  # the bank has no decision question
    }


def test_it_group_blockers_order_and_inclusive_limit(doc):
    it = doc["by_function"]["it"]
    # A1 [3,2] 2.5, A2 [2] 2: A = (2.5 + 6) / 4 = 2.125. B1 2, B2 1.5: B = 1.75. E1 = 3.
    assert (it["n"], it["answered"]) == (2, 2)
    assert it["stage"] == 2
    assert it["stage_score"] == 1.875  # (2.125 + 2 * 1.75) / 3
    # r = 3, 3: no spread, se 0
    assert it["dimensions"]["E"] == {
        "score": 3.0,
        "se": 0.0,
        "stage": 3,
        "target": 2,
        "gap_to_target": 0,
        "dont_know": 0.0,
    }
    # A: r = 2.25, 2: squares 0.03125 / 1 / 2 -> se 0.125. B: r = 1.5, 2 -> se 0.25
    assert it["dimensions"]["A"]["se"] == 0.125
    assert it["dimensions"]["B"]["se"] == 0.25
    # Both A and B are at stage 2: lowest score first. Questions with mean <= 2.5, lowest
    # first; A1's mean of exactly 2.5 is included.
    assert it["blockers"] == [
        {"dimension": "B", "score": 1.75, "questions": ["B2", "B1"]},
        {"dimension": "A", "score": 2.125, "questions": ["A2", "A1"]},
    ]
    assert it["holding_back"] == []  # E is at 3, past the next stage
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
    # B: r = 1 (r3), 2 (r4, B1 only): se = sqrt(0.5 / 1 / 2) = 0.5
    assert ot["dimensions"]["B"]["se"] == 0.5


def test_groups_list_every_function_and_present_teams_and_sites(doc):
    assert list(doc["by_function"]) == ["it", "ot", "business", "leadership", "other"]
    assert doc["by_function"]["leadership"] == {"n": 0, "answered": 0, "suppressed": True}
    assert doc["by_function"]["business"]["n"] == 1  # with a minimum of 1, shown
    # Teams and sites with a submitted response, in the organisation's order.
    assert list(doc["by_team"]) == ["t-it", "t-ot", "t-biz"]
    team = dict(doc["by_team"]["t-it"])
    assert team.pop("headcount") is None and team.pop("response_rate") is None
    assert team == doc["by_function"]["it"]
    assert list(doc["by_site"]) == ["s1", "s2"]


def test_site_with_a_dimension_exactly_on_a_boundary(doc):
    s1 = doc["by_site"]["s1"]
    # r1-r3. B1 [2,2,1] 5/3, B2 [1,2,1] 4/3: B = 1.5 exactly -> stage 1, not 2.
    assert s1["n"] == 3
    assert s1["dimensions"]["B"]["score"] == 1.5
    assert s1["dimensions"]["B"]["stage"] == 1
    # A1 [3,2,1] 2, A2 [2,1] 1.5: A = (2 + 4.5) / 4 = 1.625
    assert s1["dimensions"]["A"]["score"] == 1.625
    assert s1["stage_score"] == 1.542  # (1.625 + 3) / 3 = 1.5417
    assert s1["blockers"] == [{"dimension": "B", "score": 1.5, "questions": ["B2"]}]
    s2 = doc["by_site"]["s2"]
    assert (s2["n"], s2["stage"], s2["stage_score"]) == (2, 1, 1.292)
    assert s2["holding_back"] == ["E"]  # E1 [0, 1] = 0.5: stage 0
    assert s2["percent_to_target"] == 0.446  # 1 - (1.625 + 0.75 + 1.5) / 7


def test_rule_9_perception_gaps_flag_only_beyond_threshold_and_noise(doc):
    assert doc["perception_gaps"] == {
        # 2.125 - 0.875 = 1.25, equal to the threshold; se = sqrt(0.125^2 + 0.125^2) =
        # 0.177; 1.25^2 = 1.5625 >= 4 * 0.03125: flagged
        "A": {"gap": 1.25, "se": 0.177, "flagged": True},
        # 1.75 - 1.25 = 0.5 < 1.25; se = sqrt(0.25^2 + 0.5^2) = 0.559
        "B": {"gap": 0.5, "se": 0.559, "flagged": False},
        # 3 - 0.5 = 2.5; se = sqrt(0 + 0.5^2) = 0.5; 6.25 >= 1
        "E": {"gap": 2.5, "se": 0.5, "flagged": True},
    }


def test_rule_9_a_gap_within_its_noise_is_not_flagged():
    # IT answers 3, 0, 3, 0 (mean 1.5, r spread wide); OT 0, 0, 0, 0. Gap 1.5 >= 0.5 but
    # se(IT) = sqrt(9 / 3 / 4) = 0.866, se(OT) = 0: 2 se = 1.732 > 1.5: noise.
    bank = BankDef("b", 1, (DimensionDef("A", "stage"),), (QuestionDef("A1", "A", 1.0, CHOICES),))
    responses = [r("it", None, None, A1=v) for v in "3030"] + [
        r("ot", None, None, A1="0") for _ in range(4)
    ]
    doc = score(ScoreInput("c", bank, Settings(min_group_size=4), tally(responses, bank)))
    assert doc["perception_gaps"] == {"A": {"gap": 1.5, "se": 0.866, "flagged": False}}


def test_rule_10_divergent_questions_in_order(doc):
    # E1: stdev 1.2 / 0.75 = 1.6; |3 - 0.5| = 2.5 -> 2.5
    # A1: stdev 1.02 / 0.75 = 1.36; |2.5 - 0.5| = 2 -> 2
    # A2: stdev 0.5; |2 - 1| = 1.0, exactly the limit -> 1
    # B1 (|2 - 1.5| = 0.5) and B2 (|1.5 - 1| = 0.5) are not divergent.
    assert doc["divergent_questions"] == ["E1", "A1", "A2"]


def test_rule_12_progress_against_baseline(doc):
    assert doc["progress"] == {
        "baseline": "acme-2025",
        "baseline_bank_version": 1,  # differs from the campaign's version 2
        "dimensions": {
            # 1.525 - 0.9 = 0.625; 0.625 / (3 - 0.9) = 0.2976
            "A": {"delta": 0.625, "progress_to_date": 0.298},
            # 1.425 - 1.3 = 0.125; 0.125 / (2 - 1.3) = 0.1786
            "B": {"delta": 0.125, "progress_to_date": 0.179},
            # 1.6 - 2.5 = -0.9; the target 2 is not above the baseline 2.5: null
            "E": {"delta": -0.9, "progress_to_date": None},
        },
    }


def test_rule_12_no_progress_where_the_baseline_view_is_suppressed():
    doc = score(data(baseline=Baseline("acme-2025", 1, None)))
    assert doc["progress"] is None


def test_rule_13_recommendations_start_with_what_blocks_the_next_stage(doc):
    # Blockers first (B, at the headline stage 1), then holding back (none), then the rest
    # by gap x weight: A 1.475 x 1 = 1.475; E 0.4 x 1 = 0.4. Text: guidance for the stage.
    assert doc["recommendations"] == [
        {"dimension": "B", "stage": 1, "text": "B:1"},
        {"dimension": "A", "stage": 2, "text": "A:2"},
        {"dimension": "E", "stage": 2, "text": "E:2"},
    ]


def test_rule_7_and_13_an_enabler_at_the_current_stage_holds_back():
    # Everyone at 1 on A and B, E at 1 too: stage 1, E (stage 1) is not yet at the next
    # stage, so it holds back and comes after the blockers.
    responses = [r("it", None, None, A1="1", A2="1", B1="1", B2="1", E1="1") for _ in range(2)]
    doc = score(ScoreInput("c", BANK, SETTINGS, tally(responses, BANK)))
    assert doc["overall"]["holding_back"] == ["E"]
    assert [x["dimension"] for x in doc["recommendations"]] == ["A", "B", "E"]


def test_rule_14_consensus_block(doc):
    # A: the agreed N/A takes A2 out, A1 keeps its mean 1.6. B: (1.6 + 3) / 2 = 2.3.
    # E: no agreed answer, keeps the means: 1.6. The survey scores are unchanged.
    assert doc["consensus"] == {"dimensions": {"A": 1.6, "B": 2.3, "E": 1.6}}
    assert doc["overall"]["dimensions"]["B"]["score"] == 1.425


def test_without_baseline_or_consensus_those_blocks_are_null():
    plain = score(ScoreInput("c", BANK, SETTINGS, TALLY))
    assert plain["progress"] is None
    assert plain["consensus"] is None
    assert plain["decisions"] == {}


def test_empty_campaign_has_null_figures_and_no_invented_values():
    empty = score(ScoreInput("c", BANK, SETTINGS, tally([], BANK)))
    assert empty["respondents"] == {
        "submitted": 0,
        "in_progress": 0,
        "expected": None,
        "response_rate": None,
    }
    assert empty["overall"]["n"] == 0 and empty["overall"]["answered"] == 0
    assert empty["overall"]["stage"] is None
    assert empty["overall"]["stage_score"] is None
    assert empty["overall"]["percent_to_target"] is None
    assert empty["overall"]["blockers"] == []
    assert empty["overall"]["dimensions"]["A"] == {
        "score": None,
        "se": None,
        "stage": None,
        "target": 3,
        "gap_to_target": None,
        "dont_know": None,
    }
    assert empty["by_team"] == {} and empty["by_site"] == {}
    assert empty["perception_gaps"] == {}  # only dimensions defined for both groups
    assert empty["divergent_questions"] == [] and empty["recommendations"] == []


def test_small_groups_hide_gaps_and_it_ot_divergence():
    # With a minimum of 3 every class is small: team, site and function are hidden in
    # turn until all five responses are one class (*, *, *) of 5. No function, team or
    # site is shown; questions are divergent only by their overall spread (A1, E1).
    doc = score(ScoreInput("c", BANK, Settings(min_group_size=3), TALLY))
    assert doc["by_function"]["it"] == {"n": 0, "answered": 2, "suppressed": True}
    assert doc["by_team"]["t-ot"] == {
        "n": 0,
        "answered": 2,
        "suppressed": True,
        "headcount": None,
        "response_rate": None,
    }
    assert doc["perception_gaps"] == {}
    assert doc["divergent_questions"] == ["E1", "A1"]
    assert doc["overall"]["n"] == 5  # the campaign group holds everyone


def test_stage_at_three_has_no_blockers():
    top = [r("it", None, None, A1="3", A2="3", B1="3", B2="3", E1="3") for _ in range(2)]
    doc = score(ScoreInput("c", BANK, SETTINGS, tally(top, BANK)))
    assert doc["overall"]["stage"] == 3
    assert doc["overall"]["blockers"] == []
    assert doc["overall"]["holding_back"] == []
    assert doc["overall"]["percent_to_target"] == 1.0


@pytest.mark.parametrize(
    "x,stage",
    [(0, 0), (0.5, 0), (0.5001, 1), (1.5, 1), (1.5001, 2), (2.5, 2), (2.5001, 3), (3, 3)],
)
def test_rule_3_stage_boundaries(x, stage):
    assert stage_of(Fraction(x)) == stage
