"""Live workshops, the reads: what the projector and the phones poll.

The projector's state is built from two aggregate queries whatever the size of the room,
and its ETag changes only when something it shows changes (the views answer 304 otherwise).
Votes follow rule 8f of docs/methodology.md: the room's votes show only from the minimum
group size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from assessments.errors import StrOrPromise
from assessments.models import (
    Function,
    ParkingNote,
    Response,
    Workshop,
    WorkshopSession,
    WorkshopVote,
    WorkshopWord,
)
from assessments.scoring import UNIFORM_VARIANCE
from assessments.suppression import protect_votes
from assessments.vocabulary import ANY, DECISION_LABELS, DK, FUNCTIONS, NA
from assessments.words import DECISION_TEXT


def workshop_by_code(code: str) -> Workshop | None:
    code = (code or "").strip().upper().replace(" ", "")
    if not code or len(code) > 12:
        return None
    return (
        Workshop.objects.select_related(
            "campaign__organization", "campaign__bank_version", "current_question"
        )
        .filter(join_code=code)
        .first()
    )


@dataclass(frozen=True)
class RoomState:
    etag: str
    counts: dict[str, dict[str, int]]  # function -> joined / answering / submitted
    totals: dict[str, int]
    # The current question's votes in this session and round, answer -> votes: None until at
    # least the minimum group size has voted (rule 8f).
    distribution: dict[str, int] | None
    votes: int = 0
    # The same votes per protected function class (rule 8f: a function with fewer than the
    # minimum votes joins "*"), function -> answer -> votes; empty while `distribution` is None.
    split: dict[str, dict[str, int]] | None = None
    cloud: WordCloud | None = None  # in the word cloud activity
    parking: tuple[int, ...] = ()  # the queue's digest (parking_digest)


def room_state(workshop: Workshop) -> RoomState:
    """Two aggregate queries, whatever the size of the room: the people in the current
    session (a new session starts from nothing) and their votes in the current round."""
    campaign = workshop.campaign
    rows = (
        Response.objects.counted()
        .filter(campaign=campaign, workshop_session_id=workshop.session_id)
        .order_by()
        .values("function")
        .annotate(
            joined=Count("id", distinct=True),  # distinct: the join to answers repeats rows
            answering=Count(
                "id", filter=Q(submitted_at__isnull=True, answers__isnull=False), distinct=True
            ),
            submitted=Count("id", filter=Q(submitted_at__isnull=False), distinct=True),
            latest=Max("updated"),
        )
    )
    counts = {f: {"joined": 0, "answering": 0, "submitted": 0} for f in FUNCTIONS}
    latest = []
    for row in rows:
        counts[row["function"]] = {k: row[k] for k in ("joined", "answering", "submitted")}
        latest.append(str(row["latest"]))
    distribution = None
    split = None
    votes = 0
    if workshop.current_question_id:
        cast = round_votes(workshop, workshop.round)
        distribution, votes = room_votes(cast, campaign.min_group_size)
        if distribution is not None:
            split = split_votes(cast, campaign.min_group_size)
            if set(split) == {ANY}:
                split = {}  # one class is the room itself: nothing to set side by side
    cloud = word_cloud(workshop) if workshop.activity == Workshop.Activity.WORDS else None
    parking = parking_digest(workshop)
    totals = {k: sum(c[k] for c in counts.values()) for k in ("joined", "answering", "submitted")}
    material = repr(
        (workshop.state_version, sorted(latest), totals, distribution, votes, cloud, parking)
    )
    return RoomState(
        etag=hashlib.sha256(material.encode()).hexdigest()[:32],
        counts=counts,
        totals=totals,
        distribution=distribution,
        votes=votes,
        split=split,
        cloud=cloud,
        parking=parking,
    )


def round_votes(workshop: Workshop, number: int) -> dict[str, dict[str, int]]:
    """The current question's votes in the current session and round `number`, per real
    function: function -> answer -> votes (one aggregate query). Never shown as such: see
    `room_votes` and `split_votes`."""
    cast: dict[str, dict[str, int]] = {}
    if workshop.current_question_id is None or workshop.session_id is None:
        return cast
    for row in (
        WorkshopVote.objects.filter(
            session_id=workshop.session_id,
            question_id=workshop.current_question_id,
            round=number,
            response__discarded_at__isnull=True,
        )
        .order_by()
        .values("response__function", "choice__key", "is_na", "is_dk", "decision")
        .annotate(n=Count("id"))
    ):
        key = NA if row["is_na"] else DK if row["is_dk"] else row["choice__key"] or row["decision"]
        function = cast.setdefault(row["response__function"], {})
        function[key] = function.get(key, 0) + row["n"]
    return cast


def split_votes(cast: dict[str, dict[str, int]], minimum: int) -> dict[str, dict[str, int]]:
    """Rule 8f: the votes per protected function class. A function with fewer than `minimum`
    votes joins "*" (and, if "*" is still too small, the smallest shown ones join it too), so
    every class shown holds at least `minimum` votes and none can be worked out from the
    room's total by subtraction."""
    sizes = {function: sum(counts.values()) for function, counts in cast.items()}
    mapping = protect_votes(sizes, minimum)
    classes: dict[str, dict[str, int]] = {}
    for function, counts in cast.items():
        target = classes.setdefault(mapping.get(function, ANY), {})
        for key, n in counts.items():
            target[key] = target.get(key, 0) + n
    if any(sum(votes.values()) < minimum for votes in classes.values()):
        return {}  # never a class beside the total that subtraction would open up
    return classes


def room_votes(cast: dict[str, dict[str, int]], minimum: int) -> tuple[dict[str, int] | None, int]:
    """Rule 8f: the room's votes per answer (cast per function), shown only when at least
    `minimum` people voted. A split by function must go through
    `suppression.protect_votes` (small functions joined into "*")."""
    votes = sum(sum(counts.values()) for counts in cast.values())
    if votes < minimum:
        return None, votes
    room: dict[str, int] = {}
    for counts in cast.values():
        for key, n in counts.items():
            room[key] = room.get(key, 0) + n
    return room, votes


def participant_etag(workshop: Workshop, response: Response) -> str:
    # `updated` moves with the phone's own vote: a poll that was answered while the vote was
    # on its way (and showed it not yet) is followed by one that shows it.
    return (
        f"{workshop.state_version}-{response.pk}-{response.workshop_session_id}-"
        f"{response.updated.timestamp()}"
    )


SPLIT_ORDER = ("it", "ot", "leadership", "business", "other", ANY)


def answer_labels(question: Any) -> list[tuple[str, StrOrPromise]]:
    """A question's answers as a vote counts them, in its order: its choices (or who
    decides), then N/A and Don't know where it allows them."""

    labels: list[tuple[str, StrOrPromise]]
    if question.is_decision:
        labels = [(key, DECISION_TEXT[key]) for key in DECISION_LABELS]
    else:
        labels = [(c.key, c.text) for c in question.choices.all()]
    if question.allow_na:
        labels.append((NA, _("Does not apply")))
    if question.allow_dont_know:
        labels.append((DK, _("Don't know")))
    return labels


def vote_shares(workshop: Workshop, state: RoomState) -> list[dict[str, Any]]:
    """The current question's answers with their votes and share of the room, in the
    question's order, and the same per protected function class (`by`: rule 8f); empty
    while the votes are hidden by rule 8f."""
    question = workshop.current_question
    if question is None or state.distribution is None:
        return []
    total = sum(state.distribution.values())
    split = state.split or {}
    classes = [name for name in SPLIT_ORDER if name in split]
    shares = []
    for key, text in answer_labels(question):
        votes = state.distribution.get(key, 0)
        if not votes and key in (NA, DK):
            continue  # an empty non-answer row says nothing
        shares.append(
            {
                "key": key,
                "text": text,
                "votes": votes,
                "percent": _percent(votes, total),
                "by": [
                    {
                        "function": name,
                        "votes": split[name].get(key, 0),
                        "percent": _percent(split[name].get(key, 0), sum(split[name].values())),
                    }
                    for name in classes
                ],
            }
        )
    return shares


def split_names(state: RoomState) -> list[tuple[str, StrOrPromise, int]]:
    """The classes the reveal shows side by side: (key, name, votes)."""
    return class_names({k: sum(votes.values()) for k, votes in (state.split or {}).items()})


def class_names(sizes: Mapping[str, int]) -> list[tuple[str, StrOrPromise, int]]:
    """Protected function classes in display order as (key, name, size); "*" is "Others"."""
    names: dict[str, StrOrPromise] = {**dict(Function.choices), ANY: _("Others")}
    return [(k, names[k], sizes[k]) for k in SPLIT_ORDER if k in sizes]


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass(frozen=True)
class Movement:
    """How the room moved between two rounds on one question, per protected class."""

    before: int  # the round compared with (this one minus one)
    after: int
    people: int  # who voted in both rounds: the only people compared
    rows: list[dict[str, Any]]  # name, n, mean and agreement before/after, their changes
    hidden: StrOrPromise = ""  # why nothing is shown, when it is not


def movement(workshop: Workshop) -> Movement | None:
    """Rule 8f between two moments: the change from the last round to this one, over the
    people who voted in both (a person in only one round would otherwise be the difference
    of two shown figures). Shown only when at least the minimum voted in both and those in
    only one round are none or at least the minimum; per protected function class only when
    nobody voted in just one round and every class holds the minimum."""
    if workshop.round < 2 or workshop.current_question_id is None or workshop.session_id is None:
        return None
    return movement_between(
        workshop.session_id,
        workshop.current_question_id,
        workshop.round - 1,
        workshop.round,
        workshop.campaign.min_group_size,
    )


def discussion_record(campaign: Any) -> list[dict[str, Any]]:
    """Every question a workshop of `campaign` voted on again, per session: its last two
    rounds' movement (for the report's "What the discussion changed")."""
    rounds = (
        WorkshopVote.objects.filter(session__workshop__campaign=campaign)
        .order_by()
        .values("session_id", "session__number", "question_id", "question__key", "question__text")
        .annotate(last=Max("round"))
        .filter(last__gte=2)
        .order_by("session__number", "question__key")
    )
    return [
        {
            "session": row["session__number"],
            "key": row["question__key"],
            "text": row["question__text"],
            "movement": movement_between(
                row["session_id"],
                row["question_id"],
                row["last"] - 1,
                row["last"],
                campaign.min_group_size,
            ),
        }
        for row in rounds
    ]


def movement_between(
    session_id: int, question_id: int, before: int, after: int, minimum: int
) -> Movement:
    """The movement from round `before` to round `after` (see `movement`)."""
    votes = (
        WorkshopVote.objects.filter(
            session_id=session_id,
            question_id=question_id,
            round__in=(before, after),
            response__discarded_at__isnull=True,
        )
        .order_by()
        .values_list("round", "response_id", "response__function", "choice__score")
    )
    by_round: dict[int, dict[int, tuple[str, float | None]]] = {before: {}, after: {}}
    for number, response_id, function, score in votes:
        by_round[number][response_id] = (function, score)
    paired = by_round[before].keys() & by_round[after].keys()
    alone = len(by_round[before].keys() ^ by_round[after].keys())
    result = Movement(before=before, after=after, people=len(paired), rows=[])
    if len(paired) < minimum:
        return Movement(before, after, len(paired), [], _("fewer than the minimum voted in both"))
    if 0 < alone < minimum:
        return Movement(before, after, len(paired), [], _("too few voted in only one round"))
    sizes: dict[str, int] = {}
    for response_id in paired:
        function = by_round[after][response_id][0]
        sizes[function] = sizes.get(function, 0) + 1
    mapping = protect_votes(sizes, minimum)
    classes: dict[str, list[int]] = {}
    for response_id in paired:
        classes.setdefault(mapping.get(by_round[after][response_id][0], ANY), []).append(
            response_id
        )
    if (
        alone
        or any(len(members) < minimum for members in classes.values())
        or set(classes) == {ANY}
    ):
        # Per function only when everyone voted in both rounds (otherwise a function's
        # earlier reveal minus its column here could be the few who voted once), and not
        # when the one class is everyone.
        classes = {}
    groups: list[tuple[StrOrPromise, list[int]]] = [(_("Everyone"), sorted(paired))] + [
        (name, classes[key])
        for key, name, _n in class_names({k: len(v) for k, v in classes.items()})
    ]
    for name, members in groups:
        first = _stats([by_round[before][r][1] for r in members])
        second = _stats([by_round[after][r][1] for r in members])
        result.rows.append(
            {
                "name": name,
                "n": len(members),
                "mean_before": first[0],
                "mean_after": second[0],
                "mean_change": _change(first[0], second[0]),
                "agreement_before": first[1],
                "agreement_after": second[1],
                "agreement_change": _change(first[1], second[1]),
            }
        )
    return result


def _stats(scores: list[float | None]) -> tuple[float | None, float | None]:
    """Mean and r_wg agreement (docs/methodology.md, rule 1) of the scored votes; N/A, Don't
    know and who-decides votes have no score and are left out."""
    values = [float(s) for s in scores if s is not None]
    if not values:
        return None, None
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return round(mean, 3), round(max(0.0, 1 - variance / float(UNIFORM_VARIANCE)), 3)


def _change(first: float | None, second: float | None) -> float | None:
    return None if first is None or second is None else round(second - first, 3)


# --- Words and questions for later -----------------------------------------------------------


@dataclass(frozen=True)
class WordCloud:
    """The session's words. `words` (text, people, size 1-5) only once revealed and given by
    at least the minimum group size (rule 8f: the cloud rests on the room, never on fewer);
    `given` is a count of people, shown as it is."""

    given: int
    shown: bool
    minimum_met: bool
    words: list[tuple[str, int, int]]


def word_cloud(workshop: Workshop, revealed: bool | None = None) -> WordCloud:
    """One aggregate query: the words of the current session, grouped, without the ones the
    facilitator hid and without set-aside responses. `revealed` saves reading the session
    when the caller knows it."""
    if workshop.session_id is None:
        return WordCloud(0, False, False, [])
    rows = list(
        WorkshopWord.objects.filter(
            session_id=workshop.session_id, hidden=False, response__discarded_at__isnull=True
        )
        .order_by()
        .values("text")
        .annotate(n=Count("id"))
    )
    if revealed is None:
        revealed = WorkshopSession.objects.filter(
            pk=workshop.session_id, words_revealed=True
        ).exists()
    given = sum(row["n"] for row in rows)
    minimum_met = given >= workshop.campaign.min_group_size
    if not (revealed and minimum_met):
        return WordCloud(given, False, minimum_met, [])
    most = max(row["n"] for row in rows)
    words = sorted(
        (
            (row["text"], row["n"], 1 + round(4 * (row["n"] - 1) / (most - 1)) if most > 1 else 3)
            for row in rows
        ),
        key=lambda word: (-word[1], word[0]),
    )
    return WordCloud(given, True, True, words)


@dataclass(frozen=True)
class Parked:
    pk: int
    text: str
    upvotes: int  # a count of people, no function, team or site: shown as it is
    answered: bool
    mine: bool = False  # asked from this phone
    upvoted: bool = False  # upvoted from this phone


def parking_queue(workshop: Workshop, response: Response | None = None) -> list[Parked]:
    """The session's questions for later, most upvoted first, taken ones last (one query).
    Never says who asked or who upvoted."""
    if workshop.session_id is None:
        return []
    notes = (
        ParkingNote.objects.filter(session_id=workshop.session_id, hidden=False)
        .order_by()
        .annotate(n=Count("upvotes"))
    )
    if response is not None:
        notes = notes.annotate(mine_n=Count("upvotes", filter=Q(upvotes__response=response)))
    queue = [
        Parked(
            note.pk,
            note.text,
            note.n,
            note.answered,
            mine=response is not None and note.asked_by_id == response.pk,
            upvoted=bool(getattr(note, "mine_n", 0)),
        )
        for note in notes
    ]
    return sorted(queue, key=lambda p: (p.answered, -p.upvotes, p.pk))


def parking_digest(workshop: Workshop) -> tuple[int, ...]:
    """What the screens' ETag needs to move when the queue changes (one aggregate query)."""
    if workshop.session_id is None:
        return ()
    row = ParkingNote.objects.filter(session_id=workshop.session_id).aggregate(
        notes=Count("id", distinct=True),
        upvotes=Count("upvotes"),
        answered=Count("id", filter=Q(answered=True), distinct=True),
        hidden=Count("id", filter=Q(hidden=True), distinct=True),
        last=Max("id"),
    )
    return (row["notes"], row["upvotes"], row["answered"], row["hidden"], row["last"] or 0)


def in_language(
    version: Any, question: Any, shares: list[dict[str, Any]], language: str | None
) -> tuple[Any, list[dict[str, Any]]]:
    """The question and the room's answers' texts in `language` where the bank has it
    (docs/languages.md); unchanged otherwise. No query once the bank's texts are read."""
    from assessments.services.survey import localized_questions, text_language

    if text_language(version, language) == version.language:
        return question, shares
    twin = next(
        (q for q in localized_questions(version, language) if q.key == question.key), question
    )
    texts = dict(answer_labels(twin))
    return twin, [{**share, "text": texts.get(share["key"], share["text"])} for share in shares]
