"""Invitations and the respondent's survey: links, responses, answers, submitting.

Tokens come from `secrets` (192 bits) and only their SHA-256 is stored, so a leaked database
does not leak working links. A link stops working when it is revoked or its campaign closes.
Every answer is saved the moment it is chosen; submitting is idempotent.
"""

from __future__ import annotations

import copy
import logging
import math
import random
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from assessments.errors import Problem, ProblemList, Refused, StrOrPromise
from assessments.models import (
    FUNCTION_KEYS,
    Answer,
    BankVersion,
    Campaign,
    Dimension,
    Invitation,
    Question,
    Response,
    Team,
)
from assessments.services.invitation_mail import (
    INVITATION,
    TOKEN_BYTES,
    derived_token,
    hash_token,
    new_nonce,
    queue_mails,
)
from assessments.services.reports import report_settle
from assessments.vocabulary import CONTROL_CHARACTERS, DECISION_LABELS, DK, NA
from assessments.words import (
    DECISION_TAP,
    DECISION_TEXT,
    DK_LABEL,
    DK_SHORT,
    NA_LABEL,
    NA_OR_UNSURE_LABEL,
    NA_SHORT,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Option:
    value: str
    label: StrOrPromise
    checked: bool
    short: StrOrPromise = ""  # the decision grid's tap target (the full label is its title)


def answer_options(question: Question, answer: Answer | None, seed: str = "") -> list[Option]:
    """The answers a respondent can pick for a question, the saved one checked: its choices
    (or, for a decision question, who decides), then N/A and Don't know where allowed. With
    a `seed` (the response's id, when the campaign shuffles), the choices come in an order of
    that respondent's own, the same on every page load; N/A and Don't know stay last. The
    order changes only what is shown: each option still posts its own key."""
    options: list[Option] = []
    if question.is_decision:
        options += [
            Option(
                key,
                DECISION_TEXT[key],
                answer is not None and answer.decision == key,
                DECISION_TAP[key],
            )
            for key in DECISION_LABELS
        ]
    else:
        options += [
            Option(c.key, c.text, answer is not None and answer.choice_id == c.pk)
            for c in question.choices.all()
        ]
        if seed:
            # Not for secrecy: a stable order per respondent and question.
            random.Random(f"{seed}:{question.key}").shuffle(options)  # noqa: S311  # nosec B311
    if question.allow_na:
        label = NA_LABEL if question.allow_dont_know else NA_OR_UNSURE_LABEL
        options.append(Option(NA, label, answer is not None and answer.is_na, NA_SHORT))
    if question.allow_dont_know:
        options.append(Option(DK, DK_LABEL, answer is not None and answer.is_dk, DK_SHORT))
    return options


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str  # shown once; only its hash is stored


def invitation_create(
    *,
    campaign: Campaign,
    kind: str,
    team: Team | None = None,
    name: str = "",
    email: str = "",
    created_by: Any = None,
    base_url: str | None = None,
    max_responses: int | None = None,
    kiosk: bool = False,
) -> NewInvitation:
    """A person's link or a team's join link, which takes at most `max_responses` people when
    given. A person's link with an `email` is e-mailed when `base_url` (the site's address)
    is given: by a background job, or when the campaign opens if it is a draft. The token is
    returned once."""
    problems = ProblemList()
    if campaign.is_closed:
        problems.add(
            "campaign", _("%(slug)s is closed; it takes no new invitations"), slug=campaign.slug
        )
    if team is not None and team.organization_id != campaign.organization_id:
        problems.add("team", _("not a team of this campaign's organisation"))
    if kind == Invitation.Kind.TEAM and team is None:
        problems.add("team", _("a team join link needs a team"))
    if kind not in Invitation.Kind.values:
        problems.add("kind", _("%(kind)s is not person or team"), kind=repr(kind))
    if CONTROL_CHARACTERS.search(name):
        problems.add("name", _("must not contain line breaks or other control characters"))
    if max_responses is not None and max_responses < 1:
        problems.add("max_responses", _("must be at least 1, or empty for no limit"))
    if max_responses is not None and kind == Invitation.Kind.PERSON:
        problems.add("max_responses", _("a personal link is one response; it takes no limit"))
    if kiosk and kind != Invitation.Kind.TEAM:
        problems.add("kiosk", _("only a team join link runs on a shared tablet"))
    problems.raise_if_any()
    # A link with an address can be e-mailed again (a reminder): its token is derived.
    nonce = new_nonce() if email and kind == Invitation.Kind.PERSON else ""
    token = derived_token(nonce) if nonce else secrets.token_urlsafe(TOKEN_BYTES)
    mail = ""
    if nonce and base_url is not None:
        # Nobody is asked to answer a survey that does not open yet: the e-mail goes when
        # the campaign opens (`send_held_invitations`).
        draft = campaign.status == Campaign.Status.DRAFT
        mail = Invitation.Mail.HELD if draft else Invitation.Mail.QUEUED
    with transaction.atomic():
        invitation = Invitation.objects.create(
            campaign=campaign,
            kind=kind,
            token_hash=hash_token(token),
            token_nonce=nonce,
            team=team,
            name=name,
            email=email,
            created_by=created_by,
            max_responses=max_responses,
            mail=mail,
            kiosk=kiosk,
        )
        if base_url is not None and mail == Invitation.Mail.QUEUED:
            queue_mails([invitation.pk], INVITATION, base_url)
    return NewInvitation(invitation, token)


def send_held_invitations(*, campaign: Campaign, base_url: str) -> int:
    """Queue the e-mails held while `campaign` was a draft. Returns how many."""
    if campaign.status != Campaign.Status.OPEN:
        return 0
    held = list(
        Invitation.objects.filter(
            campaign=campaign, mail=Invitation.Mail.HELD, revoked_at__isnull=True
        ).values_list("pk", flat=True)
    )
    queue_mails(held, INVITATION, base_url)
    return len(held)


def invitation_opened(*, invitation: Invitation) -> None:
    """The first time a link is opened, for the campaign page's "opened" (never what anyone
    answered)."""
    if invitation.opened_at is None:
        invitation.opened_at = timezone.now()
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=invitation.opened_at
        )


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The live invitation for a token, or None (unknown, revoked: the same answer)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("campaign__organization", "team__site")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )


def _new_reference(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def response_start(*, invitation: Invitation, function: str | None = None) -> Response:
    """The response an invitation leads to: a person link always the same one; a team join
    link a new one per visitor. The caller decides whether a visitor is new."""
    campaign = invitation.campaign
    if campaign.status != Campaign.Status.OPEN:
        raise Refused.at("campaign", _("%(slug)s is not open"), slug=campaign.slug)
    if invitation.kind == Invitation.Kind.PERSON:
        existing = Response.objects.filter(invitation=invitation).first()
        if existing is not None:
            return existing
    team = invitation.team
    function = team.function if team is not None else function
    if function not in FUNCTION_KEYS:
        raise Refused.at("function", _("choose the area you work in"))
    prefix = "p" if invitation.kind == Invitation.Kind.PERSON else "w"
    for _attempt in range(3):  # a clash of 32 random bits is unlikely, but possible
        try:
            with transaction.atomic():
                # Two tabs opening one person link at once: one response; a join link's
                # cap holds under concurrent visitors. The row lock (PostgreSQL), or the
                # write lock the touch takes (SQLite), is held while counting.
                locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
                if locked.max_responses is not None:  # only a cap needs the count locked
                    Invitation.objects.filter(pk=locked.pk).update(kind=F("kind"))
                if invitation.kind == Invitation.Kind.PERSON:
                    existing = Response.objects.filter(invitation=locked).first()
                    if existing is not None:
                        return existing
                elif locked.max_responses is not None:
                    taken = Response.objects.counted().filter(invitation=locked).count()
                    if taken >= locked.max_responses:
                        raise Refused.at("", LINK_FULL, n=locked.max_responses)
                response = Response(
                    campaign=campaign,
                    respondent=_new_reference(prefix),
                    invitation=invitation,
                    function=function,
                    team=team,
                    site=team.site if team is not None else None,
                )
                if invitation.kind == Invitation.Kind.TEAM and not invitation.kiosk:
                    response.resume_hash = hash_token(resume_code(response))
                response.save(force_insert=True)
                return response
        except IntegrityError:
            continue
    raise Refused.at("response", _("could not start, please try again"))


# A join link gives each visitor a new response, so a second device cannot find the first
# one by the link: a short code can. Derived from the response's public id and the secret
# key (so it is shown again on the review page without being stored); only its fingerprint
# is kept, to find the response. 8 characters of 32: 40 bits, behind the guessing brake.
RESUME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a phone
RESUME_LENGTH = 8


def resume_code(response: Response) -> str:
    """The response's resume code, as shown: `K7QD-M2XP`."""
    digest = salted_hmac("convergence.resume-code", str(response.public_id)).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = ""
    for _position in range(RESUME_LENGTH):
        number, index = divmod(number, len(RESUME_ALPHABET))
        letters += RESUME_ALPHABET[index]
    return f"{letters[:4]}-{letters[4:]}"


def response_for_resume_code(code: str) -> Response | None:
    """The unsubmitted or submitted response a typed resume code names, or None. Case,
    spaces and dashes do not matter."""
    typed = "".join(ch for ch in (code or "").upper() if ch.isalnum())[:20]
    if len(typed) != RESUME_LENGTH or any(ch not in RESUME_ALPHABET for ch in typed):
        return None
    fingerprint = hash_token(f"{typed[:4]}-{typed[4:]}")
    return (
        Response.objects.counted()
        .select_related("campaign", "invitation")
        .filter(resume_hash=fingerprint, invitation__revoked_at__isnull=True)
        .first()
    )


# --- Pages of the survey -------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyPage:
    number: int  # from 1
    dimension: Dimension
    questions: list[Question]


def survey_pages(response: Response) -> list[SurveyPage]:
    """One page per dimension, with the questions asked of the respondent's function, in
    the respondent's language where the bank has it (docs/languages.md)."""
    campaign = response.campaign
    return pages_for(
        campaign.bank_version, response.function, campaign.left_out, translation.get_language()
    )


# A published bank version never changes (docs/methodology.md, "Question banks"), so its
# questions are read once per process: an answer save or a page reads none. Keyed by the
# version and the moment it was published, never by the id alone.
_PUBLISHED_QUESTIONS: dict[tuple[int, str], list[Question]] = {}
_CACHED_VERSIONS = 32


def bank_questions(version: BankVersion | int) -> list[Question]:
    """The version's questions in survey order, with their dimension and choices. Read once
    per process for a published version (given as the version, not its id); read each time
    for a draft."""
    key = None
    if isinstance(version, BankVersion):
        key = _published_key(version)
        cached = _PUBLISHED_QUESTIONS.get(key) if key else None
        if cached is not None:
            return cached
        version = version.pk
    questions = list(
        Question.objects.filter(version_id=version)
        .select_related("dimension")
        .prefetch_related("choices")
        .in_survey_order()
    )
    if key is not None:
        if len(_PUBLISHED_QUESTIONS) >= _CACHED_VERSIONS:
            _PUBLISHED_QUESTIONS.clear()
        _PUBLISHED_QUESTIONS[key] = questions
    return questions


def bank_question(version: BankVersion | int, key: str) -> Question | None:
    """One question of the version by its key, with its choices (see `bank_questions`)."""
    return next((q for q in bank_questions(version) if q.key == key), None)


_LOCALIZED: dict[tuple[tuple[int, str], str], list[Question]] = {}


def _published_key(version: BankVersion) -> tuple[int, str] | None:
    """What the per-process copies of a version are kept under: a published version, by its
    id and the moment it was published; None for a draft, which is read each time."""
    if version.status != BankVersion.Status.PUBLISHED or version.published_at is None:
        return None
    return (version.pk, version.published_at.isoformat())


def text_language(version: BankVersion, language: str | None) -> str:
    """The language a bank's texts are shown in for `language` (the respondent's): that
    language when the bank has it (its own or a translation), else the bank's own."""
    language = (language or "").lower()
    if language == version.language.lower():
        return version.language
    translations = version.translations or {}
    for tag in (language, language.split("-")[0]):
        if tag and tag in translations:
            return tag
    return version.language


def localized_questions(version: BankVersion, language: str | None) -> list[Question]:
    """The version's questions with their texts in `language` (question, help, choices,
    dimension name and description), each text falling back to the bank's own language
    where the translation leaves it out, never blank. Copies: the shared ones stay as they
    are. Read once per process and language for a published version, like the texts."""
    tag = text_language(version, language)
    base = bank_questions(version)
    if tag == version.language:
        return base
    published = _published_key(version)
    cached = _LOCALIZED.get((published, tag)) if published else None
    if cached is not None:
        return cached
    texts = version.translations.get(tag, {})
    dimensions: dict[int, Any] = {}
    localized = []
    for question in base:
        dimension = dimensions.get(question.dimension_id)
        if dimension is None:
            dimension = copy.copy(question.dimension)
            own = texts.get("dimensions", {}).get(dimension.key, {})
            dimension.name = own.get("name") or dimension.name
            dimension.description = own.get("description") or dimension.description
            dimensions[question.dimension_id] = dimension
        own = texts.get("questions", {}).get(question.key, {})
        twin = copy.copy(question)
        twin.text = own.get("text") or question.text
        twin.help = own.get("help") or question.help
        twin.dimension = dimension
        choices = []
        for choice in question.choices.all():
            choice_twin = copy.copy(choice)
            choice_twin.text = own.get("choices", {}).get(choice.key) or choice.text
            choices.append(choice_twin)
        cached_choices = question.choices.all()._chain()  # type: ignore[attr-defined]
        cached_choices._result_cache = choices
        cached_choices._prefetch_done = True
        twin._prefetched_objects_cache = {"choices": cached_choices}  # type: ignore[attr-defined]
        localized.append(twin)
    if published:
        if len(_LOCALIZED) >= _CACHED_VERSIONS:
            _LOCALIZED.clear()
        _LOCALIZED[(published, tag)] = localized
    return localized


def pages_for(
    version: BankVersion | int,
    function: str,
    left_out: Collection[str] = (),
    language: str | None = None,
) -> list[SurveyPage]:
    """The survey's pages as a respondent of `function` sees them (also the preview's),
    without the questions the campaign leaves out (one site), in `language` where the bank
    has it."""
    pages: list[SurveyPage] = []
    questions = (
        localized_questions(version, language)
        if isinstance(version, BankVersion)
        else bank_questions(version)
    )
    for question in questions:
        if not question.asked_of(function) or question.key in left_out:
            continue
        if not pages or pages[-1].dimension.pk != question.dimension_id:
            pages.append(SurveyPage(len(pages) + 1, question.dimension, []))
        pages[-1].questions.append(question)
    return pages


# How long answering takes (docs/methodology.md, "How long it takes"; measured in
# bench/survey_time.py): reading at an adult's pace, a moment to choose and tap each answer,
# a second per page. The decision grid's legend is read once.
READING_WORDS_PER_MINUTE = 238
SECONDS_PER_ANSWER = 2.0
SECONDS_PER_PAGE = 1.0
DECISION_LEGEND_WORDS = 24


def _words(text: str) -> int:
    return len(text.split())


def answer_minutes(
    version_id: int, left_out: Collection[str] = (), function: str | None = None
) -> int:
    """Whole minutes a respondent of `function` needs for the survey (rounded up); without a
    function, the longest of all functions' paths (what a join link can promise)."""
    questions = list(
        Question.objects.filter(version_id=version_id)
        .exclude(key__in=left_out)
        .prefetch_related("choices")
    )
    functions = [function] if function else list(FUNCTION_KEYS)
    longest = 0.0
    for who in functions:
        asked = [q for q in questions if q.asked_of(who)]
        words = sum(
            _words(q.text) + _words(q.help) + sum(_words(c.text) for c in q.choices.all())
            for q in asked
        )
        if any(q.is_decision for q in asked):
            words += DECISION_LEGEND_WORDS
        seconds = (
            words / READING_WORDS_PER_MINUTE * 60
            + SECONDS_PER_ANSWER * len(asked)
            + SECONDS_PER_PAGE * len({q.dimension_id for q in asked})
        )
        longest = max(longest, seconds)
    return max(1, math.ceil(longest / 60))


def answers_of(response: Response) -> dict[int, Answer]:
    return {a.question_id: a for a in Answer.objects.filter(response=response)}


class SurveyClosed(Refused):
    """The response can no longer change: submitted, or its campaign is not open. The survey
    pages show it as a page of its own (409), not as a problem with an answer."""

    def __init__(self, message: StrOrPromise, **params: Any) -> None:
        super().__init__([Problem("", message, params)])

    @property
    def message(self) -> str:
        return self.problems[0].text


SUBMITTED = _("You have already submitted your answers; they can no longer change.")
DISCARDED = _(
    "The facilitator set these answers aside; they can no longer change. If you think this is "
    "a mistake, tell them."
)
LINK_FULL = _(
    "This link has taken all the responses it allows (%(n)s). Ask the person who sent it."
)


def check_writable(response: Response) -> None:
    campaign = response.campaign
    if campaign.status == Campaign.Status.CLOSED:
        when = campaign.closed_at.date().isoformat() if campaign.closed_at else ""
        raise SurveyClosed(
            _("This assessment closed on %(when)s. Your answers were not changed."), when=when
        )
    if campaign.status != Campaign.Status.OPEN:
        raise SurveyClosed(_("This assessment is not open yet."))
    if response.submitted_at is not None:
        raise SurveyClosed(SUBMITTED)
    if response.invitation_id and response.invitation and response.invitation.revoked_at:
        # Revoking a link also stops the browsers that opened it before.
        raise SurveyClosed(_("This link was withdrawn. Ask the person who sent it for a new one."))
    if response.discarded_at is not None:
        raise SurveyClosed(DISCARDED)


def parse_answer(question: Question, value: str) -> dict[str, Any]:
    """An answer as posted (a choice key, "NA", "DK", or who decides) as the fields an answer
    or a workshop vote stores; refused when it is not an answer to the question."""
    if value == NA:
        if not question.allow_na:
            raise Refused.at(question.key, _("N/A is not an answer to this question"))
        return {"choice": None, "is_na": True, "is_dk": False, "decision": ""}
    if value == DK:
        if not question.allow_dont_know:
            raise Refused.at(question.key, _("Don't know is not an answer to this question"))
        return {"choice": None, "is_na": False, "is_dk": True, "decision": ""}
    if question.is_decision:
        if value not in DECISION_LABELS:
            raise Refused.at(question.key, _('"%(value)s" is not one of its answers'), value=value)
        return {"choice": None, "is_na": False, "is_dk": False, "decision": value}
    choice = next((c for c in question.choices.all() if c.key == value), None)
    if choice is None:
        raise Refused.at(question.key, _('"%(value)s" is not one of its answers'), value=value)
    return {"choice": choice, "is_na": False, "is_dk": False, "decision": ""}


def answer_save(
    *,
    response: Response,
    question: Question,
    value: str | None,
    comment: str | None = None,
) -> Answer | None:
    """Save one answer: a choice key (for a decision question: who decides), "NA", "DK",
    or None to keep the answer and change the comment.

    Refused when the response is submitted or the campaign is not open.
    """
    check_writable(response)
    _check_asked(response, question)
    parsed = parse_answer(question, value) if value is not None else {}
    with transaction.atomic():
        return answer_write(response=response, question=question, parsed=parsed, comment=comment)


def _check_asked(response: Response, question: Question) -> None:
    if question.version_id != response.campaign.bank_version_id or not response.campaign.asks(
        question, response.function
    ):
        raise Refused.at(question.key, _("not a question of this survey"))


def answer_write(
    *,
    response: Response,
    question: Question,
    parsed: dict[str, Any],
    comment: str | None = None,
) -> Answer | None:
    """The write of `answer_save`, inside the caller's transaction: two statements whatever
    was there before (the response's lock, then one insert-or-update of the answer)."""
    touch(response)
    return _upsert(response, [(question, parsed, comment)])[0]


def touch(response: Response) -> None:
    """Submitted means locked, also for an answer that arrives at the same moment as the
    submit: this UPDATE takes the response's row lock (PostgreSQL) or the write lock
    (SQLite) and finds nothing once the submit has committed."""
    if not Response.objects.filter(pk=response.pk, submitted_at__isnull=True).update(
        updated=timezone.now()
    ):
        raise SurveyClosed(SUBMITTED)


ANSWER_FIELDS = ("choice", "is_na", "is_dk", "decision")


def _upsert(
    response: Response, writes: list[tuple[Question, dict[str, Any], str | None]]
) -> list[Answer | None]:
    """Insert or update answers in one statement per kind of write (an answer and its
    comment; an answer alone; a comment alone). A comment alone on a question without an
    answer is stored only when it says something."""
    now = timezone.now()
    saved: list[Answer | None] = []
    groups: dict[tuple[str, ...], list[Answer]] = {}
    for question, parsed, comment in writes:
        comment = comment[:2000] if comment is not None else None
        answer = Answer(response=response, question=question, updated=now, **parsed)
        fields: tuple[str, ...] = tuple(parsed) + (("comment",) if comment is not None else ())
        if comment is not None:
            answer.comment = comment
        if not fields:
            saved.append(None)
            continue
        if not parsed and not comment:
            # Clearing a comment: only where an answer is.
            Answer.objects.filter(response=response, question=question).update(
                comment="", updated=now
            )
            saved.append(None)
            continue
        groups.setdefault(fields, []).append(answer)
        saved.append(answer)
    for fields, answers in groups.items():
        Answer.objects.bulk_create(
            answers,
            update_conflicts=True,
            unique_fields=["response", "question"],
            update_fields=[*fields, "updated"],
        )
    return saved


def page_save(
    *, response: Response, posted: list[tuple[Question, str | None, str | None]]
) -> list[str]:
    """Save a whole page (the form without JavaScript, or "Next" after the answers were
    saved one by one): (question, value, comment) as posted. Only what differs from what is
    stored is written, in one transaction; with JavaScript that is usually nothing. Returns
    the problems of the answers that are not answers (the others are saved)."""
    check_writable(response)
    errors: list[str] = []
    wanted: list[tuple[Question, dict[str, Any], str | None]] = []
    for question, value, comment in posted:
        try:
            _check_asked(response, question)
            parsed = parse_answer(question, value) if value is not None else {}
        except Refused as exc:
            errors += exc.lines
            continue
        wanted.append((question, parsed, comment[:2000] if comment is not None else None))
    stored = {
        a.question_id: a
        for a in Answer.objects.filter(
            response=response, question_id__in=[q.pk for q, _p, _c in wanted]
        )
    }
    changed = [
        (question, parsed, comment)
        for question, parsed, comment in wanted
        if _differs(stored.get(question.pk), parsed, comment)
    ]
    if changed:
        with transaction.atomic():
            touch(response)
            _upsert(response, changed)
    return errors


def _differs(answer: Answer | None, parsed: dict[str, Any], comment: str | None) -> bool:
    if answer is None:
        return bool(parsed) or bool(comment)
    if comment is not None and comment != answer.comment:
        return True
    if not parsed:
        return False
    choice = parsed["choice"]
    return (
        (choice.pk if choice is not None else None) != answer.choice_id
        or parsed["is_na"] != answer.is_na
        or parsed["is_dk"] != answer.is_dk
        or parsed["decision"] != answer.decision
    )


def response_submit(*, response: Response) -> bool:
    """Submit once. Returns True if this call submitted it, False if it already was."""
    if response.submitted_at is None:
        check_writable(response)  # closed, not open yet, or its link withdrawn
    with transaction.atomic():
        now = timezone.now()
        updated = Response.objects.filter(pk=response.pk, submitted_at__isnull=True).update(
            submitted_at=now, updated=now
        )
        if updated:
            report_settle(response.campaign_id)  # its report is rendered once answers settle
    response.refresh_from_db(fields=["submitted_at"])
    return bool(updated)


def unanswered(
    pages: list[SurveyPage], answers: dict[int, Answer]
) -> list[tuple[SurveyPage, Question]]:
    return [
        (page, question)
        for page in pages
        for question in page.questions
        if question.pk not in answers or not _has_answer(answers[question.pk])
    ]


def _has_answer(answer: Answer) -> bool:
    """A choice, N/A, Don't know or who decides; a comment alone is no answer."""
    return bool(answer.choice_id is not None or answer.is_na or answer.is_dk or answer.decision)
