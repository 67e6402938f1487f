"""Reading what scoring needs from the database, in a fixed number of queries.

`campaign_score_input` turns a campaign into the plain data of `scoring.py`: the bank (three
queries), the organisation's team and site slugs (two), the response and answer counts
(two GROUP BY queries: the database counts, Python never sees individual answers), the
agreed answers (one) and the baseline's unrounded scores (from its stored snapshot).
`campaign_scores` caches the result per campaign and filter in `ScoreSnapshot`, keyed by a
fingerprint of everything that can change a figure.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from . import scoring
from .campaigns import find_baseline
from .models import (
    AgreedAnswer,
    Answer,
    BankVersion,
    Campaign,
    Choice,
    Dimension,
    Question,
    Response,
    ScoreSnapshot,
    Site,
    Team,
)

# Bump when the scoring code changes in a way that changes figures, to invalidate snapshots
# of open campaigns. Closed campaigns keep the figures they closed with.
ALGORITHM_VERSION = 2  # 2: snapshots carry answer distributions


@dataclass(frozen=True)
class ScoreFilter:
    """A subset of a campaign's responses, re-scored with the same rules (dashboard filters)."""

    site: str | None = None
    function: str | None = None

    @property
    def key(self) -> str:
        parts = [
            f"site={self.site}" if self.site else "",
            f"function={self.function}" if self.function else "",
        ]
        return "&".join(p for p in parts if p)

    def keeps(self, cell: scoring.Cell) -> bool:
        return (self.site is None or cell.site == self.site) and (
            self.function is None or cell.function == self.function
        )


EVERYONE = ScoreFilter()


@dataclass(frozen=True)
class BankIndex:
    """A bank version as scoring sees it, plus the id -> key maps the counts need."""

    definition: scoring.BankDef
    question_keys: dict[int, str]
    choice_keys: dict[int, str]


def bank_index(version: BankVersion) -> BankIndex:
    dimensions = list(Dimension.objects.filter(version=version).order_by("order", "id"))
    questions = list(Question.objects.filter(version=version).order_by("order", "id"))
    choices: dict[int, list[Choice]] = defaultdict(list)
    for choice in Choice.objects.filter(question__version=version).order_by("order", "id"):
        choices[choice.question_id].append(choice)
    dimension_keys = {d.pk: d.key for d in dimensions}
    definition = scoring.BankDef(
        slug=version.bank.slug,
        version=version.number,
        dimensions=tuple(
            scoring.DimensionDef(
                key=d.key,
                lens=d.lens,
                weight=d.weight,
                guidance=(d.guidance_0, d.guidance_1, d.guidance_2, d.guidance_3),
            )
            for d in dimensions
        ),
        questions=tuple(
            scoring.QuestionDef(
                key=q.key,
                dimension=dimension_keys[q.dimension_id],
                weight=q.weight,
                allow_na=q.allow_na,
                choices=tuple(scoring.ChoiceDef(c.key, c.score) for c in choices[q.pk]),
            )
            for q in questions
        ),
    )
    return BankIndex(
        definition=definition,
        question_keys={q.pk: q.key for q in questions},
        choice_keys={c.pk: c.key for cs in choices.values() for c in cs},
    )


def campaign_tally(
    campaign: Campaign, index: BankIndex, teams: dict[int, str], sites: dict[int, str]
) -> scoring.Tally:
    """Two GROUP BY queries, whatever the number of responses."""
    cells: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}

    def cell(function: str, team_id: int | None, site_id: int | None) -> dict[str, Any]:
        key = (
            function,
            teams.get(team_id) if team_id else None,
            sites.get(site_id) if site_id else None,
        )
        return cells.setdefault(key, {"submitted": 0, "in_progress": 0, "counts": {}})

    response_counts = (
        Response.objects.filter(campaign=campaign)
        .order_by()
        .values("function", "team_id", "site_id")
        .annotate(
            submitted=Count("id", filter=Q(submitted_at__isnull=False)),
            in_progress=Count("id", filter=Q(submitted_at__isnull=True)),
        )
    )
    for row in response_counts:
        target = cell(row["function"], row["team_id"], row["site_id"])
        target["submitted"] += row["submitted"]
        target["in_progress"] += row["in_progress"]

    answer_counts = (
        Answer.objects.filter(response__campaign=campaign, response__submitted_at__isnull=False)
        .filter(Q(choice__isnull=False) | Q(is_na=True))
        .order_by()
        .values(
            "response__function",
            "response__team_id",
            "response__site_id",
            "question_id",
            "choice_id",
            "is_na",
        )
        .annotate(n=Count("id"))
    )
    for row in answer_counts:
        question = index.question_keys.get(row["question_id"])
        if question is None:
            continue  # an answer to another version's question cannot be scored here
        answer = scoring.NA if row["is_na"] else index.choice_keys.get(row["choice_id"])
        counts = cell(
            row["response__function"], row["response__team_id"], row["response__site_id"]
        )["counts"]
        counts[(question, answer)] = counts.get((question, answer), 0) + row["n"]

    return tuple(
        scoring.Cell(f, t, s, c["submitted"], c["in_progress"], c["counts"])
        for (f, t, s), c in sorted(cells.items(), key=lambda item: _sort_key(item[0]))
    )


def _sort_key(key: tuple[str, str | None, str | None]) -> tuple[str, str, str]:
    return (key[0], key[1] or "", key[2] or "")


def campaign_score_input(
    campaign: Campaign,
    score_filter: ScoreFilter = EVERYONE,
    baseline: Campaign | Literal["find"] | None = "find",
) -> scoring.ScoreInput:
    version = campaign.bank_version
    index = bank_index(version)
    teams = dict(
        Team.objects.filter(organization_id=campaign.organization_id).values_list("id", "slug")
    )
    sites = dict(
        Site.objects.filter(organization_id=campaign.organization_id).values_list("id", "slug")
    )
    tally = tuple(c for c in campaign_tally(campaign, index, teams, sites) if score_filter.keeps(c))
    consensus: dict[str, str | None] = {}
    for question_id, choice_id, is_na in AgreedAnswer.objects.filter(campaign=campaign).values_list(
        "question_id", "choice_id", "is_na"
    ):
        question = index.question_keys.get(question_id)
        if question is not None:
            consensus[question] = scoring.NA if is_na else index.choice_keys.get(choice_id)
    if baseline == "find":
        baseline = find_baseline(campaign)
    return scoring.ScoreInput(
        campaign=campaign.slug,
        bank=index.definition,
        settings=scoring.Settings(
            min_group_size=campaign.min_group_size,
            gap_threshold=campaign.gap_threshold,
            targets={k: int(v) for k, v in campaign.targets.items()},
        ),
        tally=tally,
        teams=tuple(teams.values()),
        sites=tuple(sites.values()),
        baseline=(
            scoring.Baseline(baseline.slug, baseline_scores(baseline, score_filter))
            if baseline is not None
            else None
        ),
        consensus=consensus,
    )


def _fingerprint(campaign: Campaign, score_filter: ScoreFilter, baseline_id: int | None) -> str:
    material = json.dumps(
        [
            ALGORITHM_VERSION,
            campaign.bank_version_id,
            campaign.scores_version,
            campaign.status == Campaign.Status.CLOSED,
            campaign.min_group_size,
            campaign.gap_threshold,
            sorted((str(k), int(v)) for k, v in campaign.targets.items()),
            baseline_id,
            score_filter.key,
        ]
    )
    return hashlib.sha256(material.encode()).hexdigest()


def _stored_snapshot(campaign: Campaign, score_filter: ScoreFilter) -> ScoreSnapshot:
    """The snapshot for this campaign and filter, recomputed when its fingerprint is stale."""
    baseline = find_baseline(campaign)
    fingerprint = _fingerprint(campaign, score_filter, baseline.pk if baseline else None)
    snapshot = ScoreSnapshot.objects.filter(campaign=campaign, key=score_filter.key).first()
    if snapshot is not None and (
        snapshot.fingerprint == fingerprint or _frozen(campaign, snapshot)
    ):
        return snapshot
    data = campaign_score_input(campaign, score_filter, baseline)
    document = scoring.score(data)
    exact = {
        key: None if value is None else f"{value.numerator}/{value.denominator}"
        for key, value in scoring.exact_dimension_scores(data).items()
    }
    snapshot = snapshot or ScoreSnapshot(campaign=campaign, key=score_filter.key)
    snapshot.fingerprint = fingerprint
    snapshot.document = document
    snapshot.exact_scores = exact
    snapshot.distributions = scoring.answer_distributions(
        data, document["divergent_questions"], ("it", "ot", "business", "leadership", "other")
    )
    try:
        with transaction.atomic():
            snapshot.save()
    except IntegrityError:
        pass  # another request stored the same figures at the same moment
    return snapshot


def _frozen(campaign: Campaign, snapshot: ScoreSnapshot) -> bool:
    """A closed campaign keeps the figures computed after it closed, even if the scoring
    code (ALGORITHM_VERSION) changes later."""
    return bool(
        campaign.is_closed
        and campaign.closed_at is not None
        and snapshot.computed_at >= campaign.closed_at
    )


def campaign_scores(campaign: Campaign, score_filter: ScoreFilter = EVERYONE) -> dict[str, Any]:
    """The `score --json` document of a campaign (or a filtered subset), cached."""
    return _stored_snapshot(campaign, score_filter).document


def campaign_snapshot(campaign: Campaign, score_filter: ScoreFilter = EVERYONE) -> ScoreSnapshot:
    """The cached snapshot: the score document plus what dashboards show beside it."""
    return _stored_snapshot(campaign, score_filter)


def baseline_scores(campaign: Campaign, score_filter: ScoreFilter) -> dict[str, Fraction | None]:
    snapshot = _stored_snapshot(campaign, score_filter)
    return {
        key: None if value is None else Fraction(value)
        for key, value in snapshot.exact_scores.items()
    }
