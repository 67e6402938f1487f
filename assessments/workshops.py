"""Live workshops: join by a short code, a facilitator who paces the room, live counts.

Participants join with the code (no account), pick their team and answer on their phone;
every answer is saved the moment it is chosen, as in the survey. In paced mode the phones
follow the facilitator's current question, and its votes stay hidden until revealed.
What the projector polls is built from two aggregate queries, and answers 304 when nothing
changed since the last poll (its ETag).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q

from .fileformats import ImportProblems
from .models import FUNCTION_KEYS, Answer, Campaign, Question, Response, Team, Workshop
from .vocabulary import DK, NA

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
CODE_LENGTH = 6


def workshop_for(campaign: Campaign) -> Workshop:
    """The campaign's workshop, made with a fresh join code on first use."""
    existing = Workshop.objects.filter(campaign=campaign).first()
    if existing is not None:
        return existing
    for _ in range(10):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                return Workshop.objects.create(campaign=campaign, join_code=code)
        except IntegrityError:
            existing = Workshop.objects.filter(campaign=campaign).first()
            if existing is not None:
                return existing
    raise ImportProblems(["workshop: could not make a join code, please try again"])


def workshop_by_code(code: str) -> Workshop | None:
    code = (code or "").strip().upper().replace(" ", "")
    if not code or len(code) > 12:
        return None
    return (
        Workshop.objects.select_related("campaign__organization", "current_question")
        .filter(join_code=code)
        .first()
    )


def workshop_join(*, workshop: Workshop, team: Team) -> Response:
    campaign = workshop.campaign
    if campaign.status != Campaign.Status.OPEN:
        raise ImportProblems([f"campaign: {campaign.name} is not open"])
    if team.organization_id != campaign.organization_id:
        raise ImportProblems(["team: not a team of this organisation"])
    for _ in range(3):
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    campaign=campaign,
                    respondent=f"w-{secrets.token_hex(4)}",
                    function=team.function,
                    team=team,
                    site=team.site,
                )
                return response
        except IntegrityError:
            continue
    raise ImportProblems(["response: could not join, please try again"])


def workshop_set_state(
    *,
    workshop: Workshop,
    mode: str | None = None,
    question: Question | None = None,
    revealed: bool | None = None,
) -> Workshop:
    """Change mode, current question or reveal; a new question starts hidden."""
    if mode is not None:
        if mode not in Workshop.Mode.values:
            raise ImportProblems([f"mode: {mode!r} is not free or paced"])
        workshop.mode = mode
    if question is not None:
        if question.version_id != workshop.campaign.bank_version_id:
            raise ImportProblems(["question: not a question of this campaign"])
        if question.pk != workshop.current_question_id:
            workshop.revealed = False
        workshop.current_question = question
    if revealed is not None:
        workshop.revealed = revealed
    workshop.save(update_fields=["mode", "current_question", "revealed"])
    Workshop.objects.filter(pk=workshop.pk).update(state_version=F("state_version") + 1)
    workshop.refresh_from_db(fields=["state_version"])
    return workshop


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
        Response.objects.filter(campaign=campaign)
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
    counts = {f: {"joined": 0, "answering": 0, "submitted": 0} for f in FUNCTION_KEYS}
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
                response__campaign=campaign, question_id=workshop.current_question_id
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
