"""The scoring rules of `shared/spec/scoring.md`, as pure Python (explained in
docs/methodology.md).

No Django here: the functions take frozen dataclasses and return plain dicts, so tests feed
numbers and assert numbers without a database.

Two steps:
1. A `Tally` counts, for each combination of (function, team, site), how many submitted and
   in-progress responses there are and how many answers chose each choice (or N/A) of each
   question. The database selector builds it with two GROUP BY queries; `tally()` builds the
   same thing from individual responses (for tests and small inputs).
2. `score()` applies the rules to a tally.

Arithmetic is exact: scores and weights are turned into `Fraction`s, so a dimension score
of exactly 1.5 is Stage 1 ("ties go down") and a standard deviation of exactly 0.75 is
divergent, whatever binary floating point would have made of them. Square roots are avoided
in comparisons (stdev >= 0.75 is tested as variance >= 0.5625). Figures become floats,
rounded to 3 decimals, only in the output.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

FUNCTIONS = ("it", "ot", "business", "leadership", "other")
NA = None  # the answer key used for "not applicable" in tallies and responses
DEFAULT_TARGET = 2

DIVERGENT_STDEV = Fraction(3, 4)
DIVERGENT_MEAN_GAP = Fraction(1)
STDEV_SPAN = Fraction(3, 2)  # agreement = 1 - stdev / 1.5


# --- Inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceDef:
    key: str
    score: float


@dataclass(frozen=True)
class QuestionDef:
    key: str
    dimension: str
    weight: float = 1.0
    choices: tuple[ChoiceDef, ...] = ()
    allow_na: bool = False


@dataclass(frozen=True)
class DimensionDef:
    key: str
    lens: str  # "stage" or "enabler"
    weight: float = 1.0
    guidance: tuple[str, str, str, str] = ("", "", "", "")


@dataclass(frozen=True)
class BankDef:
    slug: str
    version: int
    dimensions: tuple[DimensionDef, ...]  # in the bank's order
    questions: tuple[QuestionDef, ...]


@dataclass(frozen=True)
class Settings:
    min_group_size: int = 3
    gap_threshold: float = 0.5
    targets: Mapping[str, int] = field(default_factory=dict)  # missing: DEFAULT_TARGET

    def target(self, dimension: str) -> int:
        return self.targets.get(dimension, DEFAULT_TARGET)


@dataclass(frozen=True)
class ResponseData:
    """One response: answers map question key -> choice key, or NA (None) for N/A."""

    function: str
    team: str | None = None
    site: str | None = None
    submitted: bool = True
    answers: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """All responses sharing one (function, team, site), counted."""

    function: str
    team: str | None
    site: str | None
    submitted: int
    in_progress: int
    # (question key, choice key or NA) -> number of submitted answers
    counts: Mapping[tuple[str, str | None], int]


Tally = tuple[Cell, ...]


def tally(responses: Iterable[ResponseData]) -> Tally:
    """Count responses into cells, the same shape the database selector produces."""
    submitted: Counter[tuple[str, str | None, str | None]] = Counter()
    in_progress: Counter[tuple[str, str | None, str | None]] = Counter()
    counts: dict[tuple[str, str | None, str | None], Counter[tuple[str, str | None]]] = defaultdict(
        Counter
    )
    for response in responses:
        key = (response.function, response.team, response.site)
        if not response.submitted:
            in_progress[key] += 1
            continue
        submitted[key] += 1
        for question, answer in response.answers.items():
            counts[key][(question, answer)] += 1
    keys = sorted(set(submitted) | set(in_progress), key=_cell_sort_key)
    return tuple(
        Cell(f, t, s, submitted[(f, t, s)], in_progress[(f, t, s)], dict(counts[(f, t, s)]))
        for f, t, s in keys
    )


def _cell_sort_key(key: tuple[str, str | None, str | None]) -> tuple[str, str, str]:
    return (key[0], key[1] or "", key[2] or "")


# --- Per-group figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionStats:
    n: int
    na: int
    mean: Fraction | None
    variance: Fraction | None  # population variance; stdev = sqrt(variance)

    @property
    def defined(self) -> bool:
        return self.n > 0


def stage_of(x: Fraction) -> int:
    """Nearest of 0..3, ties going down (rule 3)."""
    if x <= Fraction(1, 2):
        return 0
    if x <= Fraction(3, 2):
        return 1
    if x <= Fraction(5, 2):
        return 2
    return 3


class _Scorer:
    """Applies the rules for one bank and settings; holds exact choice scores and weights."""

    def __init__(self, bank: BankDef, settings: Settings) -> None:
        self.bank = bank
        self.settings = settings
        self.choice_score = {
            (q.key, c.key): Fraction(c.score) for q in bank.questions for c in q.choices
        }
        self.q_weight = {q.key: Fraction(q.weight) for q in bank.questions}
        self.d_weight = {d.key: Fraction(d.weight) for d in bank.dimensions}
        self.questions_of: dict[str, list[str]] = defaultdict(list)
        for q in bank.questions:
            self.questions_of[q.dimension].append(q.key)

    # rule 1
    def question_stats(self, cells: list[Cell]) -> dict[str, QuestionStats]:
        n: Counter[str] = Counter()
        na: Counter[str] = Counter()
        total: dict[str, Fraction] = defaultdict(Fraction)
        squares: dict[str, Fraction] = defaultdict(Fraction)
        merged: Counter[tuple[str, str | None]] = Counter()
        for cell in cells:  # whole-number counts first; fractions once per choice
            merged.update(cell.counts)
        for (question, answer), count in merged.items():
            if answer is NA:
                na[question] += count
                continue
            score = self.choice_score.get((question, answer))
            if score is None:
                continue  # not a choice of this bank version: ignored, never scored
            n[question] += count
            total[question] += score * count
            squares[question] += score * score * count
        stats = {}
        for q in self.bank.questions:
            if n[q.key]:
                mean = total[q.key] / n[q.key]
                variance = squares[q.key] / n[q.key] - mean * mean
                stats[q.key] = QuestionStats(n[q.key], na[q.key], mean, variance)
            else:
                stats[q.key] = QuestionStats(0, na[q.key], None, None)
        return stats

    # rule 2
    def dimension_scores(
        self,
        stats: Mapping[str, QuestionStats],
        overrides: Mapping[str, Fraction | None] | None = None,
    ) -> dict[str, Fraction | None]:
        overrides = overrides or {}
        scores: dict[str, Fraction | None] = {}
        for d in self.bank.dimensions:
            weighted = Fraction(0)
            weights = Fraction(0)
            for q in self.questions_of[d.key]:
                value = overrides[q] if q in overrides else stats[q].mean
                if value is None:
                    continue
                weighted += self.q_weight[q] * value
                weights += self.q_weight[q]
            scores[d.key] = weighted / weights if weights else None
        return scores

    def group(self, cells: list[Cell]) -> dict[str, Any]:
        """The figures of rules 1-7 and 11 for one group (unrounded)."""
        stats = self.question_stats(cells)
        scores = self.dimension_scores(stats)
        stage_dims = [
            d for d in self.bank.dimensions if d.lens == "stage" and scores[d.key] is not None
        ]
        stage_score: Fraction | None = None
        stage: int | None = None
        if stage_dims:
            # rule 4
            stage_score = sum(
                (self.d_weight[d.key] * _defined(scores[d.key]) for d in stage_dims), Fraction(0)
            ) / sum((self.d_weight[d.key] for d in stage_dims), Fraction(0))
            # rule 5: the weakest link sets the stage
            stage = min(stage_of(_defined(scores[d.key])) for d in stage_dims)
        return {
            "n": sum(c.submitted for c in cells),
            "stats": stats,
            "scores": scores,
            "stage": stage,
            "stage_score": stage_score,
            "blockers": self.blockers(stage, stage_dims, scores, stats),
            "holding_back": self.holding_back(stage, scores),
        }

    # rule 6
    def blockers(
        self,
        stage: int | None,
        stage_dims: list[DimensionDef],
        scores: Mapping[str, Fraction | None],
        stats: Mapping[str, QuestionStats],
    ) -> list[dict[str, Any]]:
        if stage is None or stage >= 3:
            return []
        limit = stage + Fraction(1, 2)
        blocking = sorted(
            (d for d in stage_dims if stage_of(_defined(scores[d.key])) == stage),
            key=lambda d: (_defined(scores[d.key]), d.key),
        )
        result = []
        for d in blocking:
            weak = sorted(
                (
                    q
                    for q in self.questions_of[d.key]
                    if stats[q].mean is not None and _defined(stats[q].mean) <= limit
                ),
                key=lambda q: (_defined(stats[q].mean), q),
            )
            result.append({"dimension": d.key, "score": scores[d.key], "questions": weak})
        return result

    # rule 7
    def holding_back(self, stage: int | None, scores: Mapping[str, Fraction | None]) -> list[str]:
        if stage is None:
            return []
        return [
            d.key
            for d in self.bank.dimensions
            if d.lens == "enabler"
            and scores[d.key] is not None
            and stage_of(_defined(scores[d.key])) < stage
        ]

    # rule 11
    def targets(self, scores: Mapping[str, Fraction | None]) -> dict[str, Any]:
        dimensions: dict[str, dict[str, Any]] = {}
        total_gap = Fraction(0)
        total_target = Fraction(0)
        any_defined = False
        for d in self.bank.dimensions:
            target = self.settings.target(d.key)
            score = scores[d.key]
            if score is None:
                dimensions[d.key] = {
                    "score": None,
                    "stage": None,
                    "target": target,
                    "gap_to_target": None,
                }
                continue
            gap = max(Fraction(0), target - score)
            any_defined = True
            total_gap += gap
            total_target += target
            dimensions[d.key] = {
                "score": score,
                "stage": stage_of(score),
                "target": target,
                "gap_to_target": gap,
            }
        percent: Fraction | None = None
        if any_defined:
            # With every target at 0 nothing can fall short: every target is met.
            percent = 1 - total_gap / total_target if total_target else Fraction(1)
        return {"dimensions": dimensions, "percent_to_target": percent}


def _defined(value: Fraction | None) -> Fraction:
    if value is None:  # callers filter undefined values first
        raise ValueError("an undefined score reached arithmetic")
    return value


# --- The whole document --------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """The previous closed campaign's overall dimension scores (rule 12)."""

    slug: str
    scores: Mapping[str, Fraction | None]  # unrounded, from exact_dimension_scores


@dataclass(frozen=True)
class ScoreInput:
    campaign: str
    bank: BankDef
    settings: Settings
    tally: Tally
    teams: tuple[str, ...] = ()  # slugs of the organisation's teams
    sites: tuple[str, ...] = ()
    baseline: Baseline | None = None
    # question key -> agreed choice key, or NA for an agreed "not applicable" (rule 14)
    consensus: Mapping[str, str | None] = field(default_factory=dict)


def score(data: ScoreInput) -> dict[str, Any]:
    """Apply every rule of scoring.md; return the `score --json` document, rounded."""
    scorer = _Scorer(data.bank, data.settings)
    cells = list(data.tally)
    minimum = data.settings.min_group_size

    def visible(group: dict[str, Any]) -> bool:
        return bool(group["n"] >= minimum)  # rule 8

    def group_doc(group: dict[str, Any]) -> dict[str, Any]:
        return (
            _group_output(group, scorer)
            if visible(group)
            else {"n": group["n"], "suppressed": True}
        )

    overall = scorer.group(cells)  # the whole campaign: never suppressed
    overall_targets = scorer.targets(overall["scores"])
    functions = {f: scorer.group([c for c in cells if c.function == f]) for f in FUNCTIONS}
    it_ot = {f: functions[f] for f in ("it", "ot") if visible(functions[f])}

    return {
        "campaign": data.campaign,
        "bank": {"slug": data.bank.slug, "version": data.bank.version},
        "respondents": {
            "submitted": sum(c.submitted for c in cells),
            "in_progress": sum(c.in_progress for c in cells),
        },
        "settings": {
            "min_group_size": minimum,
            "gap_threshold": _round(Fraction(data.settings.gap_threshold)),
        },
        "overall": _group_output(overall, scorer, overall_targets),
        "by_function": {f: group_doc(functions[f]) for f in FUNCTIONS},
        "by_team": {
            slug: group_doc(scorer.group(members))
            for slug, members in _present_groups(cells, data.teams, lambda c: c.team)
        },
        "by_site": {
            slug: group_doc(scorer.group(members))
            for slug, members in _present_groups(cells, data.sites, lambda c: c.site)
        },
        "perception_gaps": _perception_gaps(scorer, it_ot),
        "questions": {
            q.key: _question_output(overall["stats"][q.key]) for q in data.bank.questions
        },
        "divergent_questions": _divergent(scorer, overall["stats"], it_ot),
        "recommendations": _recommendations(scorer, overall["scores"], overall_targets),
        "progress": _progress(scorer, overall["scores"], data.baseline),
        "consensus": _consensus(scorer, overall["stats"], data.consensus),
    }


def exact_dimension_scores(data: ScoreInput) -> dict[str, Fraction | None]:
    """Unrounded overall dimension scores: what a later campaign uses as its baseline."""
    scorer = _Scorer(data.bank, data.settings)
    return scorer.dimension_scores(scorer.question_stats(list(data.tally)))


def _present_groups(
    cells: list[Cell], order: tuple[str, ...], key: Callable[[Cell], str | None]
) -> list[tuple[str, list[Cell]]]:
    """Teams or sites with at least one submitted response, in the organisation's order."""
    members: dict[str, list[Cell]] = defaultdict(list)
    for cell in cells:
        slug = key(cell)
        if slug is not None:
            members[slug].append(cell)
    known = [s for s in order if s in members] + sorted(s for s in members if s not in order)
    return [(slug, members[slug]) for slug in known if sum(c.submitted for c in members[slug]) > 0]


def _group_output(
    group: dict[str, Any], scorer: _Scorer, targets: dict[str, Any] | None = None
) -> dict[str, Any]:
    targets = targets or scorer.targets(group["scores"])
    return {
        "n": group["n"],
        "stage": group["stage"],
        "stage_score": _round(group["stage_score"]),
        "dimensions": {
            key: {
                "score": _round(d["score"]),
                "stage": d["stage"],
                "target": d["target"],
                "gap_to_target": _round(d["gap_to_target"]),
            }
            for key, d in targets["dimensions"].items()
        },
        "blockers": [
            {"dimension": b["dimension"], "score": _round(b["score"]), "questions": b["questions"]}
            for b in group["blockers"]
        ],
        "holding_back": group["holding_back"],
        "percent_to_target": _round(targets["percent_to_target"]),
    }


def _stdev(stats: QuestionStats) -> float | None:
    if stats.variance is None:
        return None
    return math.sqrt(max(0.0, float(stats.variance)))


def _question_output(stats: QuestionStats) -> dict[str, Any]:
    stdev = _stdev(stats)
    return {
        "n": stats.n,
        "na": stats.na,
        "mean": _round(stats.mean),
        "stdev": _round(stdev),
        "agreement": _round(None if stdev is None else 1 - stdev / float(STDEV_SPAN)),
    }


# rule 9
def _perception_gaps(scorer: _Scorer, it_ot: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """`it_ot` holds the IT and OT groups only when neither is suppressed."""
    threshold = Fraction(scorer.settings.gap_threshold)
    gaps: dict[str, Any] = {}
    for d in scorer.bank.dimensions:
        it = it_ot["it"]["scores"][d.key] if len(it_ot) == 2 else None
        ot = it_ot["ot"]["scores"][d.key] if len(it_ot) == 2 else None
        if it is None or ot is None:
            gaps[d.key] = {"gap": None, "flagged": None}
            continue
        gap = it - ot
        gaps[d.key] = {"gap": _round(gap), "flagged": abs(gap) >= threshold}
    return gaps


# rule 10
def _divergent(
    scorer: _Scorer, stats: Mapping[str, QuestionStats], it_ot: Mapping[str, dict[str, Any]]
) -> list[str]:
    """Both criteria and the ordering are computed on squares, which keeps them exact:
    stdev / 0.75 >= 1 exactly when variance / 0.5625 >= 1, and ranking by the square of
    the larger ratio is the same ranking as by the ratio."""
    ranked: list[tuple[Fraction, str]] = []
    for q in scorer.bank.questions:
        overall = stats[q.key]
        if not overall.defined:
            continue
        spread = _defined(overall.variance) / (DIVERGENT_STDEV * DIVERGENT_STDEV)
        split = Fraction(0)
        if len(it_ot) == 2:
            it, ot = it_ot["it"]["stats"][q.key], it_ot["ot"]["stats"][q.key]
            if it.defined and ot.defined:
                split = ((_defined(it.mean) - _defined(ot.mean)) / DIVERGENT_MEAN_GAP) ** 2
        if spread >= 1 or split >= 1:
            ranked.append((max(spread, split), q.key))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [key for _, key in ranked]


# rule 13
def _recommendations(
    scorer: _Scorer, scores: Mapping[str, Fraction | None], targets: dict[str, Any]
) -> list[dict[str, Any]]:
    items = []
    for d in scorer.bank.dimensions:
        gap = targets["dimensions"][d.key]["gap_to_target"]
        if gap is None or gap <= 0:
            continue
        level = stage_of(_defined(scores[d.key]))
        items.append((gap * scorer.d_weight[d.key], d.key, level, d.guidance[level]))
    items.sort(key=lambda item: (-item[0], item[1]))
    return [{"dimension": key, "stage": level, "text": text} for _, key, level, text in items]


# rule 12
def _progress(
    scorer: _Scorer, scores: Mapping[str, Fraction | None], baseline: Baseline | None
) -> dict[str, Any] | None:
    if baseline is None:
        return None
    dimensions: dict[str, Any] = {}
    for d in scorer.bank.dimensions:
        current = scores[d.key]
        before = baseline.scores.get(d.key)
        if current is None or before is None:
            dimensions[d.key] = {"delta": None, "progress_to_date": None}
            continue
        target = scorer.settings.target(d.key)
        delta = current - before
        progress = delta / (target - before) if target > before else None
        dimensions[d.key] = {"delta": _round(delta), "progress_to_date": _round(progress)}
    return {"baseline": baseline.slug, "dimensions": dimensions}


# rule 14
def _consensus(
    scorer: _Scorer, stats: Mapping[str, QuestionStats], agreed: Mapping[str, str | None]
) -> dict[str, Any] | None:
    overrides: dict[str, Fraction | None] = {}
    for question, answer in agreed.items():
        if question not in scorer.q_weight:
            continue
        # An agreed N/A takes the question out, as N/A does for a respondent.
        overrides[question] = None if answer is NA else scorer.choice_score.get((question, answer))
    if not overrides:
        return None
    scores = scorer.dimension_scores(stats, overrides)
    return {"dimensions": {key: _round(value) for key, value in scores.items()}}


def _round(value: Fraction | float | None) -> float | None:
    if value is None:
        return None
    result = round(float(value), 3)
    return 0.0 if result == 0 else result  # no "-0.0" in the output


def overall_dimension_scores(document: Mapping[str, Any]) -> dict[str, float | None]:
    """The overall dimension scores of a score document (a baseline for a later campaign)."""
    return {key: figures["score"] for key, figures in document["overall"]["dimensions"].items()}


def answer_distributions(
    data: ScoreInput, questions: Iterable[str], functions: Iterable[str] = ("it", "ot")
) -> dict[str, dict[str, dict[str, int]]]:
    """How many submitted answers chose each choice (and N/A, as "NA"), per function, for
    the given questions: what the room looks at for a divergent question. Functions under
    the minimum group size are left out (rule 8)."""
    wanted = set(questions)
    counts: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    sizes: Counter[str] = Counter()
    for cell in data.tally:
        sizes[cell.function] += cell.submitted
        for (question, answer), count in cell.counts.items():
            if question in wanted:
                counts[question][cell.function]["NA" if answer is NA else str(answer)] += count
    visible = [f for f in functions if sizes[f] >= data.settings.min_group_size]
    choice_keys = {q.key: [c.key for c in q.choices] for q in data.bank.questions}
    result: dict[str, dict[str, dict[str, int]]] = {}
    for question in wanted:
        keys = [*choice_keys.get(question, []), "NA"]
        result[question] = {
            f: {k: counts[question][f][k] for k in keys if k != "NA" or counts[question][f][k]}
            for f in visible
        }
    return result
