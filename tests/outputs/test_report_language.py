"""Reports in the client's language (docs/languages.md): the PDF and the deck in the campaign's
report language or the one asked for, the bank's texts from its translations, numbers written
the German way, and every figure the same as in English."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from pptx import Presentation
from pypdf import PdfReader

from assessments.formatting import places
from assessments.models import Campaign
from assessments.outputs import report
from assessments.outputs.deck import campaign_deck
from assessments.selectors.scores import campaign_scores

pytestmark = pytest.mark.django_db
NO_CHROMIUM = override_settings(CHROMIUM_PATH="/nonexistent/chromium")
DECIMAL = {
    "en": re.compile(r"(?<![\d.,])-?\d+\.\d+(?![\d.,]*\d)"),
    "de": re.compile(r"(?<![\d.,])-?\d+,\d+(?![\d.,]*\d)"),
}
APPENDIX_A = {"en": "Appendix A: Methodology", "de": "Anhang A: Methodik"}


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _figures(pdf: bytes, language: str) -> Counter[str]:
    """Every decimal the report shows outside the methodology appendix (whose running header
    names it), written the English way."""
    found: Counter[str] = Counter()
    for text in _pages(pdf):
        if APPENDIX_A[language] in text:  # the appendix's pages, and the contents
            continue
        text = re.sub(r"Industr\w+[- ]4\.0", "", text)  # a name, not a figure
        found.update(number.replace(",", ".") for number in DECIMAL[language].findall(text))
    return found


@NO_CHROMIUM
def test_the_german_pdf_shows_the_english_pdfs_figures(demo):
    english = report.campaign_report_pdf(demo, "en")
    german = report.campaign_report_pdf(demo, "de")
    assert _figures(german, "de") == _figures(english, "en")
    assert sum(_figures(german, "de").values()) > 200  # the tables, not a title page
    text = re.sub(r"\s+", " ", " ".join(_pages(german)))
    overall = campaign_scores(demo)["overall"]
    with translation.override("de"):
        score = places(overall["stage_score"])
    assert f"Stufenwert {score} von 3 · {overall['percent_to_target']:.0%}"[:-1] + " %" in text
    assert (
        "Zusammenfassung für die Geschäftsleitung" in text
        and "Anhang B: Ergebnisse je Frage" in text
    )
    for english_heading in ("Executive summary", "Scores against targets", "Where people disagree"):
        assert english_heading not in text
    # The bank's own texts come from its German translation: stage names, dimension names.
    assert "Einzelne Projektteams" in text and "Organisation und Zusammenarbeit" in text


@NO_CHROMIUM
def test_the_campaigns_report_language_is_the_default_and_the_download_can_ask(demo):
    Campaign.objects.filter(pk=demo.pk).update(report_language="de")
    demo.refresh_from_db()
    client = Client()
    client.force_login(get_user_model().objects.get(username="consultant"))
    url = reverse("assessments:campaign-report", args=[demo.slug])
    german = client.get(url)
    assert german["Content-Disposition"] == 'attachment; filename="acme-2026-report-de.pdf"'
    assert "Inhalt" in _pages(german.content)[1]
    english = client.get(url + "?language=en")
    assert english["Content-Disposition"] == 'attachment; filename="acme-2026-report.pdf"'
    assert "Contents" in _pages(english.content)[1]
    # A language the interface does not speak falls back to the campaign's.
    assert client.get(url + "?language=xx")["Content-Disposition"].endswith('-de.pdf"')


def test_the_german_deck_has_the_english_decks_chart_data(demo):
    def charts(deck: bytes) -> list[list[tuple[float | None, ...]]]:
        shapes = [s for slide in Presentation(io.BytesIO(deck)).slides for s in slide.shapes]
        return [
            [tuple(series.values) for series in shape.chart.plots[0].series]
            for shape in shapes
            if shape.has_chart
        ]

    def words(deck: bytes) -> str:
        shapes = [s for slide in Presentation(io.BytesIO(deck)).slides for s in slide.shapes]
        return " ".join(s.text_frame.text for s in shapes if s.has_text_frame)

    english, german = campaign_deck(demo, "en"), campaign_deck(demo, "de")
    assert charts(german) == charts(english) and charts(english)
    text = words(german)
    overall = campaign_scores(demo)["overall"]
    with translation.override("de"):
        assert f"Stufenwert {places(overall['stage_score'])}" in text
    from tests.files.test_exports import _title

    titles = [_title(slide) for slide in list(Presentation(io.BytesIO(german)).slides)[1:]]
    assert titles[0] == "Stufe 1: Einzelne Projektteams" and titles[-3:] == [
        "Fahrplan",
        "2 von 4 Initiativen versprechen mehr Wirkung als Aufwand",
        "2 von 3 Initiativen haben eine ihrer Dimensionen über das Rauschen hinaus bewegt.",
    ]
    assert "65 % des Wegs zu den Zielen" in titles
