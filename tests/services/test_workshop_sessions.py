"""Workshop sessions, votes, lock and rounds (issue 18, points 2 and 3): a reveal counts the
votes of the people in the room now, in this round; a lock stops changes; a new session starts
from nothing and keeps the earlier ones; the split by function follows rule 8f."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import Invitation, Question, WorkshopVote
from assessments.selectors.workshops import room_state, split_votes, vote_shares
from assessments.services.survey import (
    SurveyClosed,
    answer_save,
    invitation_create,
    response_start,
)
from assessments.services.workshops import (
    workshop_for,
    workshop_join,
    workshop_new_session,
    workshop_rejoin,
    workshop_revote,
    workshop_set_state,
    workshop_vote,
)
from tests import builders

pytestmark = pytest.mark.django_db


def _vote(workshop, response, question, value):
    workshop.refresh_from_db()
    return workshop_vote(workshop=workshop, response=response, question=question, value=value)


def test_the_reveal_counts_the_room_not_earlier_survey_answers(room):
    """The bug the facilitator saw: 11 votes counted with 3 phones in the room."""
    campaign, workshop, question, teams = room
    for _ in range(8):  # people who answered the survey by link before the workshop
        link = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=teams["biz"])
        answer_save(
            response=response_start(invitation=link.invitation), question=question, value="0"
        )
    phones = [
        workshop_join(workshop=workshop, team=teams[s]) for s in ("it-ops", "it-ops", "ot-north")
    ]
    for phone, value in zip(phones, ("3", "3", "1"), strict=True):
        _vote(workshop, phone, question, value)
    state = room_state(workshop)
    assert (state.totals["joined"], state.votes, state.distribution) == (3, 3, {"3": 2, "1": 1})


def test_a_new_session_starts_from_nothing_and_keeps_the_last(room):
    campaign, workshop, question, teams = room
    first = [workshop_join(workshop=workshop, team=teams[s]) for s in ("it-ops", "ot-north")]
    for phone in first:
        _vote(workshop, phone, question, "2")
    workshop = workshop_new_session(workshop=workshop)
    assert workshop.session.number == 2
    fresh = room_state(workshop)
    assert (fresh.totals["joined"], fresh.votes, fresh.distribution) == (0, 0, None)
    assert WorkshopVote.objects.filter(session__number=1).count() == 2  # kept
    with pytest.raises(SurveyClosed) as refused:
        _vote(workshop, first[0], question, "3")
    assert refused.value.message == "A new session has started: join it to vote."
    workshop_rejoin(workshop=workshop, response=first[0])
    _vote(workshop, first[0], question, "3")
    again = room_state(workshop)
    assert (again.totals["joined"], again.votes) == (1, 1)
    assert campaign.responses.count() == 2  # the same person, not a second response


def test_revealing_locks_and_a_locked_question_takes_no_vote(room):
    _campaign, workshop, question, teams = room
    phones = [workshop_join(workshop=workshop, team=teams[s]) for s in ("it-ops", "ot-north")]
    _vote(workshop, phones[0], question, "3")
    workshop = workshop_set_state(workshop=workshop, locked=True)
    with pytest.raises(SurveyClosed) as refused:
        _vote(workshop, phones[1], question, "1")
    assert "Voting on this question is closed" in refused.value.message
    workshop = workshop_set_state(workshop=workshop, locked=False)
    _vote(workshop, phones[1], question, "1")
    workshop = workshop_set_state(workshop=workshop, revealed=True)
    assert workshop.locked
    with pytest.raises(SurveyClosed):
        _vote(workshop, phones[0], question, "0")  # no change after seeing the room's votes
    assert room_state(workshop).distribution == {"3": 1, "1": 1}


def test_a_second_round_is_kept_apart_and_the_survey_keeps_the_first(room):
    _campaign, workshop, question, teams = room
    phone = workshop_join(workshop=workshop, team=teams["ot-north"])
    _vote(workshop, phone, question, "1")
    workshop = workshop_revote(workshop=workshop)
    assert (workshop.round, workshop.revealed, workshop.locked) == (2, False, False)
    _vote(workshop, phone, question, "2")
    rounds = dict(WorkshopVote.objects.values_list("round", "choice__key"))
    assert rounds == {1: "1", 2: "2"}
    # The survey answer is what the person said before the room discussed it.
    assert phone.answers.get(question=question).choice.key == "1"
    assert room_state(workshop).votes == 1  # this round's votes only


def test_the_split_shows_only_classes_of_the_minimum_and_adds_up():
    cast = {"it": {"3": 2, "2": 1}, "ot": {"1": 3}, "leadership": {"2": 1}}
    split = split_votes(cast, minimum=3)
    assert all(sum(v.values()) >= 3 for v in split.values())
    assert sum(sum(v.values()) for v in split.values()) == 7  # nobody dropped
    assert "leadership" not in split  # one vote: joined with others, never on its own
    # Two and one: "*" holds three, the only class; nothing is split off beside it.
    assert split_votes({"it": {"3": 2}, "ot": {"1": 1}}, minimum=3) == {"*": {"3": 2, "1": 1}}


def test_the_projector_and_the_phones_show_the_split_after_the_reveal(room, owner):
    campaign, workshop, question, teams = room
    facilitator = Client()
    facilitator.force_login(owner)
    phones = []
    for slug, value in (("it-ops", "3"), ("it-ops", "3"), ("ot-north", "1"), ("ot-north", "2")):
        phone = Client()
        phone.post(
            reverse("assessments:workshop-join", args=[workshop.join_code]),
            {"team": teams[slug].pk},
        )
        phone.post(
            reverse("assessments:workshop-vote", args=[workshop.join_code]),
            {"question": "C-1", "q-C-1": value},
            HTTP_HX_REQUEST="true",
        )
        phones.append(phone)
    live = reverse("assessments:workshop-live", args=[workshop.join_code])
    assert (
        "Votes are hidden until the facilitator reveals them"
        in phones[0].get(live).content.decode()
    )
    state_url = reverse("assessments:workshop-state", args=[campaign.slug])
    facilitator.post(state_url, {"action": "reveal"})
    room_html = facilitator.get(
        reverse("assessments:workshop-room", args=[campaign.slug])
    ).content.decode()
    from tests.html import table_rows

    rows = table_rows(room_html.split('id="reveal"')[1].split("</table>")[0])
    assert rows[0] == ["Answer", "Everyone (4)", "IT (2)", "OT (2)"]
    by_answer = {row[0]: row[1:] for row in rows[1:]}
    texts = {c.key: c.text for c in question.choices.all()}
    assert by_answer[texts["3"]] == ["2 (50 %)", "100 %", "0 %"]
    assert by_answer[texts["1"]] == ["1 (25 %)", "0 %", "50 %"]
    phone_page = phones[2].get(live).content.decode()
    assert (
        "The room's answers" in phone_page and "Voting on this question is closed" not in phone_page
    )
    shares = vote_shares(workshop_for(campaign), room_state(workshop_for(campaign)))
    assert sum(s["votes"] for s in shares) == 4


def test_a_phone_that_did_not_join_cannot_vote(room):
    """Votes go by the browser's own joined response: a stranger with the code gets 404."""
    _campaign, workshop, _question, teams = room
    workshop_join(workshop=workshop, team=teams["it-ops"])  # someone else is in the room
    stranger = Client()
    refused = stranger.post(
        reverse("assessments:workshop-vote", args=[workshop.join_code]),
        {"question": "C-1", "q-C-1": "3"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 404 and not WorkshopVote.objects.exists()
    assert (
        stranger.post(reverse("assessments:workshop-rejoin", args=[workshop.join_code])).status_code
        == 404
    )


def test_the_audience_screen_has_no_controls_and_follows_the_room(room, owner):
    campaign, workshop, question, teams = room
    projector = Client()
    projector.force_login(owner)
    url = reverse("assessments:workshop-screen", args=[campaign.slug])
    workshop_set_state(workshop=workshop, mode="free")  # no question for the room yet
    page = projector.get(url).content.decode()
    assert workshop.join_code in page and "<nav" not in page and "Log out" not in page
    assert "<form" not in page and "<button" not in page
    workshop_set_state(workshop=workshop, mode="paced")
    live = reverse("assessments:workshop-screen-live", args=[campaign.slug])
    first = projector.get(live)
    assert question.text in first.content.decode()
    assert "Vote on your phone · 0 votes so far" in first.content.decode()
    assert projector.get(live, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    for slug, value in (("it-ops", "3"), ("it-ops", "2"), ("ot-north", "1"), ("ot-north", "1")):
        _vote(workshop, workshop_join(workshop=workshop, team=teams[slug]), question, value)
    workshop_set_state(workshop=workshop, revealed=True)
    shown = projector.get(live, HTTP_IF_NONE_MATCH=first["ETag"])
    assert shown.status_code == 200
    from tests.html import table_rows

    rows = table_rows(shown.content.decode().split('id="screen-reveal"')[1].split("</table>")[0])
    assert rows[0] == ["", "Everyone (4)", "IT (2)", "OT (2)"]


def _two_rounds(workspace, first, second):
    """Six people (three IT, three OT) vote `first`; a re-vote; then `second` (None: no vote)."""
    campaign = builders.campaign(workspace, slug="moves-2026", min_group_size=3)
    question = Question.objects.prefetch_related("choices").get(
        version=campaign.bank_version, key="C-1"
    )
    workshop = workshop_set_state(workshop=workshop_for(campaign), mode="paced", question=question)
    teams = {t.slug: t for t in campaign.organization.teams.all()}
    people = [
        workshop_join(workshop=workshop, team=teams[s]) for s in ["it-ops"] * 3 + ["ot-north"] * 3
    ]
    for person, value in zip(people, first, strict=True):
        _vote(workshop, person, question, value)
    workshop = workshop_revote(workshop=workshop)
    for person, value in zip(people, second, strict=True):
        if value is not None:
            _vote(workshop, person, question, value)
    return workshop_set_state(workshop=workshop, revealed=True)


def test_the_re_vote_shows_how_each_function_moved(workspace):
    from assessments.selectors.workshops import movement

    workshop = _two_rounds(
        workspace, ["3", "3", "2", "0", "1", "0"], ["3", "2", "2", "1", "1", "2"]
    )
    moved = movement(workshop)
    rows = {row["name"]: row for row in moved.rows}
    assert list(rows) == ["Everyone", "IT", "OT"] and moved.people == 6
    assert (rows["IT"]["mean_before"], rows["IT"]["mean_after"]) == (2.667, 2.333)
    assert (rows["OT"]["mean_before"], rows["OT"]["mean_after"], rows["OT"]["mean_change"]) == (
        0.333,
        1.333,
        1.0,
    )
    # OT: 0, 1, 0 (variance 2/9) then 1, 1, 2 (variance 2/9): agreement unchanged.
    assert rows["OT"]["agreement_before"] == rows["OT"]["agreement_after"] == 0.822


def test_movement_never_rests_on_a_few_who_voted_once(workspace):
    from assessments.selectors.workshops import movement

    one_left = _two_rounds(
        workspace, ["3", "3", "2", "0", "1", "0"], ["3", "2", "2", "1", "1", None]
    )
    hidden = movement(one_left)
    assert hidden.rows == [] and hidden.hidden == "too few voted in only one round"


def test_movement_without_a_split_when_some_voted_once(workspace):
    from assessments.selectors.workshops import movement

    half = _two_rounds(workspace, ["3", "3", "2", "0", "1", "0"], ["3", "2", "2", None, None, None])
    moved = movement(half)
    assert [row["name"] for row in moved.rows] == ["Everyone"]  # three left, three stayed
    assert moved.rows[0]["n"] == 3 and moved.people == 3


def test_the_report_says_what_the_discussion_changed(workspace):
    from django.test import override_settings

    from assessments.outputs import report
    from assessments.services.survey import response_submit
    from tests.outputs.test_report import pdf_text

    workshop = _two_rounds(
        workspace, ["3", "3", "2", "0", "1", "0"], ["3", "2", "2", "1", "1", "2"]
    )
    for response in workshop.campaign.responses.all():
        response_submit(response=response)  # a report with figures (not the thin one)
    record = report.report_context(workshop.campaign)["discussion"]
    assert [(item["key"], item["session"]) for item in record] == [("C-1", 1)]
    with override_settings(CHROMIUM_PATH="/nonexistent/chromium"):
        text = pdf_text(report.campaign_report_pdf(workshop.campaign))
    assert "What the discussion changed" in text
    assert "OT 3 0.33 1.33 +1.00 0.82 0.82 +0.00" in text


def test_next_can_walk_the_divergent_questions_only(room):
    from assessments.services.workshops import workshop_set_walk, workshop_step

    _campaign, workshop, _question, _teams = room  # on C-1
    divergent = ["I-1", "C-1", "S-2"]  # rule 10's order, not the survey's
    workshop = workshop_set_walk(workshop=workshop, divergent_only=True)
    visited = []
    for _step in range(3):
        workshop = workshop_step(workshop=workshop, action="next", divergent=divergent)
        visited.append(workshop.current_question.key)
    assert visited == ["S-2", "S-2", "S-2"]  # C-1 is second: next is S-2, the last
    workshop = workshop_step(workshop=workshop, action="previous", divergent=divergent)
    workshop = workshop_step(workshop=workshop, action="previous", divergent=divergent)
    assert workshop.current_question.key == "I-1"
    # All questions again: in survey order from where it is (I-1 is the last).
    workshop = workshop_set_walk(workshop=workshop, divergent_only=False)
    assert workshop_step(workshop=workshop, action="previous").current_question.key == "S-2"
