"""Counts the campaign page shows while answers arrive: never who answered what."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from assessments.models import Campaign, Function, Response
from assessments.selectors.responses import abandoned_before
from assessments.vocabulary import FUNCTIONS

LOW_RATE = 0.3  # under this share of the people expected, figures may not speak for all


def completion(campaign: Campaign) -> dict[str, Any]:
    """Started and submitted responses per team in scope and per function (two queries).

    These are counts of responses, not figures of answers: the consultant needs them to chase
    teams that have not answered, and no score rests on them (docs/methodology.md, privacy).
    """
    rows = (
        Response.objects.counted()
        .filter(campaign=campaign)
        .order_by()
        .values("team_id", "function")
        .annotate(
            submitted=Count("id", filter=Q(submitted_at__isnull=False)),
            in_progress=Count("id", filter=Q(submitted_at__isnull=True)),
            abandoned=Count(
                "id", filter=Q(submitted_at__isnull=True, updated__lt=abandoned_before())
            ),
        )
    )
    abandoned = 0
    by_team: dict[int | None, dict[str, Any]] = {}
    by_function = {f: {"submitted": 0, "in_progress": 0} for f in FUNCTIONS}
    for row in rows:
        abandoned += row["abandoned"]
        cell = by_team.setdefault(row["team_id"], {"submitted": 0, "in_progress": 0})
        for key in ("submitted", "in_progress"):
            cell[key] += row[key]
            by_function[row["function"]][key] += row[key]
    scope = list(campaign.teams.all()) or list(campaign.organization.teams.all())
    teams = [(t, by_team.get(t.pk, {"submitted": 0, "in_progress": 0})) for t in scope]
    for team, counts in teams:  # rule 16: submitted responses of a team over its headcount
        counts["rate"] = counts["submitted"] / team.headcount if team.headcount else None
    counted = [(team, counts) for team, counts in teams if team.headcount]
    expected = sum(team.headcount or 0 for team, _ in counted)
    return {
        "teams": teams,
        "expected": expected,
        "rate": sum(c["submitted"] for _, c in counted) / expected if expected else None,
        "low_rate": LOW_RATE,
        "no_team": by_team.get(None),
        "functions": [(Function(f).label, counts) for f, counts in by_function.items()],
        "submitted": sum(c["submitted"] for c in by_function.values()),
        "in_progress": sum(c["in_progress"] for c in by_function.values()),
        "abandoned": abandoned,
        "abandoned_hours": settings.ABANDONED_AFTER_HOURS,
    }
