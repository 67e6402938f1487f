"""Reading what scoring needs from the database, in a fixed number of queries, and the score
cache.

`campaign_score_input` turns a campaign into the plain data of `scoring.py`: the bank (three
queries), the organisation's teams and sites (two), the response counts and every submitted
response's answers as one short text (two queries: see `campaign_tally`), the choices'
weights (one), the agreed answers (one) and the baseline's unrounded scores for the same view
(from its stored snapshot).

`campaign_snapshot` caches the result per campaign and view in `ScoreSnapshot`, keyed by a
fingerprint of everything a figure depends on (`campaign_fingerprints`): the scoring code's
version, the campaign's settings, bank version and status, the organisation's teams and
sites (slugs, functions, headcounts), the state of the responses and of the agreed answers,
and the baseline. Nothing has to remember to mark the scores changed: a change to any of
these is a new fingerprint. A closed campaign keeps the figures computed after it closed.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from assessments import scoring
from assessments.documents import ScoreDocument
from assessments.errors import ProblemList
from assessments.models import (
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
from assessments.suppression import Key
from assessments.vocabulary import DK, FUNCTIONS, NA

# Bump when the scoring code changes in a way that changes figures, to invalidate snapshots
# of open campaigns. Closed campaigns keep the figures they closed with (migration 0011
# re-scored them once under contract version 2).
ALGORITHM_VERSION = 3  # 3: contract version 2 (privacy by protected groups, se, decisions)

View = scoring.View
ScoreFilter = scoring.View  # the dashboard's name for a view
EVERYONE = scoring.EVERYONE


@dataclass(frozen=True)
class BankIndex:
    """A bank version as scoring sees it, plus the id -> key maps the counts need."""

    definition: scoring.BankDef
    question_keys: dict[int, str]
    choice_keys: dict[int, str]
    dimension_keys: dict[int, str]
    choice_answers: dict[int, tuple[str, str]]  # choice id -> (question key, choice key)


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
                allow_dont_know=q.allow_dont_know,
                kind=q.kind,
                choices=tuple(scoring.ChoiceDef(c.key, c.score) for c in choices[q.pk]),
            )
            for q in questions
        ),
    )
    return BankIndex(
        definition=definition,
        question_keys={q.pk: q.key for q in questions},
        choice_keys={c.pk: c.key for cs in choices.values() for c in cs},
        dimension_keys=dimension_keys,
        choice_answers={
            c.pk: (q.key, c.key) for q in questions for c in choices[q.pk] if not q.is_decision
        },
    )


@dataclass(frozen=True)
class Organisation:
    """The organisation's teams and sites as scoring sees them (two queries)."""

    teams: dict[int, str]  # id -> slug, in the organisation's order
    sites: dict[int, str]
    headcounts: dict[str, int]
    material: list[Any]  # what of them can change a figure, for the fingerprint


def organisation_of(organization_id: int) -> Organisation:
    teams = list(
        Team.objects.filter(organization_id=organization_id)
        .order_by("name", "id")
        .values_list("id", "slug", "function", "site_id", "headcount")
    )
    sites = list(
        Site.objects.filter(organization_id=organization_id)
        .order_by("name", "id")
        .values_list("id", "slug")
    )
    return Organisation(
        teams={pk: slug for pk, slug, *_ in teams},
        sites=dict(sites),
        headcounts={slug: headcount for _, slug, _, _, headcount in teams if headcount},
        material=[sorted(map(list, teams)), sorted(map(list, sites))],
    )


def campaign_tally(campaign: Campaign, index: BankIndex, org: Organisation) -> scoring.Tally:
    """Three queries, whatever the number of responses: the responses counted per (function,
    team, site), the choices' weights, and every submitted response's answers as one short
    text each (one row per response, aggregated in the database without sorting). Python
    counts the answers per cell with `Counter.update` and works out each respondent's own
    dimension scores (rule 2b) on the way. Measured for 50,000 respondents: 2.1 s on either
    database, where two GROUP BY passes over the answers (one for the counts, one for the
    respondents' scores) took 4.4 + 5.6 s on SQLite and 0.9 + 2.2 s on PostgreSQL
    (docs/performance.md)."""
    cells: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}

    def cell(function: str, team_id: int | None, site_id: int | None) -> dict[str, Any]:
        key = (
            function,
            org.teams.get(team_id) if team_id else None,
            org.sites.get(site_id) if site_id else None,
        )
        return cells.setdefault(
            key, {"submitted": 0, "in_progress": 0, "tokens": Counter(), "spread": Counter()}
        )

    response_counts = (
        Response.objects.counted()
        .filter(campaign=campaign)
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

    weights = _choice_weights(campaign)
    for function, team_id, site_id, text in _answer_texts(campaign):
        target = cell(function, team_id, site_id)
        tokens = text.split(",") if text else []
        target["tokens"].update(tokens)
        top: dict[int, int] = {}
        bottom: dict[int, int] = {}
        for token in tokens:
            weighted = weights.get(token)
            if weighted is not None:
                dimension, value, weight = weighted
                top[dimension] = top.get(dimension, 0) + value
                bottom[dimension] = bottom.get(dimension, 0) + weight
        for dimension, value in top.items():
            target["spread"][(dimension, value, bottom[dimension])] += 1

    result = []
    for (f, t, s), c in sorted(cells.items(), key=lambda item: _sort_key(item[0])):
        counts: dict[tuple[str, str], int] = {}
        for token, n in c["tokens"].items():
            key = _answer_key(token, index)
            if key is not None:
                counts[key] = counts.get(key, 0) + n
        spread: dict[str, scoring.Spread] = {}
        for (dimension_id, value, weight), n in c["spread"].items():
            name = index.dimension_keys.get(dimension_id)
            if name is None:
                continue
            r = Fraction(value, weight)
            spread[name] = spread.get(name, scoring.Spread()) + scoring.Spread(n, r * n, r * r * n)
        result.append(scoring.Cell(f, t, s, c["submitted"], c["in_progress"], counts, spread))
    return tuple(result)


_ANSWER_TEXTS_SQL = """
    SELECT r.function, r.team_id, r.site_id, {answers}
    FROM {response} r
    JOIN {answer} a ON a.response_id = r.id
    WHERE r.campaign_id = %s AND r.submitted_at IS NOT NULL AND r.discarded_at IS NULL
    GROUP BY r.id, r.function, r.team_id, r.site_id
"""


def _answer_texts(campaign: Campaign) -> list[tuple[Any, ...]]:
    """(function, team id, site id, answers) per submitted response; the answers as
    comma-separated tokens: a choice's id, or `n:<question id>` for N/A, `k:<question id>`
    for Don't know, `<decision answer>:<question id>` for a decision question."""
    tables = {
        model: connection.ops.quote_name(model._meta.db_table) for model in (Answer, Response)
    }
    aggregate = "group_concat({}, ',')" if connection.vendor == "sqlite" else "string_agg({}, ',')"
    expression = (
        "CASE WHEN a.choice_id IS NOT NULL THEN CAST(a.choice_id AS TEXT)"
        " WHEN a.is_na THEN 'n:' || CAST(a.question_id AS TEXT)"
        " WHEN a.is_dk THEN 'k:' || CAST(a.question_id AS TEXT)"
        " WHEN a.decision <> '' THEN a.decision || ':' || CAST(a.question_id AS TEXT) END"
    )
    # Table names come from the models' meta; the campaign is a parameter.
    sql = _ANSWER_TEXTS_SQL.format(
        answers=aggregate.format(expression), response=tables[Response], answer=tables[Answer]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk])
        return list(cursor.fetchall())


def _choice_weights(campaign: Campaign) -> dict[str, tuple[int, int, int]]:
    """Choice token -> (dimension id, weight x score, weight), as whole numbers on one common
    scale (weights and scores are binary fractions: the least common multiple of their
    denominators makes them exact integers), so a respondent's own score is an exact fraction
    whatever the weights (rule 2b)."""
    rows = list(
        Choice.objects.filter(
            question__version_id=campaign.bank_version_id, question__kind=Question.Kind.SCORED
        ).values_list("id", "question__dimension_id", "question__weight", "score")
    )
    exact = [(pk, dim, Fraction(w), Fraction(w) * Fraction(s)) for pk, dim, w, s in rows]
    scale = 1
    for *_key, weight, value in exact:
        scale = math.lcm(scale, weight.denominator, value.denominator)
    return {
        str(pk): (dim, int(value * scale), int(weight * scale)) for pk, dim, weight, value in exact
    }


def _answer_key(token: str, index: BankIndex) -> tuple[str, str] | None:
    """A token of `_answer_texts` as the tally's (question key, answer): None for an answer
    to another version's question."""
    if token[:1].isdigit():
        return index.choice_answers.get(int(token))
    word, _, question_id = token.partition(":")
    question = index.question_keys.get(int(question_id)) if question_id.isdigit() else None
    if question is None:
        return None
    return (question, {"n": NA, "k": DK}.get(word, word))


def _sort_key(key: tuple[str, str | None, str | None]) -> tuple[str, str, str]:
    return (key[0], key[1] or "", key[2] or "")


def find_baseline(campaign: Campaign) -> Campaign | None:
    """The organisation's previous closed campaign on a bank with the same slug (rule 12);
    frozen in `campaign.baseline` when the campaign closes."""
    return baselines_of([campaign])[campaign.pk]


def campaign_score_input(
    campaign: Campaign,
    view: View = EVERYONE,
    baseline: Campaign | Literal["find"] | None = "find",
) -> scoring.ScoreInput:
    index = bank_index(campaign.bank_version)
    org = organisation_of(campaign.organization_id)
    consensus: dict[str, str] = {}
    for question_id, choice_id, is_na in AgreedAnswer.objects.filter(campaign=campaign).values_list(
        "question_id", "choice_id", "is_na"
    ):
        question = index.question_keys.get(question_id)
        agreed = NA if is_na else index.choice_keys.get(choice_id)
        if question is not None and agreed is not None:
            consensus[question] = agreed
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
        tally=campaign_tally(campaign, index, org),
        teams=tuple(org.teams.values()),
        sites=tuple(org.sites.values()),
        headcounts=org.headcounts,
        view=view,
        baseline=(
            scoring.Baseline(
                baseline.slug, baseline.bank_version.number, baseline_scores(baseline, view)
            )
            if baseline is not None
            else None
        ),
        consensus=consensus,
    )


# --- The score cache -----------------------------------------------------------------------


def campaign_fingerprints(campaigns: Iterable[Campaign], view: View = EVERYONE) -> dict[int, str]:
    """The fingerprint of each campaign's figures for a view, in a fixed number of queries
    however many campaigns: four, plus two per organisation among them."""
    campaigns = list(campaigns)
    ids = [c.pk for c in campaigns]
    responses = {
        row["campaign_id"]: [
            row["n"],
            row["submitted"],
            str(row["latest"]),
            row["discarded"],
            str(row["last_discard"]),
        ]
        for row in Response.objects.filter(campaign_id__in=ids)
        .order_by()
        .values("campaign_id")
        .annotate(
            n=Count("id", filter=Q(discarded_at__isnull=True)),
            submitted=Count("id", filter=Q(submitted_at__isnull=False, discarded_at__isnull=True)),
            # Answers of responses in progress change no figure (only their count does):
            # a workshop's votes do not make the scores compute again at every poll.
            latest=Max("updated", filter=Q(submitted_at__isnull=False)),
            # Discarding or restoring a response changes the figures.
            discarded=Count("id", filter=Q(discarded_at__isnull=False)),
            last_discard=Max("discarded_at"),
        )
    }
    agreed = {
        row["campaign_id"]: [row["n"], str(row["latest"])]
        for row in AgreedAnswer.objects.filter(campaign_id__in=ids)
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("id"), latest=Max("recorded_at"))
    }
    organisations = {
        pk: organisation_of(pk).material for pk in {c.organization_id for c in campaigns}
    }
    baselines = baselines_of(campaigns)
    result = {}
    for campaign in campaigns:
        baseline = baselines.get(campaign.pk)
        material = [
            ALGORITHM_VERSION,
            campaign.bank_version_id,
            campaign.status == Campaign.Status.CLOSED,
            campaign.min_group_size,
            campaign.gap_threshold,
            sorted((str(k), int(v)) for k, v in campaign.targets.items()),
            view.key,
            organisations[campaign.organization_id],
            responses.get(campaign.pk),
            agreed.get(campaign.pk),
            baseline.pk if baseline else None,
        ]
        result[campaign.pk] = hashlib.sha256(json.dumps(material).encode()).hexdigest()
    return result


def baselines_of(campaigns: list[Campaign]) -> dict[int, Campaign | None]:
    """Each campaign's baseline (rule 12): the organisation's most recently closed other
    campaign on a bank with the same slug, or, once a campaign is closed, the one frozen
    then. At most two queries for any number of campaigns."""
    frozen_ids = {c.pk: c.baseline_id for c in campaigns if c.is_closed}
    open_ones = [c for c in campaigns if not c.is_closed]
    closed: list[Campaign] = []
    if open_ones:
        closed = list(
            Campaign.objects.filter(
                organization_id__in={c.organization_id for c in open_ones},
                status=Campaign.Status.CLOSED,
            )
            .select_related("bank_version__bank")
            .order_by("-closed_at", "-created")
        )
    wanted = [i for i in frozen_ids.values() if i]
    by_id = (
        {
            c.pk: c
            for c in Campaign.objects.filter(pk__in=wanted).select_related("bank_version__bank")
        }
        if wanted
        else {}
    )
    result: dict[int, Campaign | None] = {
        pk: by_id.get(baseline_id) if baseline_id else None
        for pk, baseline_id in frozen_ids.items()
    }
    for campaign in open_ones:
        result[campaign.pk] = next(
            (
                c
                for c in closed
                if c.organization_id == campaign.organization_id
                and c.bank_version.bank_id == campaign.bank_version.bank_id
                and c.pk != campaign.pk
            ),
            None,
        )
    return result


def _stored_snapshot(campaign: Campaign, view: View) -> ScoreSnapshot:
    """The snapshot for this campaign and view, recomputed when its fingerprint is stale."""
    snapshot = ScoreSnapshot.objects.filter(campaign=campaign, key=view.key).first()
    if snapshot is not None and _frozen(campaign, snapshot):
        return snapshot
    fingerprint = campaign_fingerprints([campaign], view)[campaign.pk]
    if snapshot is not None and snapshot.fingerprint == fingerprint:
        return snapshot
    return _compute(campaign, view, fingerprint, snapshot)


def _compute(
    campaign: Campaign, view: View, fingerprint: str, snapshot: ScoreSnapshot | None
) -> ScoreSnapshot:
    data = campaign_score_input(campaign, view)
    document = scoring.score(data)
    exact = scoring.view_dimension_scores(data)
    snapshot = snapshot or ScoreSnapshot(campaign=campaign, key=view.key)
    snapshot.fingerprint = fingerprint
    snapshot.document = document
    # None (JSON null) when the view is suppressed: a later campaign then shows no progress.
    snapshot.exact_scores = (
        None
        if exact is None
        else {
            key: None if value is None else f"{value.numerator}/{value.denominator}"
            for key, value in exact.items()
        }
    )
    snapshot.distributions = scoring.answer_distributions(
        data, document.get("divergent_questions", [])
    )
    snapshot.protection = [
        [*p.cell.key, p.function, p.team, p.site]
        for p in scoring.protected_cells(data.tally, data.settings.min_group_size)
    ]
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


def campaign_scores(campaign: Campaign, view: View = EVERYONE) -> ScoreDocument:
    """The `score --json` document of a campaign (or one view of it), cached."""
    return cast(ScoreDocument, _stored_snapshot(campaign, view).document)


def campaign_snapshot(campaign: Campaign, view: View = EVERYONE) -> ScoreSnapshot:
    """The cached snapshot: the score document plus what dashboards show beside it."""
    return _stored_snapshot(campaign, view)


def campaign_snapshots(campaigns: Iterable[Campaign]) -> dict[int, ScoreSnapshot]:
    """The whole-campaign snapshots of many campaigns (the trend) in a fixed number of
    queries; only stale ones are computed again."""
    campaigns = list(campaigns)
    stored = {
        s.campaign_id: s
        for s in ScoreSnapshot.objects.filter(campaign__in=campaigns, key=EVERYONE.key)
    }
    stale = [c for c in campaigns if c.pk not in stored or not _frozen(c, stored[c.pk])]
    fingerprints = campaign_fingerprints(stale) if stale else {}
    for campaign in stale:
        snapshot = stored.get(campaign.pk)
        if snapshot is None or snapshot.fingerprint != fingerprints[campaign.pk]:
            stored[campaign.pk] = _compute(campaign, EVERYONE, fingerprints[campaign.pk], snapshot)
    return stored


def campaign_protection(campaign: Campaign) -> dict[Key, Key]:
    """Rule 8a, decided once per campaign and cached with its scores: real (function, team,
    site) -> protected, "*" where absent or hidden. Every surface that shows something per
    response (comments, raw answers) reads it here."""
    return protection_of(_stored_snapshot(campaign, EVERYONE))


def protection_of(snapshot: ScoreSnapshot) -> dict[Key, Key]:
    """The privacy decision a snapshot was computed with (every view's carries it)."""
    return {tuple(row[:3]): tuple(row[3:]) for row in snapshot.protection}


def baseline_scores(campaign: Campaign, view: View) -> dict[str, Fraction | None] | None:
    """The unrounded dimension scores of a view, or None where that view is suppressed."""
    snapshot = _stored_snapshot(campaign, view)
    if snapshot.exact_scores is None:
        return None
    return {
        key: None if value is None else Fraction(value)
        for key, value in snapshot.exact_scores.items()
    }


def view_for(campaign: Campaign, site: str | None = None, function: str | None = None) -> View:
    """A view named on the command line or in the API (`?site=&function=`), checked: every
    problem is reported at once, naming the site slugs and functions there are."""
    problems = ProblemList()
    site = site or None
    function = function or None
    if site is not None:
        slugs = list(
            Site.objects.filter(organization_id=campaign.organization_id)
            .order_by("slug")
            .values_list("slug", flat=True)
        )
        if site not in slugs:
            problems.add(
                "site",
                _("%(site)s is not a site of %(name)s (%(value)s)"),
                site=repr(site),
                name=campaign.organization.name,
                value=", ".join(slugs) or "it has no sites",
            )
    if function is not None and function not in FUNCTIONS:
        problems.add(
            "function",
            _("%(function)s is not one of %(value)s"),
            function=repr(function),
            value=", ".join(FUNCTIONS),
        )
    problems.raise_if_any()
    return View(site=site, function=function)
