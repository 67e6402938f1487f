"""Words and questions for later (issue 18, point 6): a word cloud shown only from the
minimum group size and closed once shown, questions parked from phones and upvoted by the
room; both scored nowhere and never shown with who sent them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments import live
from assessments.models import Answer, ParkingNote, ParkingUpvote, Workshop, WorkshopWord
from assessments.selectors.workshops import parking_queue, word_cloud
from assessments.services.survey import SurveyClosed
from assessments.services.workshops import (
    parking_ask,
    parking_mark,
    parking_upvote,
    workshop_new_session,
    workshop_set_activity,
    workshop_set_state,
    workshop_word,
)
from assessments.views.workshop_audience import live_event
from tests import builders
from tests.html import visible_text as text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def words_room(workspace, client, owner):
    """A paced workshop in the word cloud (minimum group 3), the facilitator logged in."""
    from assessments.services.workshops import workshop_for

    campaign = builders.campaign(workspace, min_group_size=3)
    workshop = workshop_set_state(workshop=workshop_for(campaign), mode="paced")
    workshop = workshop_set_activity(workshop=workshop, activity="words")
    client.force_login(owner)
    return campaign, workshop, client


_phone = builders.workshop_phone


def _send(phone, workshop, word):
    return phone.post(
        reverse("assessments:workshop-word", args=[workshop.join_code]),
        {"word": word},
        headers={"HX-Request": "true"},
    )


def _screen(client, campaign) -> str:
    return text_of(client.get(reverse("assessments:workshop-screen-live", args=[campaign.slug])))


def _state(client, campaign, **data):
    return client.post(reverse("assessments:workshop-state", args=[campaign.slug]), data)


def test_the_cloud_shows_only_once_the_minimum_gave_a_word_and_closes_when_shown(words_room):
    campaign, workshop, client = words_room
    phones = [_phone(workshop, slug) for slug in ("it-ops", "ot-north", "ot-north")]
    assert _send(phones[0][0], workshop, "  Silos ").content.decode().startswith("Sent: silos.")
    _send(phones[1][0], workshop, "silos")
    screen = _screen(client, campaign)
    assert "2 words so far" in screen and "silos" not in screen
    # Two words, minimum three: the facilitator cannot show the cloud yet.
    _state(client, campaign, action="reveal")
    assert not Workshop.objects.get(pk=workshop.pk).session.words_revealed
    assert "silos" not in _screen(client, campaign)

    _send(phones[2][0], workshop, "Bridges")
    _state(client, campaign, action="reveal")
    screen = _screen(client, campaign)
    assert "silos" in screen and "bridges" in screen
    cloud = word_cloud(Workshop.objects.get(pk=workshop.pk))
    assert cloud.words == [("silos", 2, 5), ("bridges", 1, 1)]
    # Shown: closed for good, so the cloud never changes by one person's word.
    late = _send(phones[0][0], workshop, "partners")
    assert late.status_code == 409 and "can no longer change" in late.content.decode()
    assert WorkshopWord.objects.get(response=phones[0][1]).text == "silos"
    # The phones show the cloud, and their own word.
    phone_page = text_of(
        phones[2][0].get(reverse("assessments:workshop-live", args=[workshop.join_code]))
    )
    assert "silos" in phone_page and "Your word: bridges" in phone_page
    # Nothing is scored: no survey answer was made.
    assert not Answer.objects.filter(response__campaign=campaign).exists()


def test_a_hidden_word_leaves_the_screens_and_may_take_the_cloud_below_the_minimum(words_room):
    campaign, workshop, client = words_room
    for slug, word in (("it-ops", "trust"), ("ot-north", "trust"), ("ot-north", "idiots")):
        _send(_phone(workshop, slug)[0], workshop, word)
    _state(client, campaign, action="reveal")
    assert "idiots" in _screen(client, campaign)
    _state(client, campaign, action="hide_word", word="Idiots")
    screen = _screen(client, campaign)
    # Two words left of three people: below the minimum, the cloud is not shown at all.
    assert "idiots" not in screen and "trust" not in screen
    assert "2 words so far" in screen


def test_a_word_is_refused_clearly_and_nothing_half_saved(words_room):
    _campaign, workshop, _client = words_room
    phone, response = _phone(workshop)
    assert _send(phone, workshop, "   ").status_code == 400
    too_long = _send(phone, workshop, "x" * 41)
    assert too_long.status_code == 400 and "40 characters" in too_long.content.decode()
    assert not WorkshopWord.objects.exists()
    workshop_set_activity(workshop=workshop, activity="question")
    moved = _send(phone, workshop, "silos")
    assert moved.status_code == 409 and "moved on" in moved.content.decode()
    # A phone of an earlier session must join the new one first.
    workshop = workshop_set_activity(
        workshop=workshop_new_session(workshop=workshop), activity="words"
    )
    with pytest.raises(SurveyClosed):
        workshop_word(workshop=workshop, response=response, text="silos")


def test_a_pushed_word_cloud_fragment_costs_no_query(words_room, django_assert_num_queries):
    campaign, workshop, client = words_room
    phones = [_phone(workshop, slug) for slug in ("it-ops", "ot-north", "ot-north")]
    for (phone, _response), word in zip(phones, ("silos", "silos", "bridges"), strict=True):
        _send(phone, workshop, word)
    _state(client, campaign, action="reveal")
    phone, response = phones[2]
    request = phone.get(
        reverse("assessments:workshop-live", args=[workshop.join_code])
    ).wsgi_request
    snapshot = live.read_snapshot(workshop.pk)
    with django_assert_num_queries(0):
        event = live_event(request, snapshot, response)
    assert "word-size-5" in event and "Your word: <strong>bridges</strong>" in event


def test_questions_for_later_are_asked_upvoted_and_taken(words_room):
    campaign, workshop, client = words_room
    workshop = workshop_set_activity(workshop=workshop, activity="parking")
    (asker, asked_by), (other, voter), (third, _r) = [
        _phone(workshop, slug) for slug in ("it-ops", "ot-north", "ot-north")
    ]
    url = reverse("assessments:workshop-parking", args=[workshop.join_code])
    page = asker.post(
        url, {"question": "Who pays for the OT firewall?"}, headers={"HX-Request": "true"}
    )
    assert "Who pays for the OT firewall?" in text_of(page)
    asker.post(url, {"question": "Can vendors keep remote access?"}, headers={"HX-Request": "true"})
    firewall = ParkingNote.objects.get(text__startswith="Who pays")
    upvote = reverse("assessments:workshop-upvote", args=[workshop.join_code, firewall.pk])
    other.post(upvote, headers={"HX-Request": "true"})
    third.post(upvote, headers={"HX-Request": "true"})
    # Most upvoted first on the projector; who asked or upvoted is nowhere.
    screen = _screen(client, campaign)
    assert screen.index("▲ 2 Who pays") < screen.index("▲ 0 Can vendors")
    assert asked_by.respondent not in screen
    # Upvoting again takes it back; one's own question cannot be upvoted.
    other.post(upvote, headers={"HX-Request": "true"})
    assert ParkingUpvote.objects.filter(note=firewall).count() == 1
    own = asker.post(upvote, headers={"HX-Request": "true"})
    assert "your own question" in text_of(own)
    assert ParkingUpvote.objects.filter(note=firewall).count() == 1
    assert [p.upvoted for p in parking_queue(workshop, voter)] == [False, False]
    # The facilitator takes one and hides the other: taken goes last, hidden goes everywhere.
    client.post(
        reverse("assessments:workshop-parking-mark", args=[campaign.slug, firewall.pk]),
        {"action": "answered"},
    )
    vendors = ParkingNote.objects.get(text__startswith="Can vendors")
    parking_mark(note=vendors, action="hide")
    assert [(p.text, p.answered) for p in parking_queue(workshop)] == [
        ("Who pays for the OT firewall?", True)
    ]
    taken = other.post(upvote, headers={"HX-Request": "true"})
    assert "has taken this question" in text_of(taken)


def test_a_phone_may_not_flood_the_queue(words_room):
    _campaign, workshop, _client = words_room
    _phone_client, response = _phone(workshop)
    for number in range(5):
        parking_ask(workshop=workshop, response=response, text=f"Question number {number}")
    with pytest.raises(Exception, match="5 open questions"):
        parking_ask(workshop=workshop, response=response, text="One more")
    with pytest.raises(Exception, match="asked this already"):
        parking_ask(workshop=workshop, response=response, text="question NUMBER 1")
    with pytest.raises(Exception, match="type your question"):
        parking_ask(workshop=workshop, response=response, text=" ")
    assert ParkingNote.objects.count() == 5


def test_room_questions_reach_the_report_without_hidden_ones(words_room):
    from assessments.outputs.report import report_context

    campaign, workshop, _client = words_room
    (_a, asker), (_b, voter) = _phone(workshop), _phone(workshop, "ot-north")
    kept = parking_ask(workshop=workshop, response=asker, text="Who owns the plant network?")
    parking_upvote(workshop=workshop, response=voter, note=kept)
    gone = parking_ask(workshop=workshop, response=asker, text="Something rude")
    parking_mark(note=gone, action="hide")
    notes = report_context(campaign)["notes"]
    assert [(n.text, n.upvote_count) for n in notes] == [("Who owns the plant network?", 1)]


def test_the_presenter_room_costs_the_same_queries_whatever_the_queue(
    words_room, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign, workshop, client = words_room
    url = reverse("assessments:workshop-room", args=[campaign.slug])
    phones = [_phone(workshop, "ot-north") for _n in range(2)]
    parking_ask(workshop=workshop, response=phones[0][1], text="First question here")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    more = [_phone(workshop, "ot-north") for _n in range(4)]
    for _phone_client, response in more:
        parking_ask(workshop=workshop, response=response, text=f"Asked by {response.pk}")
        workshop_word(workshop=workshop, response=response, text="silos")
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_setting_aside_one_word_giver_after_the_cloud_is_refused(words_room):
    """The cloud shown minus the cloud after setting one response aside would be that
    person's word: the room's check (services.responses) counts word givers too."""
    from assessments.services.responses import responses_discard

    campaign, workshop, client = words_room
    phones = [_phone(workshop, slug) for slug in ("it-ops", "ot-north", "ot-north", "biz")]
    for (phone, _response), word in zip(
        phones, ("silos", "silos", "trust", "bridges"), strict=True
    ):
        _send(phone, workshop, word)
    _state(client, campaign, action="reveal")
    assert "bridges" in _screen(client, campaign)
    with pytest.raises(Exception, match="the workshop room's votes"):
        responses_discard(campaign=campaign, responses=[phones[3][1]], by=None)
    assert "bridges" in _screen(client, campaign)
