"""Realistic made-up responses, for the demo data and the benchmarks.

Each respondent answers around a "true" level per dimension, shifted by how their function
tends to see it (IT rates infrastructure higher than OT does), plus noise; some questions are
N/A, Don't know (more often far from one's own work: OT on IT infrastructure) or skipped, and
only questions whose audience includes the respondent are answered. Decision questions get the
owner each function tends to name, so IT and OT disagree on some (a disputed decision).
The rows are fed through the same CSV import a consultant uses.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assessments.models import BankVersion, Question
from assessments.vocabulary import DK, NA

# The organisation's level per dimension now, and how each function sees it differently.
CURRENT_LEVELS = {
    "collaboration": 1.7,
    "decisions": 1.45,
    "data": 1.5,
    "scaling": 1.05,
    "strategy": 1.9,
    "skills": 0.3,
    "infrastructure": 1.7,
}
BASELINE_LEVELS = {
    "collaboration": 1.0,
    "decisions": 0.9,
    "data": 1.1,
    "scaling": 0.6,
    "strategy": 1.3,
    "skills": 0.2,
    "infrastructure": 1.3,
}
# A small foundry with one site: little project machinery, but short ways between IT and OT.
SINGLE_SITE_LEVELS = {
    "collaboration": 2.1,
    "decisions": 1.6,
    "data": 1.2,
    "scaling": 1.4,
    "strategy": 1.5,
    "skills": 1.0,
    "infrastructure": 1.1,
}
PERCEPTION = {
    "it": {"infrastructure": 0.6, "data": 0.3, "collaboration": 0.2},
    "ot": {"infrastructure": -0.4, "collaboration": -0.2, "decisions": -0.3},
    "leadership": {"strategy": 0.5, "scaling": 0.3},
    "business": {"data": -0.2},
}
# How often each function answers Don't know, per dimension (where the question allows it).
DONT_KNOW = {
    "it": {"scaling": 0.05},
    "ot": {"infrastructure": 0.28, "strategy": 0.15},
    "business": {"infrastructure": 0.3, "data": 0.1},
    "leadership": {"skills": 0.1},
}
DONT_KNOW_DEFAULT = 0.04
# Who each function says decides (decision questions; "*" for functions not named). Where IT's
# and OT's answers differ the decision is disputed, as in most plants somewhere.
DECISION_VIEWS = {
    "DR-1": {"it": "it", "ot": "joint", "*": "joint"},
    "DR-2": {"it": "it", "ot": "vendor", "*": "vendor"},
    "DR-3": {"it": "it", "*": "nobody"},
    "DR-4": {"*": "ot"},
    "DR-5": {"*": "joint"},
    "DR-6": {"*": "nobody"},
    "DR-7": {"it": "it", "ot": "ot", "*": "joint"},
    "DR-8": {"*": "it"},
    "DR-9": {"*": "it"},
    "DR-10": {"it": "joint", "*": "ot"},
}
DECISION_ANSWERS = ("it", "ot", "joint", "vendor", "nobody")


@dataclass(frozen=True)
class TeamPlan:
    slug: str
    function: str
    size: int
    sites: tuple[str, ...] = ()  # empty: the team's own site (or none)


@dataclass(frozen=True)
class QuestionInfo:
    key: str
    dimension: str
    choice_keys: tuple[str, ...]  # ordered by score
    allow_na: bool
    audience: tuple[str, ...]
    allow_dont_know: bool = False
    decision: bool = False


def question_infos(version: BankVersion) -> list[QuestionInfo]:
    infos = []
    for question in version.questions.select_related("dimension").prefetch_related("choices"):
        choices = sorted(question.choices.all(), key=lambda c: (c.score, c.order))
        infos.append(
            QuestionInfo(
                key=question.key,
                dimension=question.dimension.key,
                choice_keys=tuple(c.key for c in choices),
                allow_na=question.allow_na,
                audience=tuple(question.audience),
                allow_dont_know=question.allow_dont_know,
                decision=question.kind == Question.Kind.DECISION,
            )
        )
    return infos


def generate_rows(
    questions: Sequence[QuestionInfo],
    teams: Iterable[TeamPlan],
    *,
    levels: Mapping[str, float],
    seed: int,
    prefix: str,
    in_progress: int = 0,
    noise: float = 0.5,
) -> list[dict[str, str]]:
    rng = random.Random(seed)  # nosec B311  # noqa: S311 - made-up demo answers, not security
    rows = []
    number = 0
    plans = list(teams)
    for plan in plans:
        for _ in range(plan.size):
            number += 1
            rows.append(_row(rng, questions, plan, levels, f"{prefix}-{number:05d}", noise, True))
    for _ in range(in_progress):
        number += 1
        plan = rng.choice(plans)
        row = _row(rng, questions, plan, levels, f"{prefix}-{number:05d}", noise, False)
        rows.append(row)
    return rows


def _row(
    rng: random.Random,
    questions: Sequence[QuestionInfo],
    plan: TeamPlan,
    levels: Mapping[str, float],
    respondent: str,
    noise: float,
    submitted: bool,
) -> dict[str, str]:
    bias = rng.gauss(0, 0.2)  # some people are generous, some strict
    row = {
        "respondent": respondent,
        "function": "",
        "team": plan.slug,
        "site": rng.choice(plan.sites) if plan.sites else "",
        "submitted": "yes" if submitted else "no",
    }
    shifts = PERCEPTION.get(plan.function, {})
    for q in questions:
        if q.audience and plan.function not in q.audience:
            continue
        if not submitted and rng.random() < 0.6:
            continue  # in progress: answered part of it
        if rng.random() < 0.03:
            continue  # skipped
        if q.decision:
            row[q.key] = _decision(rng, q, plan.function)
            continue
        dont_know = DONT_KNOW.get(plan.function, {}).get(q.dimension, DONT_KNOW_DEFAULT)
        if q.allow_dont_know and rng.random() < dont_know:
            row[q.key] = DK
            continue
        if q.allow_na and rng.random() < 0.1:
            row[q.key] = NA
            continue
        level = levels.get(q.dimension, 1.5) + shifts.get(q.dimension, 0.0) + bias
        value = round(level + rng.gauss(0, noise))
        row[q.key] = q.choice_keys[min(len(q.choice_keys) - 1, max(0, value))]
    return row


def _decision(rng: random.Random, q: QuestionInfo, function: str) -> str:
    if q.allow_dont_know and rng.random() < 0.12:
        return DK
    views = DECISION_VIEWS.get(q.key, {})
    usual = views.get(function, views.get("*", "joint"))
    if rng.random() < 0.7:
        return usual
    return rng.choice(DECISION_ANSWERS)


def rows_to_csv(rows: Sequence[dict[str, str]], questions: Sequence[QuestionInfo]) -> bytes:
    header = ["respondent", "function", "team", "site", "submitted", *(q.key for q in questions)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
