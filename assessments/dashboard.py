"""What a campaign dashboard (and the PDF report) shows: figures from the score document,
charts from `charts.py`, and the sentences that explain them to an executive.

`dashboard_context` reads the database in a fixed number of queries (the cached snapshot,
the bank's labels, the organisation's names, the baseline and the trend); everything after
that works on plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils.safestring import SafeString, mark_safe

from . import charts

from .models import AgreedAnswer, Campaign, Question, ScoreSnapshot, Stage
from .selectors import EVERYONE, ScoreFilter, campaign_snapshot, find_baseline

MAX_DIVERGENT_SHOWN = 6


@dataclass(frozen=True)
class Chart:
    id: str
    figure: Any  # plotly Figure

    @property
    def title(self) -> str:
        return str(self.figure.layout.title.text or "")

    def json(self) -> SafeString:
        """The figure as JSON, safe inside a <script type="application/json"> element."""
        text = self.figure.to_json()
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(char, escape)
        return mark_safe(text)  # nosec B308 B703  # noqa: S308 - escaped above for a script element


def labels_for(campaign: Campaign) -> charts.Labels:
    version = campaign.bank_version
    questions = Question.objects.filter(version=version).select_related("dimension")
    questions = questions.prefetch_related(Prefetch("choices", to_attr="choice_list")).order_by(
        "dimension__order", "order", "id"
    )
    question_list = list(questions)
    dimensions = {}
    lenses = {}
    for dimension in version.dimensions.all():
        dimensions[dimension.key] = dimension.name
        lenses[dimension.key] = dimension.lens
    organization = campaign.organization
    return charts.Labels(
        dimensions=dimensions,
        lenses=lenses,
        stages={s.level: s.name for s in Stage.objects.filter(version=version)},
        questions={q.key: q.text for q in question_list},
        choices={q.key: [(c.key, c.text) for c in q.choice_list] for q in question_list},
        teams=dict(organization.teams.values_list("slug", "name")),
        sites=dict(organization.sites.values_list("slug", "name")),
    )


def why_not_next(doc: dict[str, Any], labels: charts.Labels) -> dict[str, Any] | None:
    """Rule 6 in words: what keeps the organisation from the next stage."""
    overall = doc["overall"]
    stage = overall["stage"]
    if stage is None or stage >= 3:
        return None
    threshold = stage + 0.5
    blockers = []
    for blocker in overall["blockers"]:
        blockers.append(
            {
                "name": labels.dimension(blocker["dimension"]),
                "score": blocker["score"],
                "questions": [
                    {
                        "key": key,
                        "text": labels.questions.get(key, key),
                        "mean": doc["questions"][key]["mean"],
                    }
                    for key in blocker["questions"][:3]
                ],
                "more": max(0, len(blocker["questions"]) - 3),
            }
        )
    return {
        "next": stage + 1,
        "next_name": labels.stages.get(stage + 1, ""),
        "threshold": threshold,
        "blockers": blockers,
        "holding_back": [
            {
                "name": labels.dimension(k),
                "score": overall["dimensions"][k]["score"],
                "stage": overall["dimensions"][k]["stage"],
            }
            for k in overall["holding_back"]
        ],
    }


def ladder(doc: dict[str, Any], labels: charts.Labels) -> list[dict[str, Any]]:
    stage = doc["overall"]["stage"]
    return [
        {
            "level": level,
            "name": labels.stages.get(level, f"Stage {level}"),
            "current": level == stage,
            "reached": stage is not None and level <= stage,
            "colour": charts.STAGE_COLOURS[level],
        }
        for level in (3, 2, 1, 0)
    ]


def trend(campaign: Campaign, document: dict[str, Any]) -> list[charts.TrendPoint]:
    """Every campaign of the organisation on a bank with the same slug, oldest first;
    `document` is the campaign's own score document, already at hand."""
    campaigns = list(
        Campaign.objects.filter(
            organization_id=campaign.organization_id,
            bank_version__bank_id=campaign.bank_version.bank_id,
        )
        .select_related("bank_version__bank")
        .order_by("created")
    )
    stored = {
        s.campaign_id: s.document
        for s in ScoreSnapshot.objects.filter(campaign__in=campaigns, key="").exclude(
            campaign=campaign
        )
    }
    points = []
    for other in campaigns:
        if other.status == Campaign.Status.DRAFT:
            continue
        figures = document if other.pk == campaign.pk else stored.get(other.pk)
        if figures is None:  # never scored yet: score it now, once
            figures = campaign_snapshot(other).document
        when = other.closed_at or other.created
        points.append(
            charts.TrendPoint(
                campaign=other.slug,
                label=f"{other.name} ({when:%b %Y})",
                stage=document["overall"]["stage"],
                stage_score=document["overall"]["stage_score"],
            )
        )
    return points


def dashboard_context(campaign: Campaign, score_filter: ScoreFilter = EVERYONE) -> dict[str, Any]:
    snapshot = campaign_snapshot(campaign, score_filter)
    doc = snapshot.document
    labels = labels_for(campaign)
    minimum = doc["settings"]["min_group_size"]
    submitted = doc["respondents"]["submitted"]
    context: dict[str, Any] = {
        "doc": doc,
        "labels": labels,
        "filter": score_filter,
        "submitted": submitted,
        "thin": submitted < minimum,
        "minimum": minimum,
    }
    if context["thin"]:
        return context

    baseline = find_baseline(campaign)
    baseline_doc = (
        campaign_snapshot(baseline, score_filter).document if baseline is not None else None
    )
    agreed = {
        a.question.key: a
        for a in AgreedAnswer.objects.filter(campaign=campaign).select_related("question", "choice")
    }
    divergent = doc["divergent_questions"][:MAX_DIVERGENT_SHOWN]
    overall = doc["overall"]
    dims = overall["dimensions"]
    strongest = sorted(
        (k for k in labels.dimensions if dims[k]["score"] is not None),
        key=lambda k: -dims[k]["score"],
    )
    chart_list = [
        Chart("dimensions", charts.dimension_bars(doc, labels)),
        Chart("radar", charts.radar(doc, labels)),
    ]
    optional = [
        ("gaps", charts.gap_bars(doc, labels)),
        ("teams", charts.heatmap(doc["by_team"], labels.teams, labels, "teams", minimum)),
        ("sites", charts.heatmap(doc["by_site"], labels.sites, labels, "sites", minimum)),
        ("progress", charts.progress_bars(doc, baseline_doc, labels)),
        ("trend", charts.trend_line(trend_points := trend(campaign, doc))),
    ]
    chart_list += [Chart(name, figure) for name, figure in optional if figure is not None]
    divergent_charts = []
    for key in divergent:
        figure = charts.distribution_bars(key, snapshot.distributions.get(key, {}), labels)
        divergent_charts.append(
            {
                "key": key,
                "text": labels.questions.get(key, key),
                "stats": doc["questions"][key],
                "chart": Chart(f"q-{key}", figure) if figure is not None else None,
                "agreed": agreed.get(key),
            }
        )
    context.update(
        {
            "charts": {chart.id: chart for chart in chart_list},
            "why": why_not_next(doc, labels),
            "ladder": ladder(doc, labels),
            "stage_colour": charts.stage_colour(overall["stage"]),
            "stage_name": labels.stages.get(overall["stage"], "")
            if overall["stage"] is not None
            else "",
            "largest_gap": _largest_gap(doc, labels),
            "recommendations": [
                {
                    **r,
                    "name": labels.dimension(r["dimension"]),
                    "gap": dims[r["dimension"]]["gap_to_target"],
                }
                for r in doc["recommendations"]
            ],
            "divergent": divergent_charts,
            "trend_points": trend_points,
            "divergent_total": len(doc["divergent_questions"]),
            "strongest": [(labels.dimension(k), dims[k]["score"]) for k in strongest[:3]],
            "weakest": [(labels.dimension(k), dims[k]["score"]) for k in strongest[::-1][:3]],
            "baseline": baseline,
            "baseline_doc": baseline_doc,
            "agreed": agreed,
            "dimension_rows": [
                {
                    "key": k,
                    "name": labels.dimension(k),
                    "lens": labels.lenses.get(k),
                    **dims[k],
                    "consensus": (doc["consensus"] or {}).get("dimensions", {}).get(k),
                    "gap": doc["perception_gaps"].get(k),
                    "progress": ((doc.get("progress") or {}).get("dimensions") or {}).get(k),
                }
                for k in labels.dimensions
            ],
            "function_rows": [
                (charts.FUNCTION_NAMES[f], doc["by_function"][f]) for f in doc["by_function"]
            ],
        }
    )
    return context


def _largest_gap(doc: dict[str, Any], labels: charts.Labels) -> dict[str, Any] | None:
    gaps = {k: g for k, g in doc["perception_gaps"].items() if g["gap"] is not None}
    if not gaps:
        return None
    key = max(gaps, key=lambda k: (abs(gaps[k]["gap"]), k))
    gap = gaps[key]["gap"]
    return {
        "name": labels.dimension(key),
        "gap": gap,
        "higher": "IT" if gap > 0 else "OT",
        "lower": "OT" if gap > 0 else "IT",
        "size": abs(gap),
        "flagged": gaps[key]["flagged"],
    }


def filter_from_request(params: Any, labels_sites: dict[str, str]) -> ScoreFilter:
    """?site=&function= from the address; unknown values are ignored, not trusted."""
    site = params.get("site") or None
    function = params.get("function") or None
    if site not in labels_sites:
        site = None
    if function not in charts.FUNCTION_NAMES or function == "overall":
        function = None
    return ScoreFilter(site=site, function=function)


def organization_overview(organization: Any) -> dict[str, Any]:
    """The latest campaign's stage per site, and the trend over the organisation's campaigns."""
    latest = (
        Campaign.objects.filter(organization=organization)
        .exclude(status=Campaign.Status.DRAFT)
        .select_related("bank_version__bank", "organization")
        .order_by("-created")
        .first()
    )
    if latest is None:
        return {"latest": None}
    doc = campaign_snapshot(latest).document
    sites = dict(organization.sites.values_list("slug", "name"))
    trend_figure = charts.trend_line(trend(latest, doc))
    return {
        "latest": latest,
        "latest_doc": doc,
        "site_rows": [(sites.get(slug, slug), group) for slug, group in doc["by_site"].items()],
        "trend_chart": Chart("org-trend", trend_figure) if trend_figure is not None else None,
    }


def consensus_context(campaign: Campaign, extra: str | None = None) -> dict[str, Any]:
    """The divergent questions with each function's answers as shares, the answers agreed so
    far, the question the workshop is on (`extra`), and the parking lot."""
    snapshot = campaign_snapshot(campaign)
    doc = snapshot.document
    labels = labels_for(campaign)
    agreed = {
        a.question.key: a
        for a in AgreedAnswer.objects.filter(campaign=campaign).select_related("question", "choice")
    }
    keys = list(doc["divergent_questions"])
    if extra in labels.questions and extra not in keys:
        keys.insert(0, extra)
    keys += sorted(k for k in agreed if k not in keys)
    allow_na = set(
        Question.objects.filter(version=campaign.bank_version, allow_na=True).values_list(
            "key", flat=True
        )
    )
    items = []
    for key in keys:
        distribution = snapshot.distributions.get(key, {})
        choices = list(labels.choices.get(key, []))
        rows = []
        for function in ("it", "ot", "business", "leadership", "other"):
            counts = distribution.get(function) or {}
            total = sum(counts.values())
            if not total:
                continue
            rows.append(
                {
                    "name": charts.FUNCTION_NAMES[function],
                    "total": total,
                    "shares": [
                        {"key": c, "share": round(100 * counts.get(c, 0) / total)}
                        for c, _ in [*choices, ("NA", "N/A")]
                        if c != "NA" or counts.get("NA")
                    ],
                }
            )
        items.append(
            {
                "key": key,
                "text": labels.questions.get(key, key),
                "choices": choices,
                "allow_na": key in allow_na,
                "stats": doc["questions"].get(key, {}),
                "divergent": key in doc["divergent_questions"],
                "rows": rows,
                "agreed": agreed.get(key),
            }
        )
    return {
        "items": items,
        "consensus": doc["consensus"],
        "labels": labels,
        "notes": list(campaign.notes.select_related("created_by")),
        "colours": charts.STAGE_COLOURS,
    }
