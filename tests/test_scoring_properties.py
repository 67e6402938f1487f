"""Property tests: scoring.py agrees with a deliberately naive reference implementation,
keeps scores in [0, 3], ignores order, N/A and in-progress responses, and never shows a
number for a suppressed group."""

from __future__ import annotations

import math
import random
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


def ref_question_scores(bank, responses, question):
    choice_scores = {c.key: Fraction(c.score) for c in question.choices}
    values = []
    na = 0
    for response in responses:
        if question.key not in response.answers:
            continue
        answer = response.answers[question.key]
        if answer is None:
            na += 1
        else:
            values.append(choice_scores[answer])
    return values, na


def ref_group(bank, settings, responses):
    """Unrounded dimension scores, stage, stage score for one group."""
    dims = {}
    for d in bank.dimensions:
        top = Fraction(0)
        bottom = Fraction(0)
        for q in bank.questions:
            if q.dimension != d.key:
                continue
            values, _ = ref_question_scores(bank, responses, q)
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


def ref_group_doc(bank, settings, responses):
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
                values, _ = ref_question_scores(bank, responses, q)
                if q.dimension == d.key and values:
                    m = sum(values) / len(values)
                    if m <= stage + Fraction(1, 2):
                        weak.append((m, q.key))
            weak.sort()
            blockers.append(
                {"dimension": d.key, "score": rnd(dims[d.key]), "questions": [k for _, k in weak]}
            )
    holding = []
    if stage is not None:
        holding = [
            d.key
            for d in bank.dimensions
            if d.lens == "enabler" and dims[d.key] is not None and ref_stage(dims[d.key]) < stage
        ]
    out_dims = {}
    gaps = Fraction(0)
    targets = Fraction(0)
    defined = False
    for d in bank.dimensions:
        target = settings.targets.get(d.key, 2)
        if dims[d.key] is None:
            out_dims[d.key] = {
                "score": None,
                "stage": None,
                "target": target,
                "gap_to_target": None,
            }
            continue
        gap = max(Fraction(0), target - dims[d.key])
        gaps += gap
        targets += target
        defined = True
        out_dims[d.key] = {
            "score": rnd(dims[d.key]),
            "stage": ref_stage(dims[d.key]),
            "target": target,
            "gap_to_target": rnd(gap),
        }
    percent = (1 - gaps / targets if targets else Fraction(1)) if defined else None
    return {
        "n": len(responses),
        "stage": stage,
        "stage_score": rnd(stage_score),
        "dimensions": out_dims,
        "blockers": blockers,
        "holding_back": holding,
        "percent_to_target": rnd(percent),
    }


def reference(bank, settings, responses, teams, sites):
    submitted = [r for r in responses if r.submitted]

    def group(members):
        if len(members) < settings.min_group_size:
            return {"n": len(members), "suppressed": True}
        return ref_group_doc(bank, settings, members)

    by_function = {f: group([r for r in submitted if r.function == f]) for f in FUNCTIONS}
    questions = {}
    for q in bank.questions:
        values, na = ref_question_scores(bank, submitted, q)
        if values:
            m = sum(values) / len(values)
            var = sum((v - m) ** 2 for v in values) / len(values)
            sd = math.sqrt(var)
            questions[q.key] = {
                "n": len(values),
                "na": na,
                "mean": rnd(m),
                "stdev": rnd(sd),
                "agreement": rnd(1 - sd / 1.5),
            }
        else:
            questions[q.key] = {"n": 0, "na": na, "mean": None, "stdev": None, "agreement": None}
    it = [r for r in submitted if r.function == "it"]
    ot = [r for r in submitted if r.function == "ot"]
    both = len(it) >= settings.min_group_size and len(ot) >= settings.min_group_size
    it_dims = ref_group(bank, settings, it)[0]
    ot_dims = ref_group(bank, settings, ot)[0]
    gaps = {}
    for d in bank.dimensions:
        if both and it_dims[d.key] is not None and ot_dims[d.key] is not None:
            g = it_dims[d.key] - ot_dims[d.key]
            gaps[d.key] = {"gap": rnd(g), "flagged": abs(g) >= Fraction(settings.gap_threshold)}
        else:
            gaps[d.key] = {"gap": None, "flagged": None}
    divergent = []
    for q in bank.questions:
        values, _ = ref_question_scores(bank, submitted, q)
        if not values:
            continue
        m = sum(values) / len(values)
        var = sum((v - m) ** 2 for v in values) / len(values)
        ratio_sq = var / Fraction(9, 16)
        split_sq = Fraction(0)
        iv, _ = ref_question_scores(bank, it, q)
        ov, _ = ref_question_scores(bank, ot, q)
        if both and iv and ov:
            split_sq = (sum(iv) / len(iv) - sum(ov) / len(ov)) ** 2
        if ratio_sq >= 1 or split_sq >= 1:
            divergent.append((-max(ratio_sq, split_sq), q.key))
    divergent.sort()
    overall_dims = ref_group(bank, settings, submitted)[0]
    recs = []
    for d in bank.dimensions:
        s = overall_dims[d.key]
        if s is None:
            continue
        gap = max(Fraction(0), settings.targets.get(d.key, 2) - s)
        if gap > 0:
            recs.append((-gap * Fraction(d.weight), d.key, ref_stage(s)))
    recs.sort()

    def present(attr, order):
        slugs = [s for s in order if any(getattr(r, attr) == s for r in submitted)]
        return {s: group([r for r in submitted if getattr(r, attr) == s]) for s in slugs}

    return {
        "respondents": {
            "submitted": len(submitted),
            "in_progress": len(responses) - len(submitted),
        },
        "overall": ref_group_doc(bank, settings, submitted),
        "by_function": by_function,
        "by_team": present("team", teams),
        "by_site": present("site", sites),
        "perception_gaps": gaps,
        "questions": questions,
        "divergent_questions": [k for _, k in divergent],
        "recommendations": [
            {"dimension": k, "stage": st_, "text": f"{k}:{st_}"} for _, k, st_ in recs
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
                answers[q.key] = None
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
        min_group_size=draw(st.integers(1, 3)),
        gap_threshold=draw(st.sampled_from([0.25, 0.5, 1.0])),
        targets={d.key: draw(st.integers(0, 3)) for d in bank.dimensions if draw(st.booleans())},
    )
    return bank, settings_, responses


def run(bank, settings_, responses):
    return score(ScoreInput("c", bank, settings_, tally(responses), ("t1", "t2"), ("s1",)))


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
            {**{q.key: None for q in bank.questions if q.allow_na}, **r.answers},
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
                assert set(group) == {"n", "suppressed"}
                assert list(numbers_in(group)) == [group["n"]]


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
                f"q{i}": rng.choice(["0", "1", "2", "3", None])
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
