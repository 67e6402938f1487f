"""The executive PDF report: the dashboard's figures and charts, laid out for print.

One code path for the download button and `manage.py report`: `campaign_report_pdf`. The
charts are the dashboard's plotly figures, drawn to SVG by kaleido through Debian's Chromium
(`chart_render`: one browser per worker process, started on first use); without Chromium the report
still renders, with a note where each chart would be. The PDF is stored and served again until
its fingerprint (scores, agreed answers, settings, branding) changes.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import markdown
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import Campaign, Initiative, ParkingNote, ReportFile, WorkshopVote
from assessments.outputs import chart_render
from assessments.outputs.dashboard import Chart, agreed_choice, dashboard_context
from assessments.outputs.pdf_render import CHART_PREFIX, RenderError, render_pdf_limited
from assessments.selectors.scores import campaign_snapshot, find_baseline
from assessments.selectors.workshops import discussion_record

FAILED_REPORT_SECONDS = 600  # how long a failed report is answered at once
logger = logging.getLogger(__name__)

CHART_WIDTH = 760
METHODOLOGY_PATH = Path(settings.BASE_DIR) / "docs" / "methodology.md"
# The appendix in the report's language: docs/methodology.<language>.md where it exists.
METHODOLOGIES = sorted(METHODOLOGY_PATH.parent.glob("methodology*.md"))

REPORT_VERSION = 1  # bump when report.py changes what goes into a report
# The layout is part of a stored PDF's fingerprint: a changed template makes PDFs again.
_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "report"
LAYOUT_HASH = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted(_TEMPLATES.glob("*.html")))
    + b"".join(p.read_bytes() for p in METHODOLOGIES)
    # The report's words: a changed translation makes PDFs again.
    + b"".join(p.read_bytes() for p in sorted(Path(settings.BASE_DIR).glob("locale/*/*/*.mo")))
    # The code that draws and words it (charts, findings, the roadmap): a new release too.
    + b"".join(p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py")))
).hexdigest()[:16]


def methodology_path(language: str) -> Path:
    own = METHODOLOGY_PATH.with_name(f"methodology.{language}.md")
    return own if own.exists() else METHODOLOGY_PATH


# What the client's appendix leaves out of docs/methodology.md, which also serves developers:
# the rule numbers the code cites, the paragraphs about the contract and the code, and the
# closing chapter on readings where the contract is silent.
_RULE_NUMBERS = re.compile(
    r"\s*\([^()]*\b(?:rules?|Regeln?) [0-9][^()]*\)|\s(?:under|nach) (?:rule|Regel) [0-9]+[a-z]?"
)
_DEVELOPER_CHAPTERS = ("## Readings where the contract is silent", "## Lesarten, wo der Vertrag")


def client_methodology(language: str) -> str:
    """docs/methodology(.<language>).md for a client: the rules in plain words, without
    rule numbers, contract jargon or the chapter for developers."""
    text = methodology_path(language).read_text(encoding="utf-8")
    for heading in _DEVELOPER_CHAPTERS:
        if heading in text:
            text = text[: text.index(heading)]
    title = text.split("\n", 1)[0]  # the page's heading; its introduction is for developers
    body = "## " + text.split("\n## ", 1)[1]
    intro = _(
        "This is how every number in this report is made: the rules in plain words, each with "
        "a small example, so that any figure can be traced back to the answers behind it."
    )
    return _RULE_NUMBERS.sub("", f"{title}\n\n{intro}\n\n{body}")


def chromium_available() -> bool:
    return Path(settings.CHROMIUM_PATH).exists()


def figure_svg(figure: Any) -> str | None:
    """SVG of a plotly figure, or None when no Chromium is installed."""
    if not chromium_available():
        return None
    height = figure.layout.height or 420
    try:
        return chart_render.renderer(settings.CHROMIUM_PATH).svg(figure, CHART_WIDTH, height)
    except Exception as exc:
        logger.exception("kaleido could not draw a chart")
        raise RenderError(f"a chart could not be drawn ({type(exc).__name__})") from exc


def _logo_uri(campaign: Campaign) -> str | None:
    logo = campaign.organization.workspace.logo
    if not logo:
        return None
    try:
        with logo.open("rb") as handle:
            data = handle.read(500 * 1024 + 1)
    except OSError:
        logger.warning(
            "The logo of workspace %s could not be read", campaign.organization.workspace_id
        )
        return None
    kind = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}.get(
        logo.name.rsplit(".", 1)[-1].lower()
    )
    if len(data) > 500 * 1024 or kind is None:
        return None  # too large, or an SVG stored before only raster logos were taken
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def report_context(campaign: Campaign, language: str | None = None) -> dict[str, Any]:
    """What the report shows, the bank's texts in `language` (by default the campaign's
    report language); the caller speaks it for the rest (`report_document`)."""
    language = report_language(campaign, language)
    context = dashboard_context(campaign, language=language)
    context["language"] = language
    context["campaign"] = campaign
    context["organization"] = campaign.organization
    context["workspace"] = campaign.organization.workspace
    context["generated"] = timezone.now()
    context["logo"] = _logo_uri(campaign)
    # One level down: the appendix's own heading is the chapter's h1.
    methodology = markdown.markdown(client_methodology(language), extensions=["tables"])
    for level in (3, 2, 1):
        methodology = methodology.replace(f"<h{level}", f"<h{level + 1}").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    context["methodology"] = methodology
    # Charts are named here and drawn while the PDF renders (`render_pdf_limited`).
    figures: list[tuple[str, Any]] = []
    if chromium_available():
        charts: dict[str, Chart] = context.get("charts", {})
        figures += [(f"{key}.svg", chart.figure) for key, chart in charts.items()]
        context["svgs"] = {key: f"{CHART_PREFIX}{key}.svg" for key in charts}
        for number, item in enumerate(context.get("divergent", [])):
            if item["chart"]:
                figures.append((f"divergent-{number}.svg", item["chart"].figure))
                item["svg"] = f"{CHART_PREFIX}divergent-{number}.svg"
    context["figures"] = figures
    context["chromium"] = chromium_available()
    doc = context["doc"]
    labels = context["labels"]
    stage = doc["overall"]["stage"]
    context["stage_rows"] = [
        {
            "level": level,
            "name": labels.stages.get(level, ""),
            "summary": labels.summaries.get(level, ""),
            "current": level == stage,
        }
        for level in sorted(labels.stages, reverse=True)
    ]
    context["gap_rows"] = sorted(
        (
            row
            for row in context.get("dimension_rows", [])
            if row["gap"] and row["gap"]["gap"] is not None
        ),
        key=lambda row: -abs(row["gap"]["gap"]),
    )
    context["notes"] = list(
        ParkingNote.objects.filter(campaign=campaign, hidden=False).annotate(
            upvote_count=Count("upvotes")
        )
    )
    context["discussion"] = discussion_record(campaign)
    choice_texts = {key: dict(choices) for key, choices in labels.choices.items()}
    context["agreed_rows"] = [
        {
            "key": a.question.key,
            "text": labels.questions.get(a.question.key, a.question.text),
            "is_na": a.is_na,
            "decision": a.decision,
            "choice": agreed_choice(a, choice_texts),
            "note": a.note,
            "dissent": a.dissent,
        }
        for a in sorted(context.get("agreed", {}).values(), key=lambda a: a.question.key)
    ]
    context["question_rows"] = [
        {"key": key, "text": labels.questions.get(key, key), **figures}
        for key, figures in doc["questions"].items()
        if key not in campaign.left_out  # not asked (one site): said above the table
    ]
    context["team_rows"] = [
        (labels.teams.get(slug, slug), group) for slug, group in doc["by_team"].items()
    ]
    context["site_rows"] = [
        (labels.sites.get(slug, slug), group) for slug, group in doc["by_site"].items()
    ]
    return context


@dataclass(frozen=True)
class ReportDocument:
    html: str
    figures: list[tuple[str, Any]]  # (name, plotly figure), in the order the report shows them

    def chart_jobs(self) -> list[tuple[str, Callable[[], bytes]]]:
        """(name, draw) pairs for `render_pdf_limited`."""
        return [(name, partial(_figure_bytes, figure)) for name, figure in self.figures]


def _figure_bytes(figure: Any) -> bytes:
    return (figure_svg(figure) or "").encode()


def report_language(campaign: Campaign, language: str | None = None) -> str:
    """`language` when the interface speaks it, else the campaign's report language."""
    offered = [code for code, _name in settings.LANGUAGES]
    return language if language in offered else campaign.report_language


def report_document(campaign: Campaign, language: str | None = None) -> ReportDocument:
    language = report_language(campaign, language)
    with translation.override(language):
        context = report_context(campaign, language)
        html = render_to_string("report/report.html", context)
    return ReportDocument(html, context["figures"])


def report_fingerprint(campaign: Campaign, language: str | None = None) -> str:
    snapshot = campaign_snapshot(campaign)
    workspace = campaign.organization.workspace
    material = "|".join(
        [
            str(REPORT_VERSION),
            LAYOUT_HASH,
            report_language(campaign, language),
            snapshot.fingerprint,
            campaign.name,
            campaign.organization.name,
            # The teams' and sites' names label the heatmaps and tables.
            str(list(campaign.organization.teams.order_by("pk").values_list("pk", "name"))),
            str(list(campaign.organization.sites.order_by("pk").values_list("pk", "name"))),
            workspace.name,
            workspace.brand_colour,
            workspace.paper_size,
            workspace.logo.name if workspace.logo else "",
            str(chromium_available()),
            # Parking-lot notes change no score, but the report lists them.
            str(
                list(
                    ParkingNote.objects.filter(campaign=campaign, hidden=False)
                    .annotate(n=Count("upvotes"))
                    .values_list("pk", "text", "answered", "n")
                )
            ),
            # The roadmap (this campaign's and the baseline's, for "did it work") neither.
            str(
                list(
                    Initiative.objects.filter(
                        campaign__in=[campaign, find_baseline(campaign) or campaign]
                    ).values_list("pk", "updated")
                )
            ),
            # Workshop votes change no score either; the discussion chapter shows them.
            str(
                WorkshopVote.objects.filter(session__workshop__campaign=campaign).aggregate(
                    n=Count("id"), latest=Max("updated")
                )
            ),
        ]
    )
    return hashlib.sha256(material.encode()).hexdigest()


def campaign_report_pdf(campaign: Campaign, language: str | None = None) -> bytes:
    """The campaign's PDF in `language` (by default its report language): stored, and made
    again only when its fingerprint changes."""
    fingerprint = report_fingerprint(campaign, language)
    stored = ReportFile.objects.filter(campaign=campaign).first()
    if stored is not None and stored.fingerprint == fingerprint:
        return bytes(stored.pdf)
    # A report that failed fails again at once for a while, instead of holding a worker for
    # the whole time limit at every click (its inputs are the same: the fingerprint).
    failed = f"report-failed:{fingerprint}"
    if (reason := cache.get(failed)) is not None:
        raise RenderError(reason)
    document = report_document(campaign, language)
    try:
        pdf = render_pdf_limited(
            document.html, {}, settings.REPORT_TIME_LIMIT, charts=document.chart_jobs()
        )
    except RenderError as exc:
        cache.set(failed, str(exc), FAILED_REPORT_SECONDS)
        raise
    try:
        with transaction.atomic():
            ReportFile.objects.update_or_create(
                campaign=campaign, defaults={"fingerprint": fingerprint, "pdf": pdf}
            )
    except IntegrityError:
        pass  # another request stored the same report at the same moment
    return pdf


def report_prerender(campaign_id: int, language: str = "") -> str:
    """Render and store a campaign's report (in `language`, by default its report language)
    ahead of its download: a background job, when its figures settle (on closing, and after
    a quiet period: services/reports.py), so the executive who clicks gets it at once."""
    campaign = (
        Campaign.objects.select_related("organization__workspace", "bank_version__bank")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        return "skipped: no such campaign"
    from assessments.services.reports import settled

    language = language or campaign.report_language
    if not campaign.is_closed and not settled(campaign.pk, language):
        return "postponed: answers are still arriving"
    stored = ReportFile.objects.filter(campaign=campaign).values_list("fingerprint", flat=True)
    if stored.first() == report_fingerprint(campaign, language):
        return "cached already"
    try:
        campaign_report_pdf(campaign, language)
    except RenderError as exc:
        return f"failed: {exc}"
    return "rendered"
