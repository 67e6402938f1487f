"""The roadmap in rows and the "did it work" view: plain data every surface renders (the
dashboard, the PDF, the Word report and the deck), so they never tell different stories.

No queries: the functions take initiatives already read, the score documents and the labels.
Initiatives are the consultant's plan and are scored nowhere; "did it work" reads only figures
the view already shows (each dimension's score then and now, rule 12's `delta`, and the two
scores' standard errors), so it adds no figure the privacy rule has not passed
(docs/methodology.md, "Roadmap initiatives").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from assessments.documents import ScoreDocument, shown
from assessments.formatting import places, signed
from assessments.models import Initiative
from assessments.outputs.charts import Labels


def quadrant(initiative: Initiative) -> str:
    """Where it sits on the impact/effort matrix: "quick-win" (more impact than effort),
    "reconsider" (less), "big-bet" (high both) or "steady" (as much of each)."""
    if initiative.impact > initiative.effort:
        return "quick-win"
    if initiative.impact < initiative.effort:
        return "reconsider"
    return "big-bet" if initiative.impact == Initiative.Level.HIGH else "steady"


def quadrant_name(key: str) -> str:
    return {
        "quick-win": _("quick win"),
        "big-bet": _("big bet"),
        "reconsider": _("reconsider"),
        "steady": _("steady step"),
    }[key]


def header() -> list[str]:
    """The roadmap table's column names (the Word report and the deck)."""
    return [
        "#",
        _("Initiative"),
        pgettext("initiative", "Owner"),
        _("Horizon"),
        _("Impact"),
        _("Effort"),
        _("Status"),
    ]


def did_it_work_header() -> list[str]:
    return [_("Initiative"), _("Dimension"), _("Then"), _("Now"), _("Change"), _("Verdict")]


def change_text(move: Mapping[str, Any]) -> str:
    """A dimension's change with its noise: "+0.72 ± 0.13", or a dash when not shown."""
    if move["delta"] is None:
        return "\u2013"
    noise = f" ± {places(move['noise'])}" if move["noise"] is not None else ""
    return signed(move["delta"]) + noise


def rows(initiatives: Iterable[Initiative], labels: Labels) -> list[dict[str, Any]]:
    """The roadmap's rows in its order (soonest first, then most impact for least effort),
    numbered as the matrix numbers them."""
    result = []
    for number, initiative in enumerate(initiatives, start=1):
        result.append(
            {
                "number": number,
                "initiative": initiative,
                "pk": initiative.pk,
                "title": initiative.title,
                "owner": initiative.owner,
                "horizon": initiative.get_horizon_display(),
                "effort": initiative.get_effort_display(),
                "impact": initiative.get_impact_display(),
                "status": initiative.get_status_display(),
                "quadrant": quadrant_name(quadrant(initiative)),
                "dimensions": [labels.dimension(k) for k in initiative.dimensions],
                "questions": [
                    {"key": k, "text": labels.questions.get(k, k)} for k in initiative.questions
                ],
            }
        )
    return result


def _noise(before: float | None, after: float | None) -> float | None:
    """Twice the standard error of a change between two independent scores."""
    if before is None or after is None:
        return None
    return 2 * math.sqrt(before**2 + after**2)


# A dimension's verdict in "did it work", in the reader's language.
VERDICTS = {
    "up": gettext_lazy("moved up"),
    "down": gettext_lazy("moved down"),
    "unclear": gettext_lazy("no clear change"),
    "hidden": gettext_lazy("not shown"),
}


def did_it_work(
    initiatives: Sequence[Initiative],
    doc: ScoreDocument,
    baseline_doc: ScoreDocument | None,
    labels: Labels,
) -> list[dict[str, Any]]:
    """For each initiative of the baseline campaign, its dimensions then and now: the change
    (rule 12's delta, the same view), its noise (twice the standard error of a difference of
    two independent scores) and a verdict: "up" when the change exceeds its noise upward,
    "down" when downward, "unclear" within it, "hidden" when the view shows no change."""
    found: Mapping[str, Any] | None = doc.get("progress")
    progress: Mapping[str, Any] = (found or {}).get("dimensions") or {}
    now = shown(doc["overall"])
    then = shown(baseline_doc["overall"]) if baseline_doc is not None else None
    dims_now: Mapping[str, Any] = now["dimensions"] if now else {}
    dims_then: Mapping[str, Any] = then["dimensions"] if then else {}
    result = []
    for row in rows(initiatives, labels):
        initiative = row["initiative"]
        moves = []
        for key in initiative.dimensions:
            delta = (progress.get(key) or {}).get("delta")
            before = dims_then.get(key) or {}
            after = dims_now.get(key) or {}
            noise = _noise(before.get("se"), after.get("se"))
            if delta is None or now is None or then is None:
                verdict = "hidden"
            elif noise is not None and delta * delta <= noise * noise:
                verdict = "unclear"
            else:
                verdict = "up" if delta > 0 else "down" if delta < 0 else "unclear"
            moves.append(
                {
                    "key": key,
                    "name": labels.dimension(key),
                    "before": before.get("score") if verdict != "hidden" else None,
                    "after": after.get("score") if verdict != "hidden" else None,
                    "delta": delta if verdict != "hidden" else None,
                    "noise": noise if verdict != "hidden" else None,
                    "verdict": verdict,
                    "says": str(VERDICTS[verdict]),
                }
            )
        verdicts = {m["verdict"] for m in moves}
        overall = next((v for v in ("up", "down", "unclear") if v in verdicts), "hidden")
        result.append({**row, "moves": moves, "verdict": overall, "says": str(VERDICTS[overall])})
    return result


def summary(worked: Sequence[Mapping[str, Any]]) -> str:
    """One sentence over the "did it work" rows: how many moved their dimensions."""
    if not worked:
        return ""
    up = sum(1 for w in worked if w["verdict"] == "up")
    return ngettext(
        "%(up)s of %(count)s initiative moved a dimension it aimed at by more than its noise.",
        "%(up)s of %(count)s initiatives moved a dimension they aimed at by more than its noise.",
        len(worked),
    ) % {"up": up, "count": len(worked)}
