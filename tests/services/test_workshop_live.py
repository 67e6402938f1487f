"""Phones follow the facilitator by server-sent events (issue 18, point 5): one snapshot per
facilitator action is read for the whole room, each phone's event is rendered from it without
a query, a vote kept offline counts only in its own round."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import live
from assessments.models import WorkshopVote
from assessments.services.survey import SurveyClosed
from assessments.services.workshops import (
    workshop_revote,
    workshop_set_state,
    workshop_vote,
)
from assessments.views import workshop_audience
from assessments.views.workshop_audience import live_event
from tests import builders

pytestmark = pytest.mark.django_db


_join = builders.workshop_phone


def _request(client, workshop):
    """A request of this phone's session, as the stream renders its events with."""
    return client.get(reverse("assessments:workshop-live", args=[workshop.join_code])).wsgi_request


def _fragment(event: str) -> str:
    assert event.startswith("id: ") and "\nevent: fragment\n" in event, event
    return "\n".join(line[6:] for line in event.splitlines() if line.startswith("data: "))


def test_a_pushed_question_is_rendered_from_the_snapshot_without_a_query(
    room, django_assert_num_queries
):
    _campaign, workshop, question, _teams = room
    client, response = _join(workshop)
    request = _request(client, workshop)
    snapshot = live.read_snapshot(workshop.pk)
    with django_assert_num_queries(0):
        event = live_event(request, snapshot, response)
    html = _fragment(event)
    assert event.startswith(f"id: {snapshot.version}\n")
    assert question.text in html
    assert 'name="round" value="1"' in html
    assert 'id="vote-hidden"' in html  # votes are hidden until the reveal
    assert "checked" not in html
    # Every line of the HTML is its own data line: EventSource joins them with newlines.
    assert "\n\n" not in event[:-2]


def test_after_the_reveal_the_phone_shows_its_vote_and_the_room(room):
    _campaign, workshop, question, _teams = room
    phones = [_join(workshop, slug) for slug in ("it-ops", "it-ops", "ot-north")]
    for (_client, response), value in zip(phones, ("3", "3", "1"), strict=True):
        workshop.refresh_from_db()
        workshop_vote(workshop=workshop, response=response, question=question, value=value)
    workshop = workshop_set_state(workshop=workshop, revealed=True)
    client, response = phones[2]
    html = _fragment(
        live_event(_request(client, workshop), live.read_snapshot(workshop.pk), response)
    )
    assert "The room&#x27;s answers" in html or "The room's answers" in html
    shares = re.findall(r'<span class="text-nowrap ms-2">(\d+) %</span>', html)
    assert sorted(map(int, shares)) == [0, 0, 33, 67]  # 1 of 3 and 2 of 3 (0 for the others)
    chosen = question.choices.get(key="1")
    assert re.search(rf'value="{chosen.key}"[^>]*checked', html)  # its own vote, checked
    assert "disabled" in html  # the reveal closed voting


def test_free_mode_or_a_closed_campaign_tells_the_page_to_load_again(room):
    _campaign, workshop, _question, _teams = room
    client, response = _join(workshop)
    request = _request(client, workshop)
    workshop = workshop_set_state(workshop=workshop, mode="free")
    event = live_event(request, live.read_snapshot(workshop.pk), response)
    assert "\nevent: reload\n" in event


def test_one_snapshot_per_action_whatever_the_size_of_the_room(room, django_assert_num_queries):
    """The broadcaster's read costs the same for 2 phones as for 12: the database sees a
    handful of queries per facilitator action, not one per phone."""
    _campaign, workshop, question, _teams = room
    broadcaster = live.Broadcaster(threaded=False)
    broadcaster.watch(workshop.pk)
    counts, phones = [], 0
    for size in (2, 12):
        workshop = workshop_set_state(workshop=workshop, revealed=False, locked=False)
        for index in range(phones, size):
            _client, response = _join(workshop, ("it-ops", "ot-north")[index % 2])
            workshop_vote(workshop=workshop, response=response, question=question, value="2")
        phones = size
        workshop = workshop_set_state(workshop=workshop, revealed=True)
        with CaptureQueriesContext(connection) as queries:
            broadcaster.poll_once()
        counts.append(len(queries))
        snapshot = broadcaster.snapshots[workshop.pk]
        assert snapshot.version == workshop.state_version
        assert len(snapshot.votes) == size
    assert counts[0] == counts[1], counts
    with django_assert_num_queries(1):  # nothing changed: one query, the versions
        broadcaster.poll_once()


def test_wait_returns_only_a_version_the_stream_has_not_sent(room):
    _campaign, workshop, _question, _teams = room
    broadcaster = live.Broadcaster(threaded=False)
    broadcaster.watch(workshop.pk)
    first = broadcaster.wait(workshop.pk, None, timeout=0)
    assert first is not None and first.version == workshop.state_version
    assert broadcaster.wait(workshop.pk, first.version, timeout=0) is None
    workshop = workshop_set_state(workshop=workshop, locked=True)
    moved = broadcaster.wait(workshop.pk, first.version, timeout=0)
    assert moved is not None and moved.workshop.locked
    broadcaster.unwatch(workshop.pk)
    assert workshop.pk not in broadcaster.snapshots


def test_the_stream_sends_the_new_question_and_pings(room, monkeypatch):
    _campaign, workshop, question, _teams = room
    client, _response = _join(workshop)
    monkeypatch.setattr(workshop_audience, "broadcaster", live.Broadcaster(threaded=False))
    monkeypatch.setattr(workshop_audience, "HEARTBEAT_SECONDS", 0)
    monkeypatch.setattr(workshop_audience, "STREAM_SECONDS", 0.5)
    url = reverse("assessments:workshop-events", args=[workshop.join_code])
    reply = client.get(url, {"v": workshop.state_version - 1})
    assert reply["Content-Type"] == "text/event-stream"
    assert reply["X-Accel-Buffering"] == "no"
    assert reply["Cache-Control"] == "no-store"
    body = b"".join(reply.streaming_content).decode()
    assert body.startswith("retry: 2000\nevent: ping\n")
    assert f"id: {workshop.state_version}\nevent: fragment\n" in body  # what it had not seen
    assert question.text in body
    assert "event: ping\n" in body  # then only pings: nothing changed
    assert body.count("event: fragment") == 1
    assert body.count("event: ping") >= 2

    # Reconnecting with the last event's id sends nothing it already has.
    again = client.get(url, headers={"last-event-id": str(workshop.state_version)})
    assert "event: fragment" not in b"".join(again.streaming_content).decode()


def test_a_phone_that_has_not_joined_gets_no_stream(room):
    _campaign, workshop, _question, _teams = room
    reply = Client().get(reverse("assessments:workshop-events", args=[workshop.join_code]))
    assert reply.status_code == 204  # EventSource stops; the page's poll says what is wrong
    wrong = Client().get(reverse("assessments:workshop-events", args=["NOPE42"]))
    assert wrong.status_code == 204


def test_a_vote_kept_offline_counts_only_in_its_own_round(room):
    """Sent after "vote again", a round-1 vote is refused, not counted in round 2."""
    _campaign, workshop, question, _teams = room
    client, response = _join(workshop)
    workshop = workshop_set_state(workshop=workshop, revealed=True)
    workshop = workshop_revote(workshop=workshop)
    assert workshop.round == 2
    with pytest.raises(SurveyClosed):
        workshop_vote(workshop=workshop, response=response, question=question, value="2", round=1)
    assert not WorkshopVote.objects.filter(response=response).exists()
    reply = client.post(
        reverse("assessments:workshop-vote", args=[workshop.join_code]),
        {"question": "C-1", "q-C-1": "2", "round": "1"},
        headers={"hx-request": "true"},
    )
    assert reply.status_code == 409
    assert "moved on" in reply.content.decode() or "question" in reply.content.decode()
    reply = client.post(
        reverse("assessments:workshop-vote", args=[workshop.join_code]),
        {"question": "C-1", "q-C-1": "2", "round": "2"},
        headers={"hx-request": "true"},
    )
    assert reply.content == b"Saved"
    assert WorkshopVote.objects.get(response=response).round == 2


VOTE_QUERIES = 9  # code, session, response; then the lock, the vote, the response, the answer


def test_a_vote_costs_a_fixed_number_of_queries(room, django_assert_num_queries):
    _campaign, workshop, question, _teams = room
    phones = [_join(workshop, slug) for slug in ("it-ops", "ot-north", "ot-north")]
    url = reverse("assessments:workshop-vote", args=[workshop.join_code])
    for number, (client, _response) in enumerate(phones):
        vote = {"question": question.key, f"q-{question.key}": str(number), "round": "1"}
        client.post(url, vote, headers={"HX-Request": "true"})  # the first reads the bank
        with django_assert_num_queries(VOTE_QUERIES):
            changed = client.post(
                url, {**vote, f"q-{question.key}": "3"}, headers={"HX-Request": "true"}
            )
        assert changed.content == b"Saved"
    assert sorted(WorkshopVote.objects.values_list("choice__key", flat=True)) == ["3", "3", "3"]


def test_a_phone_not_asked_the_question_is_told_so(room):
    from assessments.models import Question

    _campaign, workshop, _question, _teams = room
    client, _response = _join(workshop, "biz")
    s2 = Question.objects.get(version=workshop.campaign.bank_version, key="S-2")  # IT and OT
    workshop_set_state(workshop=workshop, question=s2)
    page = client.get(reverse("assessments:workshop-live", args=[workshop.join_code]))
    assert "does not ask of your function" in page.content.decode()
    assert "fieldset" not in page.content.decode()
