"""Downloads: the PDF report, the spreadsheet exports and the PowerPoint deck."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from assessments import access, audit
from assessments.files import exports
from assessments.models import Campaign
from assessments.outputs.deck import campaign_deck
from assessments.outputs.pdf_render import RenderError
from assessments.outputs.report import campaign_report_pdf, report_language
from assessments.outputs.word import campaign_word

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def attachment(
    body: bytes, content_type: str, filename: str, *, store: bool = True
) -> HttpResponse:
    """A download; `store=False` keeps client data out of shared and browser caches."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if not store:
        response["Cache-Control"] = "private, no-store"
    return response


def _language(request: HttpRequest, campaign: Campaign) -> tuple[str, str]:
    """The report language asked for (?language=de) or the campaign's, and the file name's
    suffix for it ("" for English, "-de")."""
    language = report_language(campaign, request.GET.get("language"))
    return language, "" if language == "en" else f"-{language}"


@login_required
def campaign_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The executive PDF: the same document as `manage.py report`, in the campaign's report
    language or the one asked for (?language=de)."""
    campaign = access.get_campaign_for_user(request, slug, manage=False)
    language, suffix = _language(request, campaign)
    try:
        pdf = campaign_report_pdf(campaign, language)
    except RenderError as exc:
        return render(
            request,
            "assessments/report_failed.html",
            {"campaign": campaign, "problem": str(exc)},
            status=503,
        )
    audit.record(campaign, "report", language=language)
    return attachment(pdf, "application/pdf", f"{campaign.slug}-report{suffix}.pdf")


@login_required
def campaign_export(request: HttpRequest, slug: str, kind: str, fmt: str) -> HttpResponse:
    """Spreadsheet exports. Client viewers get the aggregated ones (scores, results per
    question); raw answers are for the consultancy's members only."""
    if kind not in exports.KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    campaign = access.get_campaign_for_user(request, slug, manage=kind not in exports.AGGREGATED)
    body, content_type = exports.export(campaign, kind, fmt)
    audit.record(campaign, "export", kind=kind, fmt=fmt)
    return attachment(body, content_type, f"{campaign.slug}-{kind}.{fmt}", store=False)


@login_required
def campaign_deck_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The editable PowerPoint deck (consultants: they restyle it for their client)."""
    campaign = access.get_campaign_for_user(request, slug)
    language, suffix = _language(request, campaign)
    deck = campaign_deck(campaign, language)
    audit.record(campaign, "deck", language=language)
    return attachment(deck, PPTX, f"{campaign.slug}{suffix}.pptx", store=False)


@login_required
def campaign_word_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The report as an editable Word document (consultants: they edit and rebrand it)."""
    campaign = access.get_campaign_for_user(request, slug)
    language, suffix = _language(request, campaign)
    body = campaign_word(campaign, language)
    audit.record(campaign, "word", language=language)
    return attachment(body, DOCX, f"{campaign.slug}-report{suffix}.docx", store=False)
