"""Property tests: scoring.py agrees with a deliberately naive reference implementation of
every rule (privacy included, one response at a time), keeps scores in [0, 3], ignores order,
N/A, Don't know and in-progress responses, and never shows a figure for a suppressed group."""

from __future__ import annotations

import math
import random
from collections import Counter
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.scoring import (
    FUNCTIONS,
    BankDef,
    ChoiceDef,
    DimensionDef,
    QuestionDef,
    ResponseData,
    ScoreInput,
    Settings,
    score,
    tally,
)

# --- A naive reference: loops over responses for every figure, nothing shared --------------

NA = "NA"
DK = "DK"
EVERYONE = ("*", "*", "*")


def ref_stage(x):
    if x <= Fraction(1, 2):
        return 0
    if x <= Fraction(3, 2):
        return 1
    if x <= Fraction(5, 2):
        return 2
    return 3


def rnd(x):
    if x is None:
        return None
    value = round(float(x), 3)
    return 0.0 if value == 0 else value


def root(x):
    return None if x is None else rnd(math.sqrt(float(x)))


def ref_protect(submitted, m):
    """Rule 8a, one response at a time."""
    prot = [[r.function, r.team or "*", r.site or "*"] for r in submitted]
    for index in (1, 2, 0):
        counts = Counter(tuple(p) for p in prot)
        for p in prot:
            if counts[tuple(p)] < m:
                if index == 0:
                    p[:] = list(EVERYONE)
                else:
                    p[index] = "*"
    while True:
        counts = Counter(tuple(p) for p in prot)
        others = [k for k in counts if k != EVERYONE]
        if not (0 < counts.get(EVERYONE, 0) < m) or not others:
            break
        pool = [k for k in others if k[0] not in ("it", "ot")] or others
        joining = min(pool, key=lambda k: (counts[k], k))
        for p in prot:
            if tuple(p) == joining:
                p[:] = list(EVERYONE)
    return [tuple(p) for p in prot]


def ref_question_scores(bank, responses, question):
    choice_scores = {c.key: Fraction(c.score) for c in question.choices}
    values = []
    na = dk = 0
    for response in responses:
        if question.key not in response.answers:
            continue
        answer = response.answers[question.key]
        if answer == NA:
            na += 1
        elif answer == DK:
            dk += 1
        else:
            values.append(choice_scores[answer])
    return values, na, dk


def ref_group(bank, settings, responses):
    """Unrounded dimension scores, stage, stage score for one group."""
    dims = {}
    for d in bank.dimensions:
        top = Fraction(0)
        bottom = Fraction(0)
        for q in bank.questions:
            if q.dimension != d.key:
                continue
            values, _, _ = ref_question_scores(bank, responses, q)
            if values:
                top += Fraction(q.weight) * (sum(values) / len(values))
                bottom += Fraction(q.weight)
        dims[d.key] = top / bottom if bottom else None
    stage_dims = [d for d in bank.dimensions if d.lens == "stage" and dims[d.key] is not None]
    if stage_dims:
        stage_score = sum(Fraction(d.weight) * dims[d.key] for d in stage_dims) / sum(
            Fraction(d.weight) for d in stage_dims
        )
        stage = min(ref_stage(dims[d.key]) for d in stage_dims)
    else:
        stage_score = stage = None
    return dims, stage, stage_score


def ref_se_squared(bank, responses, dimension):
    own = []
    for response in responses:
        top = bottom = Fraction(0)
        for q in bank.questions:
            answer = response.answers.get(q.key)
            if q.dimension != dimension or answer in (None, NA, DK):
                continue
            score_ = next(Fraction(c.score) for c in q.choices if c.key == answer)
            top += Fraction(q.weight) * score_
            bottom += Fraction(q.weight)
        if bottom:
            own.append(top / bottom)
    if len(own) < 2:
        return None
    mean = sum(own) / len(own)
    return sum((x - mean) ** 2 for x in own) / (len(own) - 1) / len(own)


def ref_group_doc(bank, settings, responses, answered):
    dims, stage, stage_score = ref_group(bank, settings, responses)
    blockers = []
    if stage is not None and stage < 3:
        at_stage = [
            d
            for d in bank.dimensions
            if d.lens == "stage" and dims[d.key] is not None and ref_stage(dims[d.key]) == stage
        ]
        at_stage.sort(key=lambda d: (dims[d.key], d.key))
        for d in at_stage:
            weak = []
            for q in bank.questions:
                values, _, _ = ref_question_scores(bank, responses, q)
                if q.dimension == d.key and values:
                    m = sum(values) / len(values)
                    if m <= stage + Fraction(1, 2):
                        weak.append((m, q.key))
            weak.sort()
            blockers.append(
                {"dimension": d.key, "score": rnd(dims[d.key]), "questions": [k for _, k in weak]}
            )
    holding = []
    if stage is not None and stage < 3:
        holding = [
            d.key
            for d in bank.dimensions
            if d.lens == "enabler" and dims[d.key] is not None and ref_stage(dims[d.key]) <= stage
        ]
    out_dims = {}
    gaps = Fraction(0)
    targets = Fraction(0)
    defined = False
    for d in bank.dimensions:
        target = settings.targets.get(d.key, 2)
        dk = base = 0
        for q in bank.questions:
            if q.dimension == d.key:
                values, _, q_dk = ref_question_scores(bank, responses, q)
                dk += q_dk
                base += len(values) + q_dk
        dont_know = rnd(Fraction(dk, base)) if base else None
        se = root(ref_se_squared(bank, responses, d.key))
        if dims[d.key] is None:
            out_dims[d.key] = {
                "score": None,
                "se": se,
                "stage": None,
                "target": target,
                "gap_to_target": None,
                "dont_know": dont_know,
            }
            continue
        gap = max(Fraction(0), target - dims[d.key])
        gaps += gap
        targets += target
        defined = True
        out_dims[d.key] = {
            "score": rnd(dims[d.key]),
            "se": se,
            "stage": ref_stage(dims[d.key]),
            "target": target,
            "gap_to_target": rnd(gap),
            "dont_know": dont_know,
        }
    percent = (1 - gaps / targets if targets else Fraction(1)) if defined else None
    return {
        "n": len(responses),
        "answered": answered,
        "stage": stage,
        "stage_score": rnd(stage_score),
        "dimensions": out_dims,
        "blockers": blockers,
        "holding_back": holding,
        "percent_to_target": rnd(percent),
        "decision_rights": None,
    }


def reference(bank, settings, responses, teams, sites):
    submitted = [r for r in responses if r.submitted]
    protected = ref_protect(submitted, settings.min_group_size)

    def held(index, value):
        return [r for r, p in zip(submitted, protected, strict=True) if p[index] == value]

    def group(index, value, extra=None):
        members = held(index, value)
        answered = sum(1 for r in submitted if (r.function, r.team, r.site)[index] == value)
        doc = (
            ref_group_doc(bank, settings, members, answered)
            if members
            else {"n": 0, "answered": answered, "suppressed": True}
        )
        return {**doc, **(extra or {})}

    by_function = {f: group(0, f) for f in FUNCTIONS}
    questions = {}
    for q in bank.questions:
        values, na, dk = ref_question_scores(bank, submitted, q)
        if values:
            m = sum(values) / len(values)
            var = sum((v - m) ** 2 for v in values) / len(values)
            questions[q.key] = {
                "n": len(values),
                "na": na,
                "dk": dk,
                "mean": rnd(m),
                "stdev": root(var),
                "agreement": rnd(max(Fraction(0), 1 - var / Fraction(5, 4))),
            }
        else:
            questions[q.key] = {
                "n": 0,
                "na": na,
                "dk": dk,
                "mean": None,
                "stdev": None,
                "agreement": None,
            }
    it, ot = held(0, "it"), held(0, "ot")
    both = bool(it) and bool(ot)
    it_dims = ref_group(bank, settings, it)[0]
    ot_dims = ref_group(bank, settings, ot)[0]
    gaps = {}
    for d in bank.dimensions:
        if both and it_dims[d.key] is not None and ot_dims[d.key] is not None:
            g = it_dims[d.key] - ot_dims[d.key]
            a, b = ref_se_squared(bank, it, d.key), ref_se_squared(bank, ot, d.key)
            se2 = None if a is None or b is None else a + b
            flagged = (
                abs(g) >= Fraction(settings.gap_threshold) and se2 is not None and g * g >= 4 * se2
            )
            gaps[d.key] = {"gap": rnd(g), "se": root(se2), "flagged": flagged}
    divergent = []
    for q in bank.questions:
        values, _, _ = ref_question_scores(bank, submitted, q)
        if not values:
            continue
        m = sum(values) / len(values)
        var = sum((v - m) ** 2 for v in values) / len(values)
        ratio_sq = var / Fraction(9, 16)
        split_sq = Fraction(0)
        iv = ref_question_scores(bank, it, q)[0]
        ov = ref_question_scores(bank, ot, q)[0]
        if both and iv and ov:
            split_sq = (sum(iv) / len(iv) - sum(ov) / len(ov)) ** 2
        if ratio_sq >= 1 or split_sq >= 1:
            divergent.append((-max(ratio_sq, split_sq), q.key))
    divergent.sort()
    overall = ref_group_doc(bank, settings, submitted, len(submitted))
    overall_dims = ref_group(bank, settings, submitted)[0]
    gaps_to_target = {}
    for d in bank.dimensions:
        s = overall_dims[d.key]
        if s is not None and settings.targets.get(d.key, 2) > s:
            gaps_to_target[d.key] = (settings.targets.get(d.key, 2) - s) * Fraction(d.weight)
    order = [b["dimension"] for b in overall["blockers"] if b["dimension"] in gaps_to_target]
    order += [k for k in overall["holding_back"] if k in gaps_to_target and k not in order]
    order += sorted(
        (k for k in gaps_to_target if k not in order), key=lambda k: (-gaps_to_target[k], k)
    )

    def present(index, order_):
        slugs = [
            s for s in order_ if any((r.function, r.team, r.site)[index] == s for r in submitted)
        ]
        extra = {"headcount": None, "response_rate": None} if index == 1 else None
        return {s: group(index, s, extra) for s in slugs}

    return {
        "respondents": {
            "submitted": len(submitted),
            "in_progress": len(responses) - len(submitted),
            "expected": None,
            "response_rate": None,
        },
        "overall": overall,
        "by_function": by_function,
        "by_team": present(1, teams),
        "by_site": present(2, sites),
        "perception_gaps": gaps,
        "questions": questions,
        "divergent_questions": [k for _, k in divergent],
        "recommendations": [
            {
                "dimension": k,
                "stage": ref_stage(overall_dims[k]),
                "text": f"{k}:{ref_stage(overall_dims[k])}",
            }
            for k in order
        ],
    }


# --- Strategies ----------------------------------------------------------------------------

SCORES = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 2.25, 3.0])


@st.composite
def banks(draw):
    n_dims = draw(st.integers(1, 4))
    dims = []
    for i in range(n_dims):
        lens = "stage" if i == 0 else draw(st.sampled_from(["stage", "enabler"]))
        key = f"d{i}"
        dims.append(
            DimensionDef(
                key,
                lens,
                draw(st.sampled_from([0.5, 1.0, 2.0])),
                tuple(f"{key}:{lv}" for lv in range(4)),
            )
        )
    questions = []
    for i in range(draw(st.integers(1, 6))):
        n_choices = draw(st.integers(2, 4))
        choices = tuple(ChoiceDef(f"c{j}", draw(SCORES)) for j in range(n_choices))
        questions.append(
            QuestionDef(
                f"q{i}",
                draw(st.sampled_from(dims)).key,
                draw(st.sampled_from([1.0, 2.0, 0.5])),
                choices,
                allow_na=draw(st.booleans()),
                allow_dont_know=draw(st.booleans()),
            )
        )
    return BankDef("b", 1, tuple(dims), tuple(questions))


@st.composite
def cases(draw):
    bank = draw(banks())
    responses = []
    for _ in range(draw(st.integers(0, 14))):
        answers = {}
        for q in bank.questions:
            pick = draw(st.integers(-2, len(q.choices) - 1))
            if pick >= 0:
                answers[q.key] = q.choices[pick].key
            elif pick == -1 and q.allow_na:
                answers[q.key] = NA
            elif pick == -2 and q.allow_dont_know:
                answers[q.key] = DK
        responses.append(
            ResponseData(
                function=draw(st.sampled_from(FUNCTIONS[:3])),
                team=draw(st.sampled_from(["t1", "t2", None])),
                site=draw(st.sampled_from(["s1", None])),
                submitted=draw(st.booleans() | st.just(True)),
                answers=answers,
            )
        )
    settings_ = Settings(
        min_group_size=draw(st.integers(1, 4)),
        gap_threshold=draw(st.sampled_from([0.25, 0.5, 1.0])),
        targets={d.key: draw(st.integers(0, 3)) for d in bank.dimensions if draw(st.booleans())},
    )
    return bank, settings_, responses


def run(bank, settings_, responses):
    return score(ScoreInput("c", bank, settings_, tally(responses, bank), ("t1", "t2"), ("s1",)))


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cases())
def test_agrees_with_naive_reference(case):
    bank, settings_, responses = case
    ours = run(bank, settings_, responses)
    expected = reference(bank, settings_, responses, ("t1", "t2"), ("s1",))
    for key, value in expected.items():
        assert ours[key] == value, key


def all_scores(doc):
    groups = [doc["overall"]] + [
        g for block in ("by_function", "by_team", "by_site") for g in doc[block].values()
    ]
    for group in groups:
        if group.get("suppressed"):
            continue
        if group["stage_score"] is not None:
            yield group["stage_score"]
        for figures in group["dimensions"].values():
            if figures["score"] is not None:
                yield figures["score"]
    for q in doc["questions"].values():
        if q["mean"] is not None:
            yield q["mean"]


@PROPERTY
@given(cases())
def test_scores_stay_between_0_and_3(case):
    doc = run(*case)
    assert all(0 <= s <= 3 for s in all_scores(doc))
    for q in doc["questions"].values():
        if q["agreement"] is not None:
            assert 0 <= q["agreement"] <= 1


@PROPERTY
@given(cases(), st.randoms(use_true_random=False))
def test_order_of_responses_and_answers_does_not_matter(case, rnd_):
    bank, settings_, responses = case
    shuffled = list(responses)
    rnd_.shuffle(shuffled)
    shuffled = [
        ResponseData(
            r.function,
            r.team,
            r.site,
            r.submitted,
            dict(sorted(r.answers.items(), key=lambda _: rnd_.random())),
        )
        for r in shuffled
    ]
    assert run(bank, settings_, shuffled) == run(bank, settings_, responses)


@PROPERTY
@given(cases())
def test_in_progress_responses_only_count(case):
    bank, settings_, responses = case
    extra = [
        ResponseData("it", "t1", "s1", False, {q.key: q.choices[0].key for q in bank.questions})
    ] * 3
    with_extra = run(bank, settings_, responses + extra)
    without = run(bank, settings_, responses)
    assert with_extra["respondents"]["in_progress"] == without["respondents"]["in_progress"] + 3
    with_extra["respondents"] = without["respondents"]
    assert with_extra == without


@PROPERTY
@given(cases())
def test_na_never_moves_a_score(case):
    bank, settings_, responses = case
    # Turning missing answers into N/A (where allowed) changes counts of N/A, nothing else.
    na_filled = [
        ResponseData(
            r.function,
            r.team,
            r.site,
            r.submitted,
            {**{q.key: NA for q in bank.questions if q.allow_na}, **r.answers},
        )
        for r in responses
    ]
    before, after = run(bank, settings_, responses), run(bank, settings_, na_filled)
    for q in before["questions"]:
        before["questions"][q]["na"] = after["questions"][q]["na"] = 0
    assert before == after


def numbers_in(value):
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from numbers_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from numbers_in(item)


@PROPERTY
@given(cases())
def test_a_suppressed_group_shows_only_its_size(case):
    doc = run(*case)
    for block in ("by_function", "by_team", "by_site"):
        for group in doc[block].values():
            if group.get("suppressed"):
                # Only counts: the protected n (0), the real answered, and a team's rate.
                assert set(group) - {"headcount", "response_rate"} == {
                    "n",
                    "answered",
                    "suppressed",
                }
                assert group["n"] == 0


def test_reference_agrees_on_a_large_random_campaign():
    rng = random.Random(7)

    def dim(key, lens, weight=1.0):
        return DimensionDef(key, lens, weight, tuple(f"{key}:{lv}" for lv in range(4)))

    bank = BankDef(
        "b",
        1,
        (dim("a", "stage"), dim("b", "stage", 2.0), dim("e", "enabler")),
        tuple(
            QuestionDef(
                f"q{i}",
                "abe"[i % 3],
                1.0 + i % 2,
                tuple(ChoiceDef(str(s), float(s)) for s in range(4)),
                allow_na=True,
            )
            for i in range(12)
        ),
    )
    responses = [
        ResponseData(
            rng.choice(FUNCTIONS),
            rng.choice(["t1", "t2"]),
            "s1",
            rng.random() > 0.1,
            {
                f"q{i}": rng.choice(["0", "1", "2", "3", NA])
                for i in range(12)
                if rng.random() > 0.1
            },
        )
        for _ in range(400)
    ]
    settings_ = Settings(min_group_size=5)
    ours = run(bank, settings_, responses)
    expected = reference(bank, settings_, responses, ("t1", "t2"), ("s1",))
    for key, value in expected.items():
        assert ours[key] == value, key
