"""Where anonymous responses came from, for spotting fabricated ones: each team join link and
the workshop code, with counts only (docs/methodology.md, "Responses set aside").

Nothing here is derived from answers but how many there are; no response is listed one by
one, so nothing links a raw-answer row to a link, a time or a team it does not show itself.
Four queries, whatever the campaign's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Campaign, Invitation, Response, Team, Workshop

# Faster than this per answered question (or a submit with no answer at all) is not reading.
FAST_SECONDS_PER_ANSWER = 2
BURST_WINDOW = timedelta(minutes=1)


def abandoned_before() -> datetime:
    """A response still in progress and untouched since this moment is shown as abandoned
    (`ABANDONED_AFTER_HOURS`, 2 by default): a join link opened on a second device, a phone
    put away. It still counts as in progress until a consultant sets it aside."""
    return timezone.now() - timedelta(hours=settings.ABANDONED_AFTER_HOURS)


@dataclass
class Source:
    key: str  # "link-<id>" or "workshop"
    label: str
    team: Team | None
    revoked: bool = False
    cap: int | None = None
    joined: int = 0
    submitted: int = 0
    fast: int = 0
    discarded: int = 0
    abandoned: int = 0  # in progress, untouched for ABANDONED_AFTER_HOURS
    burst: int = 0  # most responses that joined within one minute
    burst_from: datetime | None = None
    burst_to: datetime | None = None
    created: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class TeamFill:
    team: Team
    responses: int

    @property
    def over(self) -> bool:
        return bool(self.team.headcount) and self.responses > (self.team.headcount or 0)


def _is_fast(created: datetime, submitted_at: datetime | None, answers: int) -> bool:
    if submitted_at is None:
        return False
    seconds = (submitted_at - created).total_seconds()
    return seconds < FAST_SECONDS_PER_ANSWER * max(answers, 1)


def _densest(times: list[datetime]) -> tuple[int, datetime | None, datetime | None]:
    """The most times within BURST_WINDOW of each other, and the first and last of them."""
    times = sorted(times)
    best, start, end = 0, None, None
    left = 0
    for right, moment in enumerate(times):
        while moment - times[left] > BURST_WINDOW:
            left += 1
        if right - left + 1 > best:
            best, start, end = right - left + 1, times[left], moment
    return best, start, end


def sources(campaign: Campaign) -> list[Source]:
    """Every join link and the workshop, with what came through each."""
    found: dict[str, Source] = {}
    for invitation in (
        Invitation.objects.filter(campaign=campaign, kind=Invitation.Kind.TEAM)
        .select_related("team")
        .order_by("created", "id")
    ):
        team_name = invitation.team.name if invitation.team else _("no team")
        found[f"link-{invitation.pk}"] = Source(
            key=f"link-{invitation.pk}",
            label=str(_("Join link #%(id)s, %(team)s") % {"id": invitation.pk, "team": team_name}),
            team=invitation.team,
            revoked=invitation.is_revoked,
            cap=invitation.max_responses,
        )
    workshop = Workshop.objects.filter(campaign=campaign).first()
    if workshop is not None:
        found["workshop"] = Source(
            key="workshop",
            label=str(_("Workshop code %(code)s") % {"code": workshop.join_code}),
            team=None,
            cap=workshop.max_participants,
        )
    rows = (
        Response.objects.filter(campaign=campaign)
        .filter(Q(invitation__kind=Invitation.Kind.TEAM) | Q(workshop__isnull=False))
        .annotate(answer_count=Count("answers"))
        .values_list(
            "invitation_id",
            "workshop_id",
            "created",
            "submitted_at",
            "discarded_at",
            "answer_count",
            "updated",
        )
    )
    stale = abandoned_before()
    for invitation_id, workshop_id, created, submitted_at, discarded_at, answers, updated in rows:
        source = found.get("workshop" if workshop_id else f"link-{invitation_id}")
        if source is None:
            continue
        if discarded_at is not None:
            source.discarded += 1
            continue
        source.joined += 1
        source.submitted += submitted_at is not None
        source.abandoned += submitted_at is None and updated < stale
        source.fast += _is_fast(created, submitted_at, answers)
        source.created.append(created)
    for source in found.values():
        source.burst, source.burst_from, source.burst_to = _densest(source.created)
    return list(found.values())


def team_fill(campaign: Campaign) -> list[TeamFill]:
    """Each team with a headcount and its counted responses (all sources)."""
    counts = dict(
        Response.objects.counted()
        .filter(campaign=campaign, team__isnull=False)
        .order_by()
        .values_list("team_id")
        .annotate(n=Count("id"))
    )
    return [
        TeamFill(team, counts.get(team.pk, 0))
        for team in Team.objects.filter(
            organization_id=campaign.organization_id, headcount__gt=0
        ).order_by("name")
    ]


def source_responses(
    campaign: Campaign,
    key: str,
    which: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Response]:
    """The responses of one source a consultant picked: `all` counted ones, the `fast` ones,
    those that joined `since`..`until` (`burst`), the `abandoned` ones, or the `discarded`
    ones (to restore)."""
    queryset = Response.objects.filter(campaign=campaign)
    if key == "workshop":
        queryset = queryset.filter(workshop__isnull=False)
    elif key.startswith("link-") and key[5:].isdigit():
        queryset = queryset.filter(invitation_id=int(key[5:]), invitation__kind="team")
    else:
        return []
    if which == "discarded":
        return list(queryset.filter(discarded_at__isnull=False))
    queryset = queryset.counted()
    if which == "burst":
        if since is None or until is None:
            return []
        return list(queryset.filter(created__gte=since, created__lte=until))
    if which == "fast":
        return [
            r
            for r in queryset.filter(submitted_at__isnull=False).annotate(
                answer_count=Count("answers")
            )
            if _is_fast(r.created, r.submitted_at, r.answer_count)
        ]
    if which == "abandoned":
        return list(queryset.filter(submitted_at__isnull=True, updated__lt=abandoned_before()))
    if which == "all":
        return list(queryset)
    return []
