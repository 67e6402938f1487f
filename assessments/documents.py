"""The score document, typed: what `manage.py score --json`, the API, the dashboard, the PDF,
the deck and the exports all read (docs/methodology.md explains each figure; docs/file-formats.md
shows the JSON). `scoring.score` builds it; nothing else does.

A group (the campaign, a function, a team, a site) is either shown (`GroupScores`) or
suppressed by the privacy rule (`Suppressed`: its protected count `n` is 0 and only the real
count of what it rests on is given).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict, cast


class Bank(TypedDict):
    slug: str
    version: int


class ViewDoc(TypedDict):
    site: str | None
    function: str | None


class Respondents(TypedDict):
    submitted: int
    in_progress: int
    expected: int | None
    response_rate: float | None


class Settings(TypedDict):
    min_group_size: int
    gap_threshold: float


class DimensionScore(TypedDict):
    score: float | None
    se: float | None
    stage: int | None
    target: int
    gap_to_target: float | None
    dont_know: float | None


class Blocker(TypedDict):
    dimension: str
    score: float | None
    questions: list[str]


class GroupScores(TypedDict):
    n: int
    answered: int
    stage: int | None  # None: no submitted answers to the stage dimensions yet
    stage_score: float | None
    dimensions: dict[str, DimensionScore]
    blockers: list[Blocker]
    holding_back: list[str]
    percent_to_target: float | None
    decision_rights: dict[str, float | None] | None
    # On teams only (rule 16).
    headcount: NotRequired[int | None]
    response_rate: NotRequired[float | None]


class Suppressed(TypedDict):
    n: Literal[0]
    answered: int
    suppressed: Literal[True]
    headcount: NotRequired[int | None]
    response_rate: NotRequired[float | None]


class Gap(TypedDict):
    gap: float
    se: float | None
    flagged: bool


class QuestionFigures(TypedDict):
    n: int
    na: int
    dk: int
    mean: float | None
    stdev: float | None
    agreement: float | None


class Decision(TypedDict):
    n: int
    dk: int
    shares: dict[str, float | None] | None
    owner: str | None
    clarity: float | None
    joint: float | None
    it_owner: str | None
    ot_owner: str | None
    disputed: bool


class Recommendation(TypedDict):
    dimension: str
    stage: int
    text: str


class DimensionProgress(TypedDict):
    delta: float | None
    progress_to_date: float | None


class Progress(TypedDict):
    baseline: str
    baseline_bank_version: int
    dimensions: dict[str, DimensionProgress]


class Consensus(TypedDict):
    dimensions: dict[str, float | None]


class ScoreHead(TypedDict):
    campaign: str
    contract: int
    bank: Bank
    view: ViewDoc
    respondents: Respondents
    settings: Settings


class ScoreDocument(ScoreHead):
    """The whole document. A view suppressed as a whole (rule 8d) has only the head and
    `overall`; every other key is then absent."""

    overall: GroupScores | Suppressed
    by_function: NotRequired[dict[str, GroupScores | Suppressed]]
    by_team: NotRequired[dict[str, GroupScores | Suppressed]]
    by_site: NotRequired[dict[str, GroupScores | Suppressed]]
    perception_gaps: NotRequired[dict[str, Gap]]
    questions: NotRequired[dict[str, QuestionFigures]]
    decisions: NotRequired[dict[str, Decision]]
    divergent_questions: NotRequired[list[str]]
    recommendations: NotRequired[list[Recommendation]]
    progress: NotRequired[Progress | None]
    consensus: NotRequired[Consensus | None]


def shown(group: GroupScores | Suppressed) -> GroupScores | None:
    """The group's figures, or None when the privacy rule hides the group."""
    return None if group.get("suppressed") else cast(GroupScores, group)


def overall(doc: ScoreDocument) -> GroupScores:
    """The view's own figures; only for a view that is shown (callers check `shown` first:
    a view hidden as a whole has nothing to draw or say)."""
    figures = shown(doc["overall"])
    if figures is None:
        raise ValueError(f"the view {doc['view']} is hidden by the privacy rule")
    return figures
