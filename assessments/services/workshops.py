"""Live workshops, the writes: a join code, a participant joining, the facilitator pacing.

Participants join with the code (no account), pick their team and answer on their phone;
every answer is saved the moment it is chosen, as in the survey. In paced mode the phones
follow the facilitator's current question, and its votes stay hidden until revealed. What
the projector and the phones poll is read in `selectors/workshops.py`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.errors import Refused
from assessments.models import (
    Campaign,
    ParkingNote,
    ParkingUpvote,
    Question,
    Response,
    Team,
    Workshop,
    WorkshopSession,
    WorkshopVote,
    WorkshopWord,
)
from assessments.services.survey import (
    SurveyClosed,
    answer_write,
    check_writable,
    parse_answer,
)
from assessments.vocabulary import CONTROL_CHARACTERS

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
CODE_LENGTH = 6


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _attempt in range(CODE_LENGTH))


def workshop_for(campaign: Campaign) -> Workshop:
    """The campaign's workshop, made with a fresh join code on first use."""
    existing = Workshop.objects.filter(campaign=campaign).first()
    if existing is not None:
        return existing
    for _attempt in range(10):
        code = _new_code()
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(campaign=campaign, join_code=code)
                workshop.session = WorkshopSession.objects.create(workshop=workshop, number=1)
                workshop.save(update_fields=["session"])
                return workshop
        except IntegrityError:
            existing = Workshop.objects.filter(campaign=campaign).first()
            if existing is not None:
                return existing
    raise Refused.at("workshop", _("could not make a join code, please try again"))


FULL = _("This workshop has all the participants it takes (%(n)s). Ask the facilitator.")
TEAM_FULL = _(
    "%(team)s has %(n)s people and as many responses already. If you are one of them and "
    "have not answered, ask the facilitator."
)


def workshop_join(*, workshop: Workshop, team: Team) -> Response:
    """A new participant. The facilitator's caps hold under concurrent joins: the workshop's
    row is locked while the room is counted (PostgreSQL; SQLite's write lock does the same)."""
    campaign = workshop.campaign
    if campaign.status != Campaign.Status.OPEN:
        raise Refused.at("campaign", _("%(name)s is not open"), name=campaign.name)
    if team.organization_id != campaign.organization_id:
        raise Refused.at("team", _("not a team of this organisation"))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
                # Touch the row: on SQLite this takes the write lock before counting.
                Workshop.objects.filter(pk=locked.pk).update(state_version=F("state_version"))
                _check_room(locked, team)
                return Response.objects.create(
                    campaign=campaign,
                    respondent=f"w-{secrets.token_hex(4)}",
                    function=team.function,
                    team=team,
                    site=team.site,
                    workshop=locked,
                    workshop_session_id=locked.session_id,
                )
        except IntegrityError:
            continue
    raise Refused.at("response", _("could not join, please try again"))


def _check_room(workshop: Workshop, team: Team) -> None:
    counted = Response.objects.counted()
    if workshop.max_participants is not None:
        joined = counted.filter(workshop=workshop).count()
        if joined >= workshop.max_participants:
            raise Refused.at("", FULL, n=workshop.max_participants)
    if workshop.cap_teams and team.headcount:
        answered = counted.filter(campaign_id=workshop.campaign_id, team=team).count()
        if answered >= team.headcount:
            raise Refused.at("", TEAM_FULL, team=team.name, n=team.headcount)


def workshop_set_limits(
    *, workshop: Workshop, max_participants: int | None, cap_teams: bool
) -> Workshop:
    if max_participants is not None and max_participants < 1:
        raise Refused.at("max_participants", _("must be at least 1, or empty for no limit"))
    workshop.max_participants = max_participants
    workshop.cap_teams = cap_teams
    workshop.save(update_fields=["max_participants", "cap_teams"])
    return workshop


def workshop_rotate_code(*, workshop: Workshop) -> Workshop:
    """A new join code (the old one was shared too widely): the old code stops letting anyone
    join; phones that already joined follow the workshop to its new code."""
    for _attempt in range(10):
        code = _new_code()
        try:
            with transaction.atomic():
                Workshop.objects.filter(pk=workshop.pk).update(
                    join_code=code, state_version=F("state_version") + 1
                )
        except IntegrityError:
            continue
        workshop.refresh_from_db(fields=["join_code", "state_version"])
        return workshop
    raise Refused.at("workshop", _("could not make a join code, please try again"))


def workshop_set_state(
    *,
    workshop: Workshop,
    mode: str | None = None,
    question: Question | None = None,
    revealed: bool | None = None,
    locked: bool | None = None,
) -> Workshop:
    """Change mode, current question, reveal or lock. A new question starts at round 1,
    hidden and open for votes; revealing also locks (a vote cast after seeing the room's is
    not the person's own), and hiding again leaves the lock as it is."""
    if mode is not None:
        if mode not in Workshop.Mode.values:
            raise Refused.at("mode", _("%(mode)s is not free or paced"), mode=repr(mode))
        workshop.mode = mode
    if question is not None:
        if question.version_id != workshop.campaign.bank_version_id:
            raise Refused.at("question", _("not a question of this campaign"))
        if question.pk != workshop.current_question_id or (
            workshop.activity != Workshop.Activity.QUESTION
        ):
            workshop.revealed = workshop.locked = False
            workshop.round = 1
        workshop.current_question = question
        workshop.activity = Workshop.Activity.QUESTION
    if revealed is not None:
        workshop.revealed = revealed
        if revealed:
            workshop.locked = True
    if locked is not None:
        workshop.locked = locked
    return _save_state(
        workshop, "mode", "current_question", "activity", "revealed", "locked", "round"
    )


def _save_state(workshop: Workshop, *fields: str) -> Workshop:
    """Save what changed and move the state version: the projector and the phones see it."""
    workshop.save(update_fields=list(fields))
    Workshop.objects.filter(pk=workshop.pk).update(state_version=F("state_version") + 1)
    workshop.refresh_from_db(fields=["state_version"])
    return workshop


TIMER_SECONDS = 60


def workshop_toggle_timer(*, workshop: Workshop, seconds: int = TIMER_SECONDS) -> Workshop:
    """Start a countdown the audience screen shows, or stop the one running."""
    running = workshop.timer_ends_at is not None and workshop.timer_ends_at > timezone.now()
    workshop.timer_ends_at = None if running else timezone.now() + timedelta(seconds=seconds)
    return _save_state(workshop, "timer_ends_at")


def workshop_revote(*, workshop: Workshop) -> Workshop:
    """A new round on the current question, after the discussion: votes hidden and open
    again; the earlier rounds' votes are kept, to show how the room moved."""
    if workshop.current_question_id is None:
        raise Refused.at("question", _("choose a question before a new round"))
    workshop.round += 1
    workshop.revealed = workshop.locked = False
    return _save_state(workshop, "round", "revealed", "locked")


def workshop_new_session(*, workshop: Workshop) -> Workshop:
    """A new sitting of the room: its counts and votes start from nothing, earlier sessions
    keep theirs. Phones already in are asked to join the new session (their response stays
    the same, so nobody is counted twice in the scores)."""
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        last = locked.sessions.order_by("-number").values_list("number", flat=True).first() or 0
        locked.session = WorkshopSession.objects.create(workshop=locked, number=last + 1)
        locked.round = 1
        locked.revealed = locked.locked = False
        return _save_state(locked, "session", "round", "revealed", "locked")


def workshop_rejoin(*, workshop: Workshop, response: Response) -> Response:
    """A phone that joined an earlier session of this workshop joins the current one."""
    if response.workshop_id != workshop.pk:
        raise Refused.at("", _("this phone did not join this workshop"))
    response.workshop_session_id = workshop.session_id
    response.save(update_fields=["workshop_session", "updated"])
    return response


VOTE_LOCKED = _("Voting on this question is closed. Wait for the facilitator's next question.")
VOTE_MOVED = _("The facilitator has moved on to another question.")
VOTE_OTHER_SESSION = _("A new session has started: join it to vote.")


def workshop_vote(
    *,
    workshop: Workshop,
    response: Response,
    question: Question,
    value: str,
    round: int | None = None,
) -> WorkshopVote:
    """A participant's vote on the current question, in the current round. The first round's
    vote is also saved as the participant's survey answer (unless they have submitted);
    later rounds are votes only: the survey keeps what each person said before the room
    discussed it (docs/methodology.md, "Workshop votes"). `round`, when given, is the round
    the phone voted in: a vote kept offline and sent after "vote again" is refused, not
    counted in the new round."""
    if workshop.campaign.status != Campaign.Status.OPEN:
        raise SurveyClosed(_("This workshop's assessment is not open."))
    if workshop.mode != Workshop.Mode.PACED or question.pk != workshop.current_question_id:
        raise SurveyClosed(VOTE_MOVED)
    if response.workshop_id != workshop.pk or response.workshop_session_id != workshop.session_id:
        raise SurveyClosed(VOTE_OTHER_SESSION)
    if not workshop.campaign.asks(question, response.function):
        raise Refused.at(question.key, _("not a question of this survey"))
    parsed = parse_answer(question, value)
    with transaction.atomic():
        # The lock is read inside the write (a row lock on PostgreSQL; SQLite's transactions
        # take the write lock as they begin): a vote racing the facilitator's lock loses.
        state = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if state.locked:
            raise SurveyClosed(VOTE_LOCKED)
        if state.session_id is None:
            raise SurveyClosed(VOTE_OTHER_SESSION)
        voted_in = workshop.round if round is None else round
        if state.round != voted_in or state.current_question_id != question.pk:
            raise SurveyClosed(VOTE_MOVED)
        # One insert-or-update, whatever was there (a changed vote updates the row).
        vote = WorkshopVote(
            session_id=state.session_id,
            question=question,
            round=state.round,
            response=response,
            **parsed,
        )
        WorkshopVote.objects.bulk_create(
            [vote],
            update_conflicts=True,
            unique_fields=["session", "question", "round", "response"],
            update_fields=[*parsed, "updated"],
        )
        if state.round == 1 and response.submitted_at is None and response.discarded_at is None:
            check_writable(response)
            # Also the survey answer; touches `updated`, which the phone's poll ETag carries.
            answer_write(response=response, question=question, parsed=parsed)
        else:
            # The phone's poll ETag carries `updated`: a poll that raced this vote shows it next.
            Response.objects.filter(pk=response.pk).update(updated=timezone.now())
    return vote


def workshop_step(
    *, workshop: Workshop, action: str, divergent: list[str] | None = None
) -> Workshop:
    """The facilitator's next or previous question, in survey order (it stays at the ends);
    with `divergent_only`, through the `divergent` question keys in their order instead."""
    questions = list(
        Question.objects.filter(version=workshop.campaign.bank_version)
        .exclude(key__in=workshop.campaign.left_out)
        .in_survey_order()
    )
    if workshop.divergent_only and divergent:
        by_key = {q.key: q for q in questions}
        questions = [by_key[key] for key in divergent if key in by_key]
    if not questions or action not in ("next", "previous"):
        return workshop
    keys = [q.pk for q in questions]
    index = keys.index(workshop.current_question_id) if workshop.current_question_id in keys else -1
    index = min(len(keys) - 1, index + 1) if action == "next" else max(0, index - 1)
    return workshop_set_state(workshop=workshop, question=questions[index])


# --- Words and questions for later (docs/methodology.md, "Words and questions for later") --

DEFAULT_WORDS_PROMPT = _("In one word: how do IT and OT work together today?")
WORD_LENGTH = 40
QUESTION_LENGTH = 280
QUESTIONS_PER_PHONE = 5  # open questions one phone may park in a session


def words_prompt(workshop: Workshop) -> str:
    return workshop.words_prompt or str(DEFAULT_WORDS_PROMPT)


def workshop_set_activity(
    *, workshop: Workshop, activity: str, prompt: str | None = None
) -> Workshop:
    """What the room does now: vote on the question, give one word, or upvote the questions
    for later. Coming back to the question starts its round again, hidden and open."""
    if activity not in Workshop.Activity.values:
        raise Refused.at(
            "activity", _("%(activity)s is not something the room can do"), activity=repr(activity)
        )
    if prompt is not None:
        prompt = " ".join(prompt.split())[:200]
        workshop.words_prompt = prompt
    if activity != workshop.activity:
        workshop.activity = activity
        workshop.revealed = workshop.locked = False
        workshop.round = 1
    return _save_state(workshop, "activity", "words_prompt", "revealed", "locked", "round")


def clean_word(text: str) -> str:
    """A word as the cloud groups it: trimmed, inner spaces single, lower case."""
    return " ".join((text or "").split()).lower()


WORDS_CLOSED = _("The word cloud has been shown: words can no longer change.")
NOT_WORDS = _("The facilitator has moved on from the word cloud.")


def workshop_word(*, workshop: Workshop, response: Response, text: str) -> WorkshopWord:
    """A participant's word for the cloud (one per session; sending again replaces it)."""
    if workshop.campaign.status != Campaign.Status.OPEN:
        raise SurveyClosed(_("This workshop's assessment is not open."))
    if workshop.mode != Workshop.Mode.PACED or workshop.activity != Workshop.Activity.WORDS:
        raise SurveyClosed(NOT_WORDS)
    if (
        workshop.session_id is None
        or response.workshop_id != workshop.pk
        or response.workshop_session_id != workshop.session_id
    ):
        raise SurveyClosed(VOTE_OTHER_SESSION)
    if response.discarded_at is not None:
        raise SurveyClosed(_("The facilitator set these answers aside."))
    if workshop.revealed:
        raise SurveyClosed(WORDS_CLOSED)
    if workshop.locked:
        raise SurveyClosed(_("The facilitator has closed the word cloud."))
    word = clean_word(text)
    if not word:
        raise Refused.at("word", _("type a word first"))
    if len(word) > WORD_LENGTH or CONTROL_CHARACTERS.search(word):
        raise Refused.at("word", _("one word or a few, at most %(n)s characters"), n=WORD_LENGTH)
    with transaction.atomic():
        session = WorkshopSession.objects.select_for_update().get(pk=workshop.session_id)
        if session.words_revealed:
            raise SurveyClosed(WORDS_CLOSED)
        saved, _created = WorkshopWord.objects.update_or_create(
            session=session, response=response, defaults={"text": word, "hidden": False}
        )
        Response.objects.filter(pk=response.pk).update(updated=timezone.now())
    return saved


def workshop_reveal_words(*, workshop: Workshop, minimum_met: bool) -> Workshop:
    """Show the cloud on the screens and close it for good in this session. Refused while
    fewer than the minimum group size gave a word (rule 8f): `minimum_met` is read by the
    one protection (`selectors.workshops.word_cloud`)."""
    if workshop.session_id is None:
        raise Refused.at("session", _("no session"))
    if not minimum_met:
        raise Refused.at(
            "words",
            _("the cloud shows once %(m)s people have given a word, so that no one is singled out"),
            m=workshop.campaign.min_group_size,
        )
    WorkshopSession.objects.filter(pk=workshop.session_id).update(words_revealed=True)
    workshop.revealed = workshop.locked = True
    return _save_state(workshop, "revealed", "locked")


def workshop_hide_word(*, workshop: Workshop, text: str) -> Workshop:
    """Take a word off the screens (the facilitator's call: a name, a rude word)."""
    WorkshopWord.objects.filter(session_id=workshop.session_id, text=clean_word(text)).update(
        hidden=True
    )
    return _save_state(workshop)


def parking_ask(*, workshop: Workshop, response: Response, text: str) -> ParkingNote:
    """A question from a phone, parked for later; the room upvotes it."""
    campaign = workshop.campaign
    if campaign.status != Campaign.Status.OPEN:
        raise SurveyClosed(_("This workshop's assessment is not open."))
    if response.workshop_id != workshop.pk or response.workshop_session_id != workshop.session_id:
        raise SurveyClosed(VOTE_OTHER_SESSION)
    text = " ".join((text or "").split())
    if len(text) < 3:
        raise Refused.at("question", _("type your question first"))
    if len(text) > QUESTION_LENGTH:
        raise Refused.at("question", _("at most %(n)s characters"), n=QUESTION_LENGTH)
    if CONTROL_CHARACTERS.search(text):
        raise Refused.at("question", _("must not contain control characters"))
    with transaction.atomic():
        asked = ParkingNote.objects.filter(
            session_id=workshop.session_id, asked_by=response, answered=False, hidden=False
        )
        if asked.filter(text__iexact=text).exists():
            raise Refused.at("question", _("you have asked this already"))
        if asked.count() >= QUESTIONS_PER_PHONE:
            raise Refused.at(
                "question",
                _("you have %(n)s open questions already; the facilitator will take them"),
                n=QUESTIONS_PER_PHONE,
            )
        return ParkingNote.objects.create(
            campaign=campaign, text=text, session_id=workshop.session_id, asked_by=response
        )


def parking_note_of(workshop: Workshop, pk: int) -> ParkingNote | None:
    """A question parked in the workshop's current session, not hidden; None otherwise."""
    return ParkingNote.objects.filter(
        pk=pk, session_id=workshop.session_id, session__isnull=False, hidden=False
    ).first()


def parking_upvote(*, workshop: Workshop, response: Response, note: ParkingNote) -> bool:
    """Upvote a question for later, or take the upvote back. Returns whether it is upvoted."""
    if workshop.campaign.status != Campaign.Status.OPEN:
        raise SurveyClosed(_("This workshop's assessment is not open."))
    if response.workshop_session_id != note.session_id or response.workshop_id != workshop.pk:
        raise SurveyClosed(VOTE_OTHER_SESSION)
    if note.asked_by_id == response.pk:
        raise Refused.at("question", _("this is your own question"))
    if note.answered:
        raise Refused.at("question", _("the facilitator has taken this question"))
    removed, _detail = ParkingUpvote.objects.filter(note=note, response=response).delete()
    if removed:
        return False
    try:
        with transaction.atomic():
            ParkingUpvote.objects.create(note=note, response=response)
    except IntegrityError:
        pass  # a double tap: upvoted once
    return True


def parking_mark(*, note: ParkingNote, action: str) -> ParkingNote:
    """The facilitator takes a parked question ("answered", or "open" again) or hides it."""
    if action == "answered":
        note.answered = True
    elif action == "open":
        note.answered = False
    elif action == "hide":
        note.hidden = True
    else:
        raise Refused.at(
            "action", _("%(action)s is not answered, open or hide"), action=repr(action)
        )
    note.save(update_fields=["answered", "hidden"])
    return note


def workshop_set_walk(*, workshop: Workshop, divergent_only: bool) -> Workshop:
    """Whether Next and Previous go through the divergent questions only."""
    workshop.divergent_only = divergent_only
    workshop.save(update_fields=["divergent_only"])
    return workshop
