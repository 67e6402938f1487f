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
    Question,
    Response,
    Team,
    Workshop,
    WorkshopSession,
    WorkshopVote,
)
from assessments.services.survey import SurveyClosed, answer_save, parse_answer

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
        if question.pk != workshop.current_question_id:
            workshop.revealed = workshop.locked = False
            workshop.round = 1
        workshop.current_question = question
    if revealed is not None:
        workshop.revealed = revealed
        if revealed:
            workshop.locked = True
    if locked is not None:
        workshop.locked = locked
    return _save_state(workshop, "mode", "current_question", "revealed", "locked", "round")


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
        voted_in = workshop.round if round is None else round
        if state.round != voted_in or state.current_question_id != question.pk:
            raise SurveyClosed(VOTE_MOVED)
        vote, _created = WorkshopVote.objects.update_or_create(
            session_id=state.session_id,
            question=question,
            round=state.round,
            response=response,
            defaults=parsed,
        )
        if state.round == 1 and response.submitted_at is None and response.discarded_at is None:
            answer_save(response=response, question=question, value=value)  # touches `updated`
        else:
            # The phone's poll ETag carries `updated`: a poll that raced this vote shows it next.
            Response.objects.filter(pk=response.pk).update(updated=timezone.now())
    return vote


def workshop_step(*, workshop: Workshop, action: str) -> Workshop:
    """The facilitator's next or previous question, in survey order (it stays at the ends)."""
    questions = list(
        Question.objects.filter(version=workshop.campaign.bank_version)
        .exclude(key__in=workshop.campaign.left_out)
        .in_survey_order()
    )
    if not questions or action not in ("next", "previous"):
        return workshop
    keys = [q.pk for q in questions]
    index = keys.index(workshop.current_question_id) if workshop.current_question_id in keys else -1
    index = min(len(keys) - 1, index + 1) if action == "next" else max(0, index - 1)
    return workshop_set_state(workshop=workshop, question=questions[index])
