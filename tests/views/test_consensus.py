"""The workshop's consensus page: agreed answers (rule 14) and the parking lot."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import AgreedAnswer, Campaign, ParkingNote
from assessments.selectors.scores import campaign_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="consultant"))
    return client


def url() -> str:
    return reverse("assessments:campaign-consensus", args=["acme-2026"])


def test_page_shows_divergent_questions_with_it_and_ot_side_by_side(logged_in):
    doc = campaign_scores(Campaign.objects.get(slug="acme-2026"))
    html = logged_in.get(url()).content.decode()
    for key in doc["divergent_questions"]:
        assert f'id="q-{key}"' in html
    first = doc["divergent_questions"][0]
    section = html.split(f'id="q-{first}"')[1].split("</section>")[0]
    assert "IT <span" in section and "OT <span" in section


def test_recording_an_agreed_answer_updates_the_consensus_score(logged_in):
    campaign = Campaign.objects.get(slug="acme-2026")
    before = campaign_scores(campaign)["consensus"]["dimensions"]["infrastructure"]
    response = logged_in.post(
        url(), {"question": "INF-4", "answer": "3", "note": "Gateways exist", "dissent": ""}
    )
    assert response["Location"].endswith("#q-INF-4")
    agreed = AgreedAnswer.objects.get(campaign=campaign, question__key="INF-4")
    assert (agreed.choice.key, agreed.note) == ("3", "Gateways exist")
    after = campaign_scores(Campaign.objects.get(pk=campaign.pk))
    assert after["consensus"]["dimensions"]["infrastructure"] > before
    # The survey's own score is unchanged (rule 14).
    assert (
        after["overall"]["dimensions"]["infrastructure"]["score"]
        == campaign_scores(campaign)["overall"]["dimensions"]["infrastructure"]["score"]
    )


def test_bad_agreed_answer_is_refused_with_a_message(logged_in):
    response = logged_in.post(url(), {"question": "INF-4", "answer": "9"}, follow=True)
    assert "&quot;9&quot; is not a choice of INF-4" in response.content.decode()
    assert not AgreedAnswer.objects.filter(question__key="INF-4").exists()


def test_parking_lot_notes_reach_the_report(logged_in, settings):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    logged_in.post(url(), {"action": "note", "text": "Budget for the OT firewall refresh"})
    assert ParkingNote.objects.get().text == "Budget for the OT firewall refresh"
    empty = logged_in.post(url(), {"action": "note", "text": "  "}, follow=True)
    assert "text: write the note first" in empty.content.decode()
    pdf = logged_in.get(reverse("assessments:campaign-report", args=["acme-2026"])).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Appendix D: Workshop parking lot" in text
    assert "Budget for the OT firewall refresh" in text


def test_client_viewer_cannot_record(client, demo):
    from assessments.models import ClientViewer, Organization
    from tests import builders

    viewer = builders.user("cio")
    ClientViewer.objects.create(user=viewer, organization=Organization.objects.get(slug="acme"))
    client.force_login(viewer)
    assert client.post(url(), {"question": "INF-4", "answer": "3"}).status_code == 403


def test_current_workshop_question_can_be_agreed_before_anyone_submits(client, workspace, owner):
    from tests import builders

    org = builders.organization(workspace, slug="globex")  # beside the demo's acme
    campaign = builders.campaign(
        workspace, slug="globex-2026", org=org, version=builders.default_bank()
    )
    client.force_login(owner)
    page = client.get(
        reverse("assessments:campaign-consensus", args=[campaign.slug]), {"question": "COL-1"}
    ).content.decode()
    assert 'id="a-COL-1"' in page
    assert "once enough people in a function have submitted" in page
