"""Counts the campaign page shows while answers arrive: never who answered what."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from assessments.models import Campaign, Function, Response
from assessments.vocabulary import FUNCTIONS


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
        )
    )
    by_team: dict[int | None, dict[str, int]] = {}
    by_function = {f: {"submitted": 0, "in_progress": 0} for f in FUNCTIONS}
    for row in rows:
        team = by_team.setdefault(row["team_id"], {"submitted": 0, "in_progress": 0})
        for key in ("submitted", "in_progress"):
            team[key] += row[key]
            by_function[row["function"]][key] += row[key]
    scope = list(campaign.teams.all()) or list(campaign.organization.teams.all())
    teams = [(team, by_team.get(team.pk, {"submitted": 0, "in_progress": 0})) for team in scope]
    return {
        "teams": teams,
        "no_team": by_team.get(None),
        "functions": [(Function(f).label, counts) for f, counts in by_function.items()],
        "submitted": sum(c["submitted"] for c in by_function.values()),
        "in_progress": sum(c["in_progress"] for c in by_function.values()),
    }
