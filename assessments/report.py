"""The executive PDF report: the dashboard's figures and charts, laid out for print.

One code path for the download button and `manage.py report`: `campaign_report_pdf`. The
charts are the dashboard's plotly figures, drawn to SVG by kaleido through Debian's Chromium
(one kaleido server per worker process, started on first use); without Chromium the report
still renders, with a note where each chart would be. The PDF is stored and served again until
its fingerprint (scores, agreed answers, settings, branding) changes.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import markdown
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .dashboard import Chart, dashboard_context
from .models import Campaign, ParkingNote, ReportFile, Stage
from .pdf_render import render_pdf_limited
from .selectors import campaign_snapshot

logger = logging.getLogger(__name__)

CHART_WIDTH = 760
METHODOLOGY_PATH = Path(settings.BASE_DIR) / "docs" / "methodology.md"

REPORT_VERSION = 1  # bump when report.py changes what goes into a report
# The layout is part of a stored PDF's fingerprint: a changed template makes PDFs again.
_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "report"
LAYOUT_HASH = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted(_TEMPLATES.glob("*.html")))
    + METHODOLOGY_PATH.read_bytes()
).hexdigest()[:16]
_kaleido_lock = threading.Lock()
_kaleido_started = False


def chromium_available() -> bool:
    return Path(settings.CHROMIUM_PATH).exists()


def figure_svg(figure: Any) -> str | None:
    """SVG of a plotly figure, or None when no Chromium is installed."""
    global _kaleido_started
    if not chromium_available():
        return None
    import kaleido

    with _kaleido_lock:
        if not _kaleido_started:
            os.environ.setdefault("BROWSER_PATH", settings.CHROMIUM_PATH)
            kaleido.start_sync_server(silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)  # no stray Chromium
            _kaleido_started = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "kopts is ignored if using a server"
            height = figure.layout.height or 420
            data = figure.to_image(format="svg", width=CHART_WIDTH, height=height)
    return data.decode() if isinstance(data, bytes) else str(data)


def _data_uri(svg: str | None) -> str | None:
    if svg is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


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
    if len(data) > 500 * 1024:
        return None
    kind = {"svg": "image/svg+xml", "png": "image/png"}.get(
        logo.name.rsplit(".", 1)[-1].lower(), "image/jpeg"
    )
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def report_context(campaign: Campaign) -> dict[str, Any]:
    context = dashboard_context(campaign)
    context["campaign"] = campaign
    context["organization"] = campaign.organization
    context["workspace"] = campaign.organization.workspace
    context["generated"] = timezone.now()
    context["logo"] = _logo_uri(campaign)
    # One level down: the appendix's own heading is the chapter's h1.
    methodology = markdown.markdown(
        METHODOLOGY_PATH.read_text(encoding="utf-8"), extensions=["tables"]
    )
    for level in (3, 2, 1):
        methodology = methodology.replace(f"<h{level}", f"<h{level + 1}").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    context["methodology"] = methodology
    charts: dict[str, Chart] = context.get("charts", {})
    context["svgs"] = {key: _data_uri(figure_svg(chart.figure)) for key, chart in charts.items()}
    for item in context.get("divergent", []):
        item["svg"] = _data_uri(figure_svg(item["chart"].figure)) if item["chart"] else None
    context["chromium"] = chromium_available()
    doc = context["doc"]
    labels = context["labels"]
    stage = doc["overall"]["stage"]
    context["stage_rows"] = [
        {"level": s.level, "name": s.name, "summary": s.summary, "current": s.level == stage}
        for s in Stage.objects.filter(version=campaign.bank_version).order_by("-level")
    ]
    context["gap_rows"] = sorted(
        (row for row in context.get("dimension_rows", []) if row["gap"]["gap"] is not None),
        key=lambda row: -abs(row["gap"]["gap"]),
    )
    context["notes"] = list(ParkingNote.objects.filter(campaign=campaign))
    context["agreed_rows"] = sorted(
        context.get("agreed", {}).values(), key=lambda a: a.question.key
    )
    context["question_rows"] = [
        {"key": key, "text": labels.questions.get(key, key), **figures}
        for key, figures in doc["questions"].items()
    ]
    context["team_rows"] = [
        (labels.teams.get(slug, slug), group) for slug, group in doc["by_team"].items()
    ]
    context["site_rows"] = [
        (labels.sites.get(slug, slug), group) for slug, group in doc["by_site"].items()
    ]
    return context


def report_html(campaign: Campaign) -> str:
    return render_to_string("report/report.html", report_context(campaign))


def report_fingerprint(campaign: Campaign) -> str:
    snapshot = campaign_snapshot(campaign)
    workspace = campaign.organization.workspace
    material = "|".join(
        [
            str(REPORT_VERSION),
            LAYOUT_HASH,
            snapshot.fingerprint,
            campaign.name,
            campaign.organization.name,
            workspace.name,
            workspace.brand_colour,
            workspace.paper_size,
            workspace.logo.name if workspace.logo else "",
            str(chromium_available()),
            # Parking-lot notes change no score, but the report lists them.
            str(list(ParkingNote.objects.filter(campaign=campaign).values_list("pk", "text"))),
        ]
    )
    return hashlib.sha256(material.encode()).hexdigest()


def campaign_report_pdf(campaign: Campaign) -> bytes:
    """The campaign's PDF: stored, and made again only when its fingerprint changes."""
    fingerprint = report_fingerprint(campaign)
    stored = ReportFile.objects.filter(campaign=campaign).first()
    if stored is not None and stored.fingerprint == fingerprint:
        return bytes(stored.pdf)
    pdf = render_pdf_limited(report_html(campaign), {}, settings.REPORT_TIME_LIMIT)
    try:
        with transaction.atomic():
            ReportFile.objects.update_or_create(
                campaign=campaign, defaults={"fingerprint": fingerprint, "pdf": pdf}
            )
    except IntegrityError:
        pass  # another request stored the same report at the same moment
    return pdf
