"""Live workshops: join by code, the facilitator's screen with 304 polling, paced mode with
hidden votes until they are revealed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Response, Workshop
from assessments.services.workshops import workshop_for
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace)


@pytest.fixture
def facilitator(client, owner, campaign):
    client.force_login(owner)
    return client


def join(phone: Client, code: str, team) -> Response:
    entered = phone.post(reverse("assessments:workshop-code"), {"code": code.lower()})
    assert entered["Location"] == reverse("assessments:workshop-join", args=[code])
    joined = phone.post(entered["Location"], {"team": team.pk})
    assert joined["Location"] == reverse("assessments:workshop-live", args=[code])
    return Response.objects.order_by("-pk").first()


def test_facilitator_screen_shows_the_code_and_qr(facilitator, campaign):
    html = facilitator.get(reverse("assessments:workshop", args=[campaign.slug])).content.decode()
    workshop = Workshop.objects.get(campaign=campaign)
    assert len(workshop.join_code) == 6 and workshop.join_code in html
    assert "<svg" in html  # the QR code of the join address
    assert "http://testserver/w/</p>" in html  # the short address to type
    assert "0</strong> joined" in html


def test_participants_join_by_code_and_answer_in_free_mode(campaign):
    workshop = workshop_for(campaign)
    team = campaign.organization.teams.get(slug="ot-north")
    phone = Client()
    response = join(phone, workshop.join_code, team)
    assert (response.function, response.team, response.site.slug) == ("ot", team, "north")
    live = phone.get(reverse("assessments:workshop-live", args=[workshop.join_code]))
    assert live["Location"] == reverse("assessments:survey-resume", args=[response.public_id])
    # The same phone joining again resumes its response.
    again = phone.get(reverse("assessments:workshop-join", args=[workshop.join_code]))
    assert again["Location"] == reverse("assessments:workshop-live", args=[workshop.join_code])
    assert Response.objects.count() == 1


def test_wrong_code_says_so(client):
    page = client.post(reverse("assessments:workshop-code"), {"code": "ZZZZZZ"})
    assert "That code does not match a workshop" in page.content.decode()
    missing = client.get(reverse("assessments:workshop-join", args=["ZZZZZZ"]))
    assert missing.status_code == 404


def test_room_answers_304_until_something_changes(facilitator, campaign):
    workshop = workshop_for(campaign)
    url = reverse("assessments:workshop-room", args=[campaign.slug])
    first = facilitator.get(url)
    etag = first["ETag"]
    assert facilitator.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    phone = Client()
    join(phone, workshop.join_code, campaign.organization.teams.get(slug="it-ops"))
    changed = facilitator.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "1</strong> joined" in changed.content.decode()


def test_paced_mode_hides_votes_until_revealed(facilitator, campaign):
    workshop = workshop_for(campaign)
    state = reverse("assessments:workshop-state", args=[campaign.slug])
    facilitator.post(state, {"mode": "paced"})
    facilitator.post(state, {"question": "C-1"})
    phones = [Client() for _ in range(5)]
    teams = [
        campaign.organization.teams.get(slug=s)
        for s in ("it-ops", "ot-north", "it-ops", "ot-north", "biz")
    ]
    for number, (phone, team, choice) in enumerate(
        zip(phones, teams, ("3", "1", "3", "1", "2"), strict=True)
    ):
        if number == 2:
            # Two votes in: revealed, they are still not shown (rule 8f: fewer than 5).
            room = reverse("assessments:workshop-room", args=[campaign.slug])
            facilitator.post(state, {"action": "reveal"})
            early = facilitator.get(room).content.decode()
            assert "2 votes so far: the votes are shown once 5 people have voted" in early
            assert "%)" not in early
            # Revealing closed the voting; hiding again and reopening lets the rest vote.
            facilitator.post(state, {"action": "hide"})
            facilitator.post(state, {"action": "unlock"})
        response = join(phone, workshop.join_code, team)
        live = phone.get(reverse("assessments:workshop-live", args=[workshop.join_code]))
        assert "Q1" in live.content.decode()  # the facilitator's question, C-1
        saved = phone.post(
            reverse("assessments:workshop-vote", args=[workshop.join_code]),
            {"question": "C-1", "q-C-1": choice},
            HTTP_HX_REQUEST="true",
        )
        assert saved.content == b"Saved"
        assert response.answers.get().choice.key == choice  # round 1 is the survey answer
    room = reverse("assessments:workshop-room", args=[campaign.slug])
    hidden = facilitator.get(room).content.decode()
    assert "Votes are hidden" in hidden and "5 votes so far" in hidden
    assert "%)" not in hidden
    facilitator.post(state, {"action": "reveal"})
    shown = facilitator.get(room).content.decode()
    assert "Votes are hidden" not in shown
    assert shown.count("(40 %)") == 2 and shown.count("(20 %)") == 1  # 3, 1 twice; 2 once
    # Moving on hides the next question's votes again.
    facilitator.post(state, {"action": "next"})
    workshop.refresh_from_db()
    assert (workshop.current_question.key, workshop.revealed) == ("C-2", False)
    assert Answer.objects.count() == 5


def test_participant_poll_is_304_until_the_facilitator_moves(facilitator, campaign):
    workshop = workshop_for(campaign)
    state = reverse("assessments:workshop-state", args=[campaign.slug])
    facilitator.post(state, {"mode": "paced"})
    phone = Client()
    join(phone, workshop.join_code, campaign.organization.teams.get(slug="it-ops"))
    url = reverse("assessments:workshop-live", args=[workshop.join_code]) + "?fragment=1"
    first = phone.get(url)
    assert "Waiting for the facilitator" in first.content.decode()
    assert phone.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    facilitator.post(state, {"question": "S-1"})
    moved = phone.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved.status_code == 200 and "Q3" in moved.content.decode()


def test_the_projector_poll_stays_private_but_revalidates(facilitator, campaign):
    """Signed-in pages are no-store (issue 16.10), except a poll with an ETag: the browser
    must keep it to send If-None-Match, so it is private and revalidated every time."""
    workshop_for(campaign)
    poll = facilitator.get(reverse("assessments:workshop-room", args=[campaign.slug]))
    assert set(poll["Cache-Control"].replace(" ", "").split(",")) == {"no-cache", "private"}
    page = facilitator.get(reverse("assessments:workshop", args=[campaign.slug]))
    assert "no-store" in page["Cache-Control"]
