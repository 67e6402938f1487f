"""The scoring rules, as pure Python (explained to users in docs/methodology.md, which numbers
the rules as this module's comments do).

No Django here: the functions take frozen dataclasses and return plain dicts, so tests feed
numbers and assert numbers without a database.

Three steps:
1. A `Tally` counts, for each real (function, team, site), how many submitted and in-progress
   responses there are, how many answers chose each choice (or N/A, Don't know, a decision
   answer) of each question, and for each dimension the respondents' own scores summed
   (`Spread`: k, sum of r_i, sum of r_i squared), which gives the standard error (rule 2b).
   The database selector builds it with three GROUP BY queries; `tally()` builds the same
   thing from individual responses (for tests and small inputs).
2. `suppression.protect` decides once, from the counts alone, which protected (function,
   team, site) each response has (rule 8). Every group is read on protected values.
3. `score()` applies the rules to the groups of one view.

Arithmetic is exact: scores and weights are turned into `Fraction`s, so a dimension score
of exactly 1.5 is Stage 1 ("ties go down"), a standard deviation of exactly 0.75 is
divergent and a gap of exactly twice its standard error is flagged, whatever binary floating
point would have made of them. Square roots are avoided in comparisons (stdev >= 0.75 is
tested as variance >= 0.5625, |gap| >= 2 se as gap^2 >= 4 se^2). Figures become floats,
rounded to 3 decimals, only in the output.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, overload

from assessments.documents import (
    Consensus,
    Decision,
    DimensionProgress,
    Gap,
    GroupScores,
    Progress,
    QuestionFigures,
    Recommendation,
    Respondents,
    ScoreDocument,
    ScoreHead,
    Suppressed,
)
from assessments.suppression import Key, protect
from assessments.vocabulary import (
    ANY,
    CONTESTED,
    DECISION,
    DECISION_ANSWERS,
    DEFAULT_GAP_THRESHOLD,
    DEFAULT_MIN_GROUP_SIZE,
    DEFAULT_TARGET,
    DK,
    FUNCTIONS,
    NA,
    SCORED,
)

CONTRACT = 2

DIVERGENT_STDEV = Fraction(3, 4)
DIVERGENT_MEAN_GAP = Fraction(1)
UNIFORM_VARIANCE = Fraction(5, 4)  # answers spread evenly over 0, 1, 2, 3 (r_wg)

__all__ = [
    "CONTRACT",
    "DK",
    "FUNCTIONS",
    "NA",
    "BankDef",
    "Baseline",
    "Cell",
    "ChoiceDef",
    "DimensionDef",
    "QuestionDef",
    "ResponseData",
    "ScoreInput",
    "Settings",
    "Spread",
    "View",
    "protected_cells",
    "score",
    "stage_of",
    "tally",
]


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
    allow_dont_know: bool = False
    kind: str = SCORED  # or DECISION: asks who decides; never scored (rule 15)


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

    @property
    def scored(self) -> tuple[QuestionDef, ...]:
        return tuple(q for q in self.questions if q.kind != DECISION)

    @property
    def decisions(self) -> tuple[QuestionDef, ...]:
        return tuple(q for q in self.questions if q.kind == DECISION)


@dataclass(frozen=True)
class Settings:
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    gap_threshold: float = DEFAULT_GAP_THRESHOLD
    targets: Mapping[str, int] = field(default_factory=dict)  # missing: DEFAULT_TARGET

    def target(self, dimension: str) -> int:
        return self.targets.get(dimension, DEFAULT_TARGET)


@dataclass(frozen=True)
class ResponseData:
    """One response: answers map question key -> choice key, NA, DK or a decision answer."""

    function: str
    team: str | None = None
    site: str | None = None
    submitted: bool = True
    answers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Spread:
    """Respondents' own scores in one dimension (rule 2b): how many, their sum, their
    sum of squares. Adding two spreads gives the spread of both groups together."""

    k: int = 0
    total: Fraction = Fraction(0)
    squares: Fraction = Fraction(0)

    def __add__(self, other: Spread) -> Spread:
        return Spread(self.k + other.k, self.total + other.total, self.squares + other.squares)

    def se_squared(self) -> Fraction | None:
        if self.k < 2:
            return None
        k = self.k
        return (self.squares - self.total * self.total / k) / (k * (k - 1))


@dataclass(frozen=True)
class Cell:
    """All responses sharing one real (function, team, site), counted."""

    function: str
    team: str | None
    site: str | None
    submitted: int
    in_progress: int
    # (question key, choice key / NA / DK / decision answer) -> number of submitted answers
    counts: Mapping[tuple[str, str], int]
    spread: Mapping[str, Spread] = field(default_factory=dict)  # dimension key -> spread

    @property
    def key(self) -> Key:
        return (self.function, self.team or ANY, self.site or ANY)


Tally = tuple[Cell, ...]


def respondent_scores(bank: BankDef, answers: Mapping[str, str]) -> dict[str, Fraction]:
    """r_i of rule 2b for one respondent: per dimension, the weighted mean of the scores of
    the questions answered with a choice."""
    choice_score = {(q.key, c.key): Fraction(c.score) for q in bank.scored for c in q.choices}
    weights = {q.key: (q.dimension, Fraction(q.weight)) for q in bank.scored}
    top: dict[str, Fraction] = defaultdict(Fraction)
    bottom: dict[str, Fraction] = defaultdict(Fraction)
    for question, answer in answers.items():
        value = choice_score.get((question, answer))
        if value is None:
            continue
        dimension, weight = weights[question]
        top[dimension] += weight * value
        bottom[dimension] += weight
    return {d: top[d] / bottom[d] for d in top}


def tally(responses: Iterable[ResponseData], bank: BankDef) -> Tally:
    """Count responses into cells, the same shape the database selector produces."""
    submitted: Counter[tuple[str, str | None, str | None]] = Counter()
    in_progress: Counter[tuple[str, str | None, str | None]] = Counter()
    counts: dict[tuple[str, str | None, str | None], Counter[tuple[str, str]]] = defaultdict(
        Counter
    )
    spread: dict[tuple[str, str | None, str | None], dict[str, Spread]] = defaultdict(dict)
    for response in responses:
        key = (response.function, response.team, response.site)
        if not response.submitted:
            in_progress[key] += 1
            continue
        submitted[key] += 1
        for question, answer in response.answers.items():
            counts[key][(question, answer)] += 1
        for dimension, r in respondent_scores(bank, response.answers).items():
            spread[key][dimension] = spread[key].get(dimension, Spread()) + Spread(1, r, r * r)
    keys = sorted(set(submitted) | set(in_progress), key=_cell_sort_key)
    return tuple(
        Cell(
            f,
            t,
            s,
            submitted[(f, t, s)],
            in_progress[(f, t, s)],
            dict(counts[(f, t, s)]),
            dict(spread[(f, t, s)]),
        )
        for f, t, s in keys
    )


def _cell_sort_key(key: tuple[str, str | None, str | None]) -> tuple[str, str, str]:
    return (key[0], key[1] or "", key[2] or "")


# --- Per-group figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionStats:
    n: int
    na: int
    dk: int
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


@dataclass
class Group:
    """The responses of one group, merged: what every figure of the group is computed from."""

    n: int
    answered: int
    counts: Counter[tuple[str, str]]
    spread: dict[str, Spread]

    @classmethod
    def of(cls, cells: Iterable[Cell], answered: int) -> Group:
        counts: Counter[tuple[str, str]] = Counter()
        spread: dict[str, Spread] = {}
        n = 0
        for cell in cells:
            n += cell.submitted
            counts.update(cell.counts)
            for dimension, value in cell.spread.items():
                spread[dimension] = spread.get(dimension, Spread()) + value
        return cls(n, answered, counts, spread)


class _Scorer:
    """Applies the rules for one bank and settings; holds exact choice scores and weights."""

    def __init__(self, bank: BankDef, settings: Settings) -> None:
        self.bank = bank
        self.settings = settings
        self.choice_score = {
            (q.key, c.key): Fraction(c.score) for q in bank.scored for c in q.choices
        }
        self.q_weight = {q.key: Fraction(q.weight) for q in bank.scored}
        self.d_weight = {d.key: Fraction(d.weight) for d in bank.dimensions}
        self.questions_of: dict[str, list[str]] = defaultdict(list)
        for q in bank.scored:
            self.questions_of[q.dimension].append(q.key)

    # rule 1
    def question_stats(self, group: Group) -> dict[str, QuestionStats]:
        n: Counter[str] = Counter()
        na: Counter[str] = Counter()
        dk: Counter[str] = Counter()
        total: dict[str, Fraction] = defaultdict(Fraction)
        squares: dict[str, Fraction] = defaultdict(Fraction)
        for (question, answer), count in group.counts.items():
            if answer == NA:
                na[question] += count
                continue
            if answer == DK:
                dk[question] += count
                continue
            score = self.choice_score.get((question, answer))
            if score is None:
                continue  # not a choice of this bank version: ignored, never scored
            n[question] += count
            total[question] += score * count
            squares[question] += score * score * count
        stats = {}
        for q in self.bank.scored:
            if n[q.key]:
                mean = total[q.key] / n[q.key]
                variance = squares[q.key] / n[q.key] - mean * mean
                stats[q.key] = QuestionStats(n[q.key], na[q.key], dk[q.key], mean, variance)
            else:
                stats[q.key] = QuestionStats(0, na[q.key], dk[q.key], None, None)
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

    def dont_know(self, stats: Mapping[str, QuestionStats]) -> dict[str, Fraction | None]:
        result: dict[str, Fraction | None] = {}
        for d in self.bank.dimensions:
            dk = sum(stats[q].dk for q in self.questions_of[d.key])
            base = sum(stats[q].n + stats[q].dk for q in self.questions_of[d.key])
            result[d.key] = Fraction(dk, base) if base else None
        return result

    def figures(self, group: Group) -> dict[str, Any]:
        """Every figure of rules 1-7, 11 and 15 for one group (unrounded)."""
        stats = self.question_stats(group)
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
        blockers = self.blockers(stage, stage_dims, scores, stats)
        holding_back = self.holding_back(stage, scores)
        decisions = self.decisions(group)
        return {
            "n": group.n,
            "answered": group.answered,
            "stats": stats,
            "scores": scores,
            "se_squared": {
                d.key: group.spread.get(d.key, Spread()).se_squared() for d in self.bank.dimensions
            },
            "dont_know": self.dont_know(stats),
            "stage": stage,
            "stage_score": stage_score,
            "blockers": blockers,
            "holding_back": holding_back,
            "targets": self.targets(scores),
            "decisions": decisions,
            "decision_rights": self.decision_rights(decisions),
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

    # rule 7: enablers not yet at the next stage
    def holding_back(self, stage: int | None, scores: Mapping[str, Fraction | None]) -> list[str]:
        if stage is None or stage >= 3:
            return []
        return [
            d.key
            for d in self.bank.dimensions
            if d.lens == "enabler"
            and scores[d.key] is not None
            and stage_of(_defined(scores[d.key])) <= stage
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
                dimensions[d.key] = {"stage": None, "target": target, "gap_to_target": None}
                continue
            gap = max(Fraction(0), target - score)
            any_defined = True
            total_gap += gap
            total_target += target
            dimensions[d.key] = {"stage": stage_of(score), "target": target, "gap_to_target": gap}
        percent: Fraction | None = None
        if any_defined:
            # With every target at 0 nothing can fall short: every target is met.
            percent = 1 - total_gap / total_target if total_target else Fraction(1)
        return {"dimensions": dimensions, "percent_to_target": percent}

    # rule 15
    def decisions(self, group: Group) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        for q in self.bank.decisions:
            votes = {a: group.counts.get((q.key, a), 0) for a in DECISION_ANSWERS}
            n = sum(votes.values())
            dk = group.counts.get((q.key, DK), 0)
            if not n:
                result[q.key] = {"n": 0, "dk": dk, "shares": None, "owner": None}
                result[q.key].update({"clarity": None, "joint": None})
                continue
            shares = {a: Fraction(v, n) for a, v in votes.items()}
            top = max(shares.values())
            leaders = [a for a in DECISION_ANSWERS if shares[a] == top]
            result[q.key] = {
                "n": n,
                "dk": dk,
                "shares": shares,
                "owner": leaders[0] if len(leaders) == 1 else CONTESTED,
                "clarity": top,
                "joint": shares["joint"],
            }
        return result

    def decision_rights(self, decisions: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
        if not self.bank.decisions:
            return None
        asked = [d for d in decisions.values() if d["n"]]
        known = sum(d["n"] + d["dk"] for d in decisions.values())
        return {
            "joint": sum((d["joint"] for d in asked), Fraction(0)) / len(asked) if asked else None,
            "clarity": (
                sum((d["clarity"] for d in asked), Fraction(0)) / len(asked) if asked else None
            ),
            "unknown": (
                Fraction(sum(d["dk"] for d in decisions.values()), known) if known else None
            ),
        }


def _defined(value: Fraction | None) -> Fraction:
    if value is None:  # callers filter undefined values first
        raise ValueError("an undefined score reached arithmetic")
    return value


# --- The whole document --------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """The responses a score document is about: the whole campaign, or a site and/or a
    function (dashboard filters, `score --site --function`), read on protected values."""

    site: str | None = None
    function: str | None = None

    @property
    def is_campaign(self) -> bool:
        return self.site is None and self.function is None

    @property
    def key(self) -> str:
        """How the view is named in addresses and in the score cache: "" for the campaign."""
        parts = [
            f"site={self.site}" if self.site else "",
            f"function={self.function}" if self.function else "",
        ]
        return "&".join(p for p in parts if p)


EVERYONE = View()


@dataclass(frozen=True)
class Baseline:
    """The previous closed campaign's dimension scores for the same view (rule 12): unrounded,
    or None when that view's group is suppressed there."""

    slug: str
    bank_version: int
    scores: Mapping[str, Fraction | None] | None


@dataclass(frozen=True)
class ScoreInput:
    campaign: str
    bank: BankDef
    settings: Settings
    tally: Tally  # the whole campaign, whatever the view
    teams: tuple[str, ...] = ()  # slugs of the organisation's teams, in its order
    sites: tuple[str, ...] = ()
    headcounts: Mapping[str, int] = field(default_factory=dict)  # team slug -> headcount
    view: View = EVERYONE
    baseline: Baseline | None = None
    # question key -> agreed choice key, or NA for an agreed "not applicable" (rule 14)
    consensus: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProtectedCell:
    """A cell with its protected (function, team, site): `ANY` where hidden."""

    cell: Cell
    function: str
    team: str
    site: str

    def matches(
        self, site: str | None = None, function: str | None = None, team: str | None = None
    ) -> bool:
        return (
            (site is None or self.site == site)
            and (function is None or self.function == function)
            and (team is None or self.team == team)
        )


def protected_cells(data_tally: Tally, minimum: int) -> list[ProtectedCell]:
    """Rule 8a for a campaign: every cell with submitted responses, with its protected
    coordinates. Cells with the same real triple are counted together."""
    sizes: Counter[Key] = Counter()
    for cell in data_tally:
        sizes[cell.key] += cell.submitted
    mapping = protect(sizes, minimum)
    return [ProtectedCell(cell, *mapping[cell.key]) for cell in data_tally if cell.submitted > 0]


def _real_matches(
    cell: Cell, site: str | None = None, function: str | None = None, team: str | None = None
) -> bool:
    return (
        (site is None or cell.site == site)
        and (function is None or cell.function == function)
        and (team is None or cell.team == team)
    )


def _view_cells(data: ScoreInput) -> list[ProtectedCell]:
    """The cells of the view's group, read on protected values (rule 8b)."""
    view = data.view
    return [
        p
        for p in protected_cells(data.tally, data.settings.min_group_size)
        if p.matches(view.site, view.function)
    ]


def score(data: ScoreInput) -> ScoreDocument:
    """Apply every rule; return the `score --json` document of the view, rounded."""
    scorer = _Scorer(data.bank, data.settings)
    view = data.view
    real = [c for c in data.tally if c.submitted and _real_matches(c, view.site, view.function)]
    shown = _view_cells(data)

    def group(**where: str) -> Group:
        return Group.of(
            (p.cell for p in shown if p.matches(**where)),
            sum(c.submitted for c in real if _real_matches(c, **where)),
        )

    head: ScoreHead = {
        "campaign": data.campaign,
        "contract": CONTRACT,
        "bank": {"slug": data.bank.slug, "version": data.bank.version},
        "view": {"site": view.site, "function": view.function},
        "respondents": _respondents(data),
        "settings": {
            "min_group_size": data.settings.min_group_size,
            "gap_threshold": _round(Fraction(data.settings.gap_threshold)),
        },
    }
    overall_group = group()
    if not view.is_campaign and overall_group.n == 0:  # rule 8d
        return {**head, "overall": _suppressed(overall_group)}

    overall = scorer.figures(overall_group)
    function_groups = {f: group(function=f) for f in FUNCTIONS}
    functions = {f: scorer.figures(g) for f, g in function_groups.items() if g.n > 0}
    it_ot = {f: functions[f] for f in ("it", "ot") if f in functions}
    team_rates = _team_rates(data)

    def shown_or_not(g: Group) -> GroupScores | Suppressed:
        return _group_output(scorer.figures(g)) if g.n > 0 else _suppressed(g)

    return {
        **head,
        "overall": _group_output(overall),
        "by_function": {
            f: _group_output(functions[f]) if f in functions else _suppressed(function_groups[f])
            for f in FUNCTIONS
        },
        "by_team": {
            slug: _with_rate(shown_or_not(group(team=slug)), team_rates[slug])
            for slug in _present(real, data.teams, lambda c: c.team)
        },
        "by_site": {
            slug: shown_or_not(group(site=slug))
            for slug in _present(real, data.sites, lambda c: c.site)
        },
        "perception_gaps": _perception_gaps(scorer, it_ot),
        "questions": {q.key: _question_output(overall["stats"][q.key]) for q in data.bank.scored},
        "decisions": _decisions_output(overall, it_ot),
        "divergent_questions": _divergent(scorer, overall["stats"], it_ot),
        "recommendations": _recommendations(scorer, overall),
        "progress": _progress(scorer, overall["scores"], data.baseline),
        "consensus": _consensus(scorer, overall["stats"], data.consensus),
    }


def _with_rate(figures: GroupScores | Suppressed, rate: dict[str, Any]) -> GroupScores | Suppressed:
    figures["headcount"] = rate["headcount"]
    figures["response_rate"] = rate["response_rate"]
    return figures


def _suppressed(group: Group) -> Suppressed:
    return {"n": 0, "answered": group.answered, "suppressed": True}


def _respondents(data: ScoreInput) -> Respondents:
    """Counts of the whole campaign, whatever the view (rule 16)."""
    cells = data.tally
    counted = {slug for slug in data.teams if data.headcounts.get(slug)}
    expected = sum(data.headcounts[slug] for slug in counted)
    answered = sum(c.submitted for c in cells if c.team in counted)
    return {
        "submitted": sum(c.submitted for c in cells),
        "in_progress": sum(c.in_progress for c in cells),
        "expected": expected if counted else None,
        "response_rate": _round(Fraction(answered, expected)) if counted else None,
    }


def _team_rates(data: ScoreInput) -> dict[str, dict[str, Any]]:
    submitted: Counter[str] = Counter()
    for cell in data.tally:
        if cell.team is not None:
            submitted[cell.team] += cell.submitted
    rates: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"headcount": None, "response_rate": None}
    )
    for slug, headcount in data.headcounts.items():
        if headcount:
            rates[slug] = {
                "headcount": headcount,
                "response_rate": _round(Fraction(submitted[slug], headcount)),
            }
    return rates


def _present(cells: list[Cell], order: tuple[str, ...], key: Any) -> list[str]:
    """Teams or sites with at least one submitted response in the view (real values), in the
    organisation's order."""
    present = {key(c) for c in cells if c.submitted and key(c) is not None}
    return [s for s in order if s in present] + sorted(s for s in present if s not in order)


def _group_output(figures: dict[str, Any]) -> GroupScores:
    targets = figures["targets"]
    return {
        "n": figures["n"],
        "answered": figures["answered"],
        "stage": figures["stage"],
        "stage_score": _round(figures["stage_score"]),
        "dimensions": {
            key: {
                "score": _round(figures["scores"][key]),
                "se": _root(figures["se_squared"][key]),
                "stage": d["stage"],
                "target": d["target"],
                "gap_to_target": _round(d["gap_to_target"]),
                "dont_know": _round(figures["dont_know"][key]),
            }
            for key, d in targets["dimensions"].items()
        },
        "blockers": [
            {"dimension": b["dimension"], "score": _round(b["score"]), "questions": b["questions"]}
            for b in figures["blockers"]
        ],
        "holding_back": figures["holding_back"],
        "percent_to_target": _round(targets["percent_to_target"]),
        "decision_rights": (
            None
            if figures["decision_rights"] is None
            else {k: _round(v) for k, v in figures["decision_rights"].items()}
        ),
    }


def _root(square: Fraction | None) -> float | None:
    return None if square is None else _round(math.sqrt(max(0.0, float(square))))


def _question_output(stats: QuestionStats) -> QuestionFigures:
    agreement = None
    if stats.variance is not None:
        agreement = max(Fraction(0), 1 - stats.variance / UNIFORM_VARIANCE)
    return {
        "n": stats.n,
        "na": stats.na,
        "dk": stats.dk,
        "mean": _round(stats.mean),
        "stdev": _root(stats.variance),
        "agreement": _round(agreement),
    }


# rule 15, for the view
def _decisions_output(
    overall: dict[str, Any], it_ot: Mapping[str, dict[str, Any]]
) -> dict[str, Decision]:
    result: dict[str, Decision] = {}
    for key, d in overall["decisions"].items():
        it = it_ot["it"]["decisions"][key]["owner"] if "it" in it_ot else None
        ot = it_ot["ot"]["decisions"][key]["owner"] if "ot" in it_ot else None
        result[key] = {
            "n": d["n"],
            "dk": d["dk"],
            "shares": None
            if d["shares"] is None
            else {a: _round(v) for a, v in d["shares"].items()},
            "owner": d["owner"],
            "clarity": _round(d["clarity"]),
            "joint": _round(d["joint"]),
            "it_owner": it,
            "ot_owner": ot,
            "disputed": bool(
                it is not None and ot is not None and CONTESTED not in (it, ot) and it != ot
            ),
        }
    return result


# rule 9
def _perception_gaps(scorer: _Scorer, it_ot: Mapping[str, dict[str, Any]]) -> dict[str, Gap]:
    """`it_ot` holds the IT and OT groups of the view that are shown; only dimensions
    defined for both are listed."""
    if len(it_ot) < 2:
        return {}
    threshold = Fraction(scorer.settings.gap_threshold)
    gaps: dict[str, Gap] = {}
    for d in scorer.bank.dimensions:
        it, ot = it_ot["it"]["scores"][d.key], it_ot["ot"]["scores"][d.key]
        if it is None or ot is None:
            continue
        gap = it - ot
        it_se, ot_se = it_ot["it"]["se_squared"][d.key], it_ot["ot"]["se_squared"][d.key]
        se_squared = None if it_se is None or ot_se is None else it_se + ot_se
        flagged = abs(gap) >= threshold and se_squared is not None and gap * gap >= 4 * se_squared
        gaps[d.key] = {"gap": _round(gap), "se": _root(se_squared), "flagged": flagged}
    return gaps


# rule 10
def _divergent(
    scorer: _Scorer, stats: Mapping[str, QuestionStats], it_ot: Mapping[str, dict[str, Any]]
) -> list[str]:
    """Both criteria and the ordering are computed on squares, which keeps them exact:
    stdev / 0.75 >= 1 exactly when variance / 0.5625 >= 1, and ranking by the square of
    the larger ratio is the same ranking as by the ratio."""
    ranked: list[tuple[Fraction, str]] = []
    for q in scorer.bank.scored:
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


# rule 13: what blocks the next stage first, then what holds it back, then the rest
def _recommendations(scorer: _Scorer, figures: dict[str, Any]) -> list[Recommendation]:
    targets = figures["targets"]["dimensions"]
    gaps = {
        d.key: targets[d.key]["gap_to_target"]
        for d in scorer.bank.dimensions
        if targets[d.key]["gap_to_target"] is not None and targets[d.key]["gap_to_target"] > 0
    }
    ordered = [b["dimension"] for b in figures["blockers"] if b["dimension"] in gaps]
    ordered += [k for k in figures["holding_back"] if k in gaps and k not in ordered]
    rest = sorted(
        (k for k in gaps if k not in ordered), key=lambda k: (-gaps[k] * scorer.d_weight[k], k)
    )
    guidance = {d.key: d.guidance for d in scorer.bank.dimensions}
    result: list[Recommendation] = []
    for key in ordered + rest:
        level = stage_of(_defined(figures["scores"][key]))
        result.append({"dimension": key, "stage": level, "text": guidance[key][level]})
    return result


# rule 12
def _progress(
    scorer: _Scorer, scores: Mapping[str, Fraction | None], baseline: Baseline | None
) -> Progress | None:
    if baseline is None or baseline.scores is None:
        return None
    dimensions: dict[str, DimensionProgress] = {}
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
    return {
        "baseline": baseline.slug,
        "baseline_bank_version": baseline.bank_version,
        "dimensions": dimensions,
    }


# rule 14
def _consensus(
    scorer: _Scorer, stats: Mapping[str, QuestionStats], agreed: Mapping[str, str]
) -> Consensus | None:
    overrides: dict[str, Fraction | None] = {}
    for question, answer in agreed.items():
        if question not in scorer.q_weight:
            continue
        # An agreed N/A takes the question out, as N/A does for a respondent.
        overrides[question] = None if answer == NA else scorer.choice_score.get((question, answer))
    if not overrides:
        return None
    scores = scorer.dimension_scores(stats, overrides)
    return {"dimensions": {key: _round(value) for key, value in scores.items()}}


@overload
def _round(value: Fraction | float) -> float: ...
@overload
def _round(value: None) -> None: ...
@overload
def _round(value: Fraction | float | None) -> float | None: ...
def _round(value: Fraction | float | None) -> float | None:
    if value is None:
        return None
    result = round(float(value), 3)
    return 0.0 if result == 0 else result  # no "-0.0" in the output


def view_dimension_scores(data: ScoreInput) -> dict[str, Fraction | None] | None:
    """Unrounded dimension scores of the view's group, or None when it is suppressed: what a
    later campaign uses as its baseline for the same view (rule 12)."""
    scorer = _Scorer(data.bank, data.settings)
    group = Group.of((p.cell for p in _view_cells(data)), 0)
    if not data.view.is_campaign and group.n == 0:
        return None
    return scorer.dimension_scores(scorer.question_stats(group))


def answer_distributions(data: ScoreInput, questions: Iterable[str]) -> dict[str, Any]:
    """How many answers in the view chose each choice (and "NA", "DK"), per function whose
    group is shown in the view (rule 8e: protected groups only), for the given questions:
    what the room looks at for a divergent question."""
    wanted = set(questions)
    cells = _view_cells(data)
    counts: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for p in cells:
        if p.function == ANY:
            continue
        for (question, answer), count in p.cell.counts.items():
            if question in wanted:
                counts[question][p.function][answer] += count
    keys = {
        q.key: list(DECISION_ANSWERS) if q.kind == DECISION else [c.key for c in q.choices]
        for q in data.bank.questions
    }
    return {
        question: {
            f: {
                k: counts[question][f][k]
                for k in [*keys.get(question, []), NA, DK]
                if k not in (NA, DK) or counts[question][f][k]
            }
            for f in FUNCTIONS
            if counts[question][f]  # shown, and asked of this function
        }
        for question in sorted(wanted)
    }
