"""Live workshops, the reads: what the projector and the phones poll.

The projector's state is built from two aggregate queries whatever the size of the room,
and its ETag changes only when something it shows changes (the views answer 304 otherwise).
Votes follow rule 8f of docs/methodology.md: the room's votes show only from the minimum
group size.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q

from assessments.models import Answer, Response, Workshop
from assessments.vocabulary import DK, FUNCTIONS, NA


def workshop_by_code(code: str) -> Workshop | None:
    code = (code or "").strip().upper().replace(" ", "")
    if not code or len(code) > 12:
        return None
    return (
        Workshop.objects.select_related("campaign__organization", "current_question")
        .filter(join_code=code)
        .first()
    )


@dataclass(frozen=True)
class RoomState:
    etag: str
    counts: dict[str, dict[str, int]]  # function -> joined / answering / submitted
    totals: dict[str, int]
    # The current question's votes, choice key -> votes: None until at least the minimum
    # group size has voted (rule 8f).
    distribution: dict[str, int] | None
    votes: int = 0


def room_state(workshop: Workshop) -> RoomState:
    """Two aggregate queries, whatever the size of the room."""
    campaign = workshop.campaign
    rows = (
        Response.objects.counted()
        .filter(campaign=campaign)
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
    votes = 0
    if workshop.current_question_id:
        cast: dict[str, dict[str, int]] = {}
        for row in (
            Answer.objects.filter(
                response__campaign=campaign,
                response__discarded_at__isnull=True,
                question_id=workshop.current_question_id,
            )
            .filter(Q(choice__isnull=False) | Q(is_na=True) | Q(is_dk=True))
            .order_by()
            .values("response__function", "choice__key", "is_na", "is_dk")
            .annotate(n=Count("id"))
        ):
            key = NA if row["is_na"] else DK if row["is_dk"] else row["choice__key"]
            function = cast.setdefault(row["response__function"], {})
            function[key] = function.get(key, 0) + row["n"]
        distribution, votes = room_votes(cast, campaign.min_group_size)
    totals = {k: sum(c[k] for c in counts.values()) for k in ("joined", "answering", "submitted")}
    material = repr((workshop.state_version, sorted(latest), totals, distribution))
    return RoomState(
        etag=hashlib.sha256(material.encode()).hexdigest()[:32],
        counts=counts,
        totals=totals,
        distribution=distribution,
        votes=votes,
    )


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
    return f"{workshop.state_version}-{response.pk}"


def vote_shares(workshop: Workshop, state: RoomState) -> list[dict[str, Any]]:
    """The current question's choices with their votes and share of the room, in the
    question's order; empty while the votes are hidden by rule 8f."""
    question = workshop.current_question
    if question is None or state.distribution is None:
        return []
    total = sum(state.distribution.values())
    shares = []
    for choice in question.choices.all():
        votes = state.distribution.get(choice.key, 0)
        shares.append(
            {
                "key": choice.key,
                "text": choice.text,
                "votes": votes,
                "percent": round(100 * votes / total) if total else 0,
            }
        )
    return shares
