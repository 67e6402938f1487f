"""The editable Word report: the PDF's content in Word's styles, every figure the PDF's
(compared number by number outside the methodology), in the report's language, and for the
consultancy's members only."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from docx import Document

from assessments.outputs import report
from assessments.outputs.word import campaign_word
from tests.outputs.test_report_language import APPENDIX_A, DECIMAL, _pages

pytestmark = pytest.mark.django_db
NO_CHROMIUM = override_settings(CHROMIUM_PATH="/nonexistent/chromium")
APPENDIX_B = {"en": "Appendix B: Results per question", "de": "Anhang B: Ergebnisse je Frage"}


def _word_text(body: bytes, language: str) -> tuple[str, list[str], list[str]]:
    """The document's text outside Appendix A, its headings and its paragraph styles."""
    document = Document(io.BytesIO(body))
    parts: list[str] = []
    in_appendix_a = False
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(node.text or "" for node in block.iter() if node.tag.endswith("}t"))
            if text == APPENDIX_A[language]:
                in_appendix_a = True
            elif text == APPENDIX_B[language]:
                in_appendix_a = False
            if not in_appendix_a:
                parts.append(text)
        elif in_appendix_a:
            continue
        elif tag == "tbl":
            parts.append(
                " ".join(node.text or "" for node in block.iter() if node.tag.endswith("}t"))
            )
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    styles = sorted({p.style.name for p in document.paragraphs})
    return "\n".join(parts), headings, styles


def _decimals(text: str, language: str) -> Counter[str]:
    text = re.sub(r"Industr\w+[- ]4\.0", "", text)
    return Counter(number.replace(",", ".") for number in DECIMAL[language].findall(text))


@NO_CHROMIUM
@pytest.mark.parametrize("language", ["en", "de"])
def test_the_word_report_has_the_pdfs_figures(demo, language):
    pdf = report.campaign_report_pdf(demo, language)
    pdf_figures: Counter[str] = Counter()
    for text in _pages(pdf):
        if APPENDIX_A[language] not in text:
            pdf_figures.update(_decimals(re.sub(r"Industr\w+[- ]4\.0", "", text), language))
    text, headings, styles = _word_text(campaign_word(demo, language), language)
    word = _decimals(text, language)
    # The same figures; the PDF may print one more often (a table's header row repeats on
    # every page a table runs onto, "Flagged (≥ 0.5)").
    assert set(word) == set(pdf_figures)
    assert all(word[figure] <= pdf_figures[figure] for figure in word)
    assert sum(word.values()) >= sum(pdf_figures.values()) - 3
    assert sum(pdf_figures.values()) > 200
    expected = {
        "en": ["Executive summary", "Who decides", "Scores against targets", "Roadmap"],
        "de": ["Zusammenfassung für die Geschäftsleitung", "Wer entscheidet", "Fahrplan"],
    }[language]
    assert set(expected) <= set(headings)
    assert {"Title", "Heading 1", "Heading 2", "List Number"} <= set(styles)


@NO_CHROMIUM
def test_the_word_report_is_for_the_consultancys_members(demo):
    url = reverse("assessments:campaign-word", args=[demo.slug])
    consultant = Client()
    consultant.force_login(get_user_model().objects.get(username="consultant"))
    response = consultant.get(url + "?language=de")
    assert response["Content-Disposition"] == 'attachment; filename="acme-2026-report-de.docx"'
    assert "Fahrplan" in [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    outsider = Client()
    from tests import builders

    outsider.force_login(builders.user("stranger", builders.workspace("elsewhere")))
    assert outsider.get(url).status_code == 404
