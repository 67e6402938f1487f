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
    # Every answer has a column, N/A and Don't know included: each row adds up to 100 %.
    from tests.html import table_rows

    header, *rows = table_rows(section)
    assert header[-2:] == ["N/A", "Don't know"]
    for row in rows:
        assert abs(sum(int(cell.rstrip(" %")) for cell in row[1:]) - 100) <= len(row) // 2, row


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


def test_disputed_decisions_are_walked_through_and_agreed_without_touching_a_score(logged_in):
    """Issue 17, point 2: the decisions IT and OT name different owners for (rule 15
    `disputed`) are on the consensus page; the room records who decides; no score moves."""
    from tests.html import visible_text

    campaign = Campaign.objects.get(slug="acme-2026")
    doc = campaign_scores(campaign)
    disputed = [key for key, d in doc["decisions"].items() if d["disputed"]]
    assert disputed  # the demo has some (DR-1: IT say IT decides, OT say together)
    html = logged_in.get(url()).content.decode()
    for key in disputed:
        section = visible_text(html.split(f'id="q-{key}"')[1].split("</section>")[0])
        names = {
            "it": "IT",
            "ot": "OT",
            "joint": "Together",
            "vendor": "Vendor",
            "nobody": "Nobody",
        }
        it, ot = names[doc["decisions"][key]["it_owner"]], names[doc["decisions"][key]["ot_owner"]]
        assert f"IT says: {it} · OT says: {ot}" in section, key
    # The demo's workshop settled DR-2 already; it stays on the page with what was agreed.
    assert "Agreed in the workshop: Together" in visible_text(
        html.split('id="q-DR-2"')[1].split("</section>")[0]
    )
    before = (doc["overall"]["dimensions"], doc["consensus"])
    refused = logged_in.post(url(), {"question": "DR-1", "answer": "maybe"}, follow=True)
    assert (
        '"maybe" is not an answer to who decides DR-1 (it, ot, joint, vendor, nobody, NA)'
        in visible_text(refused)
    )
    logged_in.post(url(), {"question": "DR-1", "answer": "joint", "note": "Change board."})
    agreed = AgreedAnswer.objects.get(campaign=campaign, question__key="DR-1")
    assert (agreed.decision, agreed.choice, agreed.is_na, agreed.answer) == (
        "joint",
        None,
        False,
        "joint",
    )
    after = campaign_scores(campaign)
    assert (after["overall"]["dimensions"], after["consensus"]) == before
    dashboard = logged_in.get(reverse("assessments:campaign-dashboard", args=["acme-2026"]))
    matrix = visible_text(
        dashboard.content.decode().split('id="decision-matrix"')[1].split("</table>")[0]
    )
    assert matrix.count("Agreed in the workshop: Together") == 2  # DR-1 and DR-2
