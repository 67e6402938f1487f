"""The consultant's preview of the survey (issue 17, point 7): every page as a respondent of
a function sees it, nothing saved."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Answer, Question, Response
from tests import builders
from tests.html import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    # Open, as builders make them: the preview reads only the bank, whatever the status.
    return builders.campaign(workspace, version=builders.default_bank())


def test_every_page_as_a_function_sees_it_and_nothing_saved(client, owner, campaign):
    client.force_login(owner)
    url = reverse("assessments:campaign-preview", args=[campaign.slug])
    questions = Question.objects.filter(version=campaign.bank_version)
    for function in ("it", "ot", "business"):
        asked = [q for q in questions.in_survey_order() if q.asked_of(function)]
        seen, page = [], 1
        while True:
            html = client.get(url, {"function": function, "page": page}).content.decode()
            keys = [q.key for q in asked if f'id="q-{q.key}"' in html]
            seen += keys
            if "?function=" + function + "&amp;page=" + str(page + 1) not in html:
                break
            page += 1
        assert seen == [q.key for q in asked], function  # every question, once, in order
    text = visible_text(client.get(url).content.decode())
    assert "Preview" in text and "Nothing you choose here is saved" in text
    assert "data-answer-url" not in client.get(url).content.decode()  # nothing to send to
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_odd_pages_and_functions_land_on_a_real_page(client, owner, campaign):
    client.force_login(owner)
    url = reverse("assessments:campaign-preview", args=[campaign.slug])
    for params in ({"page": "999"}, {"page": "-3"}, {"page": "x"}, {"function": "ceo"}):
        assert "Part " in visible_text(client.get(url, params).content.decode()), params


def test_outsiders_get_404(client, outsider, campaign):
    client.force_login(outsider)
    assert (
        client.get(reverse("assessments:campaign-preview", args=[campaign.slug])).status_code == 404
    )


def test_a_fixed_number_of_queries(client, owner, campaign):
    client.force_login(owner)
    url = reverse("assessments:campaign-preview", args=[campaign.slug])
    client.get(url)
    counts = []
    for page in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {"page": page})
        counts.append(len(queries))
    assert counts[0] == counts[1] == 4  # the bank's questions come from the per-process copy
