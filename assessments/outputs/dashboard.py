"""What a campaign dashboard (and the PDF report) shows: figures from the score document,
charts from `charts.py`, and the sentences that explain them to an executive.

`dashboard_context` reads the database in a fixed number of queries (the cached snapshot,
the bank's labels, the organisation's names, the baseline and the trend); everything after
that works on plain data.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from assessments.models import (
    AgreedAnswer,
    Answer,
    Campaign,
    Initiative,
    Question,
    ScoreSnapshot,
    Stage,
)
from assessments.outputs import charts, roadmap
from assessments.outputs.findings import (
    decision_matrix,
    dont_know,
    function_rows,
    hidden_note,
    ladder,
    largest_gap,
    recommendations,
    strongest_and_weakest,
    why_not_next,
)
from assessments.outputs.findings import (
    narrative as findings_narrative,
)
from assessments.selectors.campaigns import LOW_RATE
from assessments.selectors.scores import (
    EVERYONE,
    ScoreFilter,
    campaign_snapshot,
    campaign_snapshots,
    find_baseline,
    protection_of,
)
from assessments.services.survey import text_language
from assessments.vocabulary import ANY, DECISION_LABELS, DK, FUNCTIONS, NA
from assessments.words import DECISION_TAP, DECISION_TEXT

MAX_DIVERGENT_SHOWN = 6


@dataclass(frozen=True)
class Chart:
    id: str
    figure: Any  # plotly Figure

    @property
    def title(self) -> str:
        """The title as a sentence (for screen readers): plotly's line breaks as spaces."""
        text = str(self.figure.layout.title.text or "").replace("<br>", " ")
        return " ".join(html.unescape(text).split())  # `charts.plain` wrote entities

    def json(self) -> SafeString:
        """The figure as JSON, safe inside a <script type="application/json"> element."""
        text = self.figure.to_json()
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(char, escape)
        return mark_safe(text)  # nosec B308 B703  # noqa: S308 - escaped above for a script element


def labels_for(campaign: Campaign, language: str | None = None) -> charts.Labels:
    """The names of a campaign's keys, the bank's in `language` where it has a translation
    (each text falling back to the bank's own, docs/languages.md); the bank's own language
    without one. The organisation's names are as typed."""
    version = campaign.bank_version
    questions = Question.objects.filter(version=version).select_related("dimension")
    questions = questions.prefetch_related(
        Prefetch("choices", to_attr="choice_list")
    ).in_survey_order()
    question_list = list(questions)
    tag = text_language(version, language)
    texts = (version.translations or {}).get(tag, {}) if tag != version.language else {}
    own_dimensions = texts.get("dimensions", {})
    own_questions = texts.get("questions", {})
    own_stages = {str(level): v for level, v in texts.get("stages", {}).items()}
    dimensions = {}
    lenses = {}
    guidance: dict[str, dict[int, str]] = {}
    for dimension in version.dimensions.all():
        own = own_dimensions.get(dimension.key, {})
        advice = {str(level): text for level, text in (own.get("guidance") or {}).items()}
        dimensions[dimension.key] = own.get("name") or dimension.name
        lenses[dimension.key] = dimension.lens
        guidance[dimension.key] = {
            level: advice.get(str(level)) or getattr(dimension, f"guidance_{level}")
            for level in range(4)
        }
    stages = list(Stage.objects.filter(version=version))

    def question_text(question: Question) -> str:
        return own_questions.get(question.key, {}).get("text") or question.text

    def choice_text(question: Question, key: str, text: str) -> str:
        return own_questions.get(question.key, {}).get("choices", {}).get(key) or text

    organization = campaign.organization
    team_rows = list(organization.teams.values_list("slug", "name", "function"))
    return charts.Labels(
        dimensions=dimensions,
        lenses=lenses,
        stages={s.level: own_stages.get(str(s.level), {}).get("name") or s.name for s in stages},
        questions={q.key: question_text(q) for q in question_list},
        choices={
            q.key: [(c.key, choice_text(q, c.key, c.text)) for c in q.choice_list]
            for q in question_list
        },
        teams={slug: name for slug, name, _function in team_rows},
        sites=dict(organization.sites.values_list("slug", "name")),
        asked={
            q.key: frozenset(f for f in FUNCTIONS if campaign.asks(q, f))
            for q in question_list
            if not q.is_decision
        },
        dimension_of={q.key: q.dimension.key for q in question_list if q.dimension is not None},
        team_functions={slug: function for slug, _name, function in team_rows},
        guidance=guidance,
        summaries={
            s.level: own_stages.get(str(s.level), {}).get("summary") or s.summary for s in stages
        },
    )


def trend(campaign: Campaign, document: dict[str, Any] | None) -> list[charts.TrendPoint]:
    """Every campaign of the organisation on a bank with the same slug, oldest first, each at
    its own whole-campaign stage score from its own snapshot; `document` is the campaign's
    own whole-campaign document when it is already at hand (None in a filtered view). A fixed
    number of queries, however many campaigns."""
    campaigns = [
        c
        for c in Campaign.objects.filter(
            organization_id=campaign.organization_id,
            bank_version__bank_id=campaign.bank_version.bank_id,
        )
        .exclude(status=Campaign.Status.DRAFT)
        .select_related("bank_version__bank", "organization")
        .order_by("created")
    ]
    snapshots = campaign_snapshots(c for c in campaigns if document is None or c.pk != campaign.pk)
    points = []
    for other in campaigns:
        figures = (
            document
            if document is not None and other.pk == campaign.pk
            else snapshots[other.pk].document
        )
        when = other.closed_at or other.created
        points.append(
            charts.TrendPoint(
                campaign=other.slug,
                label=f"{other.name} ({date_format(when, 'YEAR_MONTH_FORMAT')})",
                stage=figures["overall"]["stage"],
                stage_score=figures["overall"]["stage_score"],
            )
        )
    return points


def comments(campaign: Campaign, snapshot: ScoreSnapshot) -> dict[str, list[dict[str, str]]]:
    """Respondents' comments per question, from the view's group only (rule 8e), each
    labelled with the protected function and team (a label only where that group is shown);
    sorted by text, so comments cannot be linked to one another by their order. The
    snapshot carries the privacy decision; one query."""
    doc = snapshot.document
    if doc["overall"].get("suppressed"):
        return {}
    view = doc["view"]
    protection = protection_of(snapshot)
    result: dict[str, list[dict[str, str]]] = {}
    rows = (
        Answer.objects.filter(
            response__campaign=campaign,
            response__submitted_at__isnull=False,
            response__discarded_at__isnull=True,
        )
        .exclude(comment="")
        .values_list(
            "question__key",
            "comment",
            "response__function",
            "response__team__slug",
            "response__site__slug",
        )
    )
    for key, text, function, team, site in rows:
        real = (function, team or ANY, site or ANY)
        p_function, p_team, p_site = protection.get(real, (ANY, ANY, ANY))
        if (view["site"] and p_site != view["site"]) or (
            view["function"] and p_function != view["function"]
        ):
            continue
        result.setdefault(key, []).append(
            {
                "text": text,
                "function": charts.function_name(p_function) if p_function != ANY else "",
                "team": p_team if p_team != ANY else "",
            }
        )
    for items in result.values():
        items.sort(key=lambda item: (item["text"], item["function"], item["team"]))
    return result


def dashboard_context(
    campaign: Campaign, score_filter: ScoreFilter = EVERYONE, language: str | None = None
) -> dict[str, Any]:
    """The figures, charts and sentences of a campaign's view; the bank's texts in
    `language` where it has them (the caller speaks that language for the rest)."""
    snapshot = campaign_snapshot(campaign, score_filter)
    doc = snapshot.document
    labels = labels_for(campaign, language)
    minimum = doc["settings"]["min_group_size"]
    submitted = doc["respondents"]["submitted"]
    overall = doc["overall"]
    context: dict[str, Any] = {
        "doc": doc,
        "labels": labels,
        "filter": score_filter,
        "submitted": submitted,
        # A filter whose group is suppressed shows its count and nothing else (rule 8d).
        "suppressed_view": bool(overall.get("suppressed")),
        "view_answered": overall["answered"],
        "thin": submitted < minimum or bool(overall.get("suppressed")),
        "minimum": minimum,
        "low_rate": LOW_RATE,
    }
    if context["thin"]:
        return context

    baseline = find_baseline(campaign)
    baseline_doc = (
        campaign_snapshot(baseline, score_filter).document if baseline is not None else None
    )
    if baseline_doc is not None and baseline_doc["overall"].get("suppressed"):
        baseline_doc = None
    agreed = {
        a.question.key: a
        for a in AgreedAnswer.objects.filter(campaign=campaign).select_related("question", "choice")
    }
    divergent = doc["divergent_questions"][:MAX_DIVERGENT_SHOWN]
    dims = overall["dimensions"]
    strongest, weakest = strongest_and_weakest(doc, labels)
    chart_list = [
        Chart("dimensions", charts.dimension_bars(doc, labels)),
        Chart("radar", charts.radar(doc, labels)),
    ]
    optional = [
        ("gaps", charts.gap_bars(doc, labels)),
        ("teams", charts.heatmap(doc["by_team"], labels.teams, labels, "teams", minimum)),
        ("sites", charts.heatmap(doc["by_site"], labels.sites, labels, "sites", minimum)),
        (
            "progress",
            charts.progress_bars(
                doc,
                baseline_doc,
                labels,
                {c.slug: c.name for c in (campaign, baseline) if c is not None},
            ),
        ),
        (
            "trend",
            charts.trend_line(
                trend_points := trend(campaign, doc if score_filter.is_campaign else None),
                "" if score_filter.is_campaign else _(" (the whole organisation)"),
            ),
        ),
    ]
    initiatives = roadmap.rows(Initiative.objects.filter(campaign=campaign), labels)
    worked = roadmap.did_it_work(
        list(Initiative.objects.filter(campaign=baseline)) if baseline is not None else [],
        doc,
        baseline_doc,
        labels,
    )
    optional.append(("matrix", charts.impact_effort(initiatives)))
    chart_list += [Chart(name, figure) for name, figure in optional if figure is not None]
    notes = comments(campaign, snapshot)
    divergent_charts = []
    choice_texts = {key: dict(choices) for key, choices in labels.choices.items()}
    for key in divergent:
        figure = charts.distribution_bars(key, snapshot.distributions.get(key, {}), labels)
        divergent_charts.append(
            {
                "key": key,
                "text": labels.questions.get(key, key),
                "stats": doc["questions"][key],
                "chart": Chart(f"q-{key}", figure) if figure is not None else None,
                "agreed": agreed.get(key),
                "agreed_choice": agreed_choice(agreed.get(key), choice_texts),
                "comments": notes.get(key, []),
            }
        )
    progress = doc.get("progress") or {}
    context.update(
        {
            "charts": {chart.id: chart for chart in chart_list},
            "why": why_not_next(doc, labels),
            "ladder": ladder(doc, labels),
            "stage_name": labels.stages.get(overall["stage"], "")
            if overall["stage"] is not None
            else "",
            "largest_gap": largest_gap(doc, labels),
            "dont_know": dont_know(doc, labels),
            "decisions": decision_matrix(doc, labels, _agreed_decisions(agreed)),
            "recommendations": [
                {
                    **r,
                    # The roadmap's numbers of the initiatives aimed at this dimension.
                    "on_roadmap": [
                        i["number"]
                        for i in initiatives
                        if r["dimension"] in i["initiative"].dimensions
                    ],
                }
                for r in recommendations(doc, labels)
            ],
            "initiatives": initiatives,
            "did_it_work": worked,
            "did_it_work_summary": roadmap.summary(worked),
            "divergent": divergent_charts,
            "comments": [
                {"key": key, "text": labels.questions.get(key, key), "items": notes[key]}
                for key in labels.questions
                if key in notes
            ],
            "trend_points": trend_points,
            "divergent_total": len(doc["divergent_questions"]),
            "strongest": strongest,
            "weakest": weakest,
            "baseline": baseline,
            "baseline_doc": baseline_doc,
            "baseline_version_differs": bool(
                progress and progress["baseline_bank_version"] != doc["bank"]["version"]
            ),
            "hidden_note": hidden_note(doc, minimum),
            "agreed": agreed,
            "dimension_rows": [
                {
                    "key": k,
                    "name": labels.dimension(k),
                    "lens": labels.lenses.get(k),
                    **dims[k],
                    "noise": None if dims[k]["se"] is None else 2 * dims[k]["se"],
                    "consensus": (doc["consensus"] or {}).get("dimensions", {}).get(k),
                    "gap": doc["perception_gaps"].get(k),
                    "progress": (progress.get("dimensions") or {}).get(k),
                }
                for k in labels.dimensions
            ],
            "function_rows": function_rows(doc),
        }
    )
    context["narrative"] = findings_narrative(
        context, campaign.organization.name, baseline.name if baseline is not None else None
    )
    return context


def agreed_choice(
    agreed: AgreedAnswer | None, choice_texts: Mapping[str, Mapping[str, str]]
) -> str:
    """An agreed answer's choice in the labels' language ("" without a choice)."""
    if agreed is None or agreed.choice is None:
        return ""
    return choice_texts.get(agreed.question.key, {}).get(agreed.choice.key, agreed.choice.text)


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


def _agreed_decisions(agreed: Mapping[str, AgreedAnswer]) -> dict[str, str]:
    """Who the workshop agreed decides, per decision question (NA: does not apply)."""
    return {
        key: a.decision or NA
        for key, a in agreed.items()
        if a.decision or (a.is_na and a.question.kind == Question.Kind.DECISION)
    }


def consensus_context(
    campaign: Campaign, extra: str | None = None, language: str | None = None
) -> dict[str, Any]:
    """The divergent questions with each function's answers as shares, the answers agreed so
    far, the question the workshop is on (`extra`), and the parking lot; the bank's texts in
    `language` where it has them."""
    snapshot = campaign_snapshot(campaign)
    doc = snapshot.document
    labels = labels_for(campaign, language)
    agreed = {
        a.question.key: a
        for a in AgreedAnswer.objects.filter(campaign=campaign).select_related("question", "choice")
    }
    keys = list(doc["divergent_questions"])
    if extra and labels.choices.get(extra) and extra not in keys:  # scored: it has choices
        keys.insert(0, extra)
    keys += sorted(
        k for k, a in agreed.items() if k not in keys and a.question.kind == Question.Kind.SCORED
    )
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
                    "name": charts.function_name(function),
                    "total": total,
                    "shares": [
                        # N/A and Don't know always have a column: the shares add up.
                        {"key": c, "share": round(100 * counts.get(c, 0) / total)}
                        for c in [*(key for key, _text in choices), NA, DK]
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
    # The decisions IT and OT disagree on (rule 15 `disputed`), and those agreed earlier.
    matrix = decision_matrix(doc, labels, _agreed_decisions(agreed))
    decisions = [
        {
            **row,
            "shares": [
                {"label": DECISION_TAP[answer], "share": round(100 * share)}
                for answer, share in (doc["decisions"][row["key"]]["shares"] or {}).items()
            ],
            "allow_na": row["key"] in allow_na,
            "recorded": agreed.get(row["key"]),
        }
        for row in (matrix["rows"] if matrix else [])
        if row["disputed"] or row["key"] in agreed
    ]
    return {
        "items": items,
        "decisions": decisions,
        "has_decisions": matrix is not None,
        "who_decides": [(key, DECISION_TEXT[key]) for key in DECISION_LABELS],
        "consensus": doc["consensus"],
        "labels": labels,
        "notes": list(campaign.notes.filter(hidden=False).select_related("created_by")),
        "colours": charts.STAGE_COLOURS,
    }
