"""Responses a consultant sets aside as fabricated, and restores (docs/methodology.md,
"Responses set aside").

A discarded response is kept, counted nowhere (`Response.objects.counted()` leaves it out of
scores, completion, the workshop room and exports) and can no longer change. Setting aside and
restoring are changes a consultant controls, so each is held to the privacy rule between two
moments: no group's figures may change by the answers of fewer than the minimum group size
(`suppression.groups_singled_out`), or the figures before and after would show them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.errors import Refused
from assessments.models import Campaign, Response
from assessments.suppression import Key, groups_singled_out
from assessments.vocabulary import ANY

SINGLES_OUT = _(
    "%(action)s these %(count)s would change the figures of %(group)s by fewer than "
    "%(minimum)s responses, and comparing the figures before and after would show those "
    "people's answers. Include more of that group's suspicious responses, or leave it as it is."
)


def _real_key(response: Response) -> Key:
    return (
        response.function,
        response.team.slug if response.team_id and response.team else ANY,
        response.site.slug if response.site_id and response.site else ANY,
    )


def _describe(group: Key) -> str:
    function, team, site = group
    parts = [
        f"function {function}" if function != ANY else "",
        f"team {team}" if team != ANY else "",
        f"site {site}" if site != ANY else "",
    ]
    return ", ".join(p for p in parts if p) or "the whole campaign"


def _check_moment(
    campaign: Campaign, changing: list[Response], *, restoring: bool, action: Any
) -> None:
    """Refuses a change that would let the figures before and after single anyone out."""
    if campaign.is_closed:
        raise Refused.at("", _("%(name)s is closed: its figures are final."), name=campaign.name)
    counted = (
        Response.objects.counted()
        .filter(campaign=campaign, submitted_at__isnull=False)
        .values_list("function", "team__slug", "site__slug")
    )
    before: Counter[Key] = Counter(
        (function, team or ANY, site or ANY) for function, team, site in counted
    )
    after = Counter(before)
    for response in changing:
        if response.submitted_at is not None:
            after[_real_key(response)] += 1 if restoring else -1
    failing = groups_singled_out(before, after, campaign.min_group_size)
    if failing:
        raise Refused.at(
            "",
            SINGLES_OUT,
            action=action,
            count=len(changing),
            group=_describe(min(failing, key=lambda g: (sum(v == ANY for v in g), g))),
            minimum=campaign.min_group_size,
        )
    # The workshop's room shows votes and a word cloud of responses still in progress (rule
    # 8f): the same test on the room, with the function as its only coordinate.
    rooms = {r.workshop_id for r in changing if r.workshop_id}
    answered = _with_answers(changing) if rooms else set()
    for room in rooms:
        voters: Counter[Key] = Counter(
            (function,)
            for function in Response.objects.counted()
            .filter(SHOWN_IN_THE_ROOM, workshop_id=room)
            .distinct()
            .values_list("function", flat=True)
        )
        moved: Counter[Key] = Counter(voters)
        for response in changing:
            if response.workshop_id == room and response.pk in answered:
                moved[(response.function,)] += 1 if restoring else -1
        if groups_singled_out(voters, moved, campaign.min_group_size, hide_order=(0,)):
            raise Refused.at(
                "",
                SINGLES_OUT,
                action=action,
                count=len(changing),
                group="the workshop room's votes",
                minimum=campaign.min_group_size,
            )


# What the room's screens show of a response: its answers (the votes) or its word.
SHOWN_IN_THE_ROOM = Q(answers__isnull=False) | Q(words__isnull=False)


def _with_answers(responses: list[Response]) -> set[int]:
    return set(
        Response.objects.filter(SHOWN_IN_THE_ROOM, pk__in=[r.pk for r in responses])
        .distinct()
        .values_list("pk", flat=True)
    )


def responses_discard(
    *, campaign: Campaign, responses: Iterable[Response], by: Any, reason: str = ""
) -> int:
    """Set aside responses that look fabricated; how many were set aside."""
    reason = " ".join(reason.split())[:200]
    with transaction.atomic():
        changing = list(
            Response.objects.counted()
            .select_for_update(of=("self",))
            .filter(campaign=campaign, pk__in=[r.pk for r in responses])
            .select_related("team", "site")
        )
        if not changing:
            raise Refused.at("", _("No response matches: nothing was set aside."))
        _check_moment(campaign, changing, restoring=False, action=_("Setting aside"))
        now = timezone.now()
        return Response.objects.filter(pk__in=[r.pk for r in changing]).update(
            discarded_at=now, discarded_by=by, discard_reason=reason, updated=now
        )


def responses_restore(*, campaign: Campaign, responses: Iterable[Response]) -> int:
    """Count set-aside responses again; how many were restored."""
    with transaction.atomic():
        changing = list(
            Response.objects.select_for_update(of=("self",))
            .filter(campaign=campaign, discarded_at__isnull=False, pk__in=[r.pk for r in responses])
            .select_related("team", "site")
        )
        if not changing:
            raise Refused.at("", _("No set-aside response matches: nothing changed."))
        _check_moment(campaign, changing, restoring=True, action=_("Restoring"))
        return Response.objects.filter(pk__in=[r.pk for r in changing]).update(
            discarded_at=None, discarded_by=None, discard_reason="", updated=timezone.now()
        )
