"""What the figures say, in words: the executive sentences every surface shares.

No queries (Django only for the words' translations): each function takes a score document
and the labels of its keys, and returns plain data that the dashboard, the PDF report and
the deck render in their own way. One home per sentence, so the three never tell different
stories. The rules behind each figure are explained in docs/methodology.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.documents import ScoreDocument, shown
from assessments.outputs.charts import STAGE_COLOURS, Labels, function_name
from assessments.vocabulary import NA
from assessments.words import DECISION_TAP


def why_not_next(doc: ScoreDocument, labels: Labels) -> dict[str, Any] | None:
    """Rules 6 and 7 in words: what keeps the organisation from the next stage."""
    overall = shown(doc["overall"])
    stage = overall["stage"] if overall else None
    if overall is None or stage is None or stage >= 3:
        return None
    threshold = stage + 0.5
    blockers = []
    for blocker in overall["blockers"]:
        blockers.append(
            {
                "key": blocker["dimension"],
                "name": labels.dimension(blocker["dimension"]),
                "score": blocker["score"],
                "questions": [
                    {
                        "key": key,
                        "text": labels.questions.get(key, key),
                        "mean": doc["questions"][key]["mean"],
                    }
                    for key in blocker["questions"][:3]
                ],
                "more": max(0, len(blocker["questions"]) - 3),
            }
        )
    return {
        "next": stage + 1,
        "next_name": labels.stages.get(stage + 1, ""),
        "threshold": threshold,
        "blockers": blockers,
        "holding_back": [
            {
                "key": k,
                "name": labels.dimension(k),
                "score": overall["dimensions"][k]["score"],
                "stage": overall["dimensions"][k]["stage"],
            }
            for k in overall["holding_back"]
        ],
    }


def ladder(doc: ScoreDocument, labels: Labels) -> list[dict[str, Any]]:
    figures = shown(doc["overall"])
    stage = figures["stage"] if figures else None
    return [
        {
            "level": level,
            "name": labels.stages.get(level, _("Stage %(stage)s") % {"stage": level}),
            "current": level == stage,
            "reached": stage is not None and level <= stage,
            "colour": STAGE_COLOURS[level],
        }
        for level in (3, 2, 1, 0)
    ]


def largest_gap(doc: ScoreDocument, labels: Labels) -> dict[str, Any] | None:
    """The IT/OT perception gap to talk about first: the largest flagged one (larger than
    the threshold and than its noise, rule 9), else the largest, said to be within noise."""
    gaps = doc.get("perception_gaps", {})
    if not gaps:
        return None
    flagged = {k: g for k, g in gaps.items() if g["flagged"]}
    pool = flagged or gaps
    key = max(pool, key=lambda k: (abs(pool[k]["gap"]), k))
    gap, se = pool[key]["gap"], pool[key]["se"]
    return {
        "key": key,
        "name": labels.dimension(key),
        "gap": gap,
        "se": se,
        "noise": None if se is None else 2 * se,
        "higher": _("IT") if gap > 0 else _("OT"),
        "lower": _("OT") if gap > 0 else _("IT"),
        "size": abs(gap),
        "flagged": pool[key]["flagged"],
    }


def strongest_and_weakest(
    doc: ScoreDocument, labels: Labels, count: int = 3
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    figures = shown(doc["overall"])
    dims = figures["dimensions"] if figures else {}
    scores = {
        k: score for k in labels.dimensions if k in dims and (score := dims[k]["score"]) is not None
    }
    ranked = sorted(scores, key=lambda k: -scores[k])
    strongest = [(labels.dimension(k), scores[k]) for k in ranked[:count]]
    weakest = [(labels.dimension(k), scores[k]) for k in ranked[::-1][:count]]
    return strongest, weakest


def recommendations(doc: ScoreDocument, labels: Labels) -> list[dict[str, Any]]:
    """Rule 13, each with why it comes where it does: blocking the next stage, holding it
    back, or the largest remaining gap to its target."""
    overall = shown(doc["overall"])
    if overall is None:
        return []
    blocking = {b["dimension"] for b in overall["blockers"]}
    holding = set(overall["holding_back"])
    dims = overall["dimensions"]
    result = []
    for item in doc.get("recommendations", []):
        key = item["dimension"]
        reason = (
            _("blocks the next stage")
            if key in blocking
            else _("holds the next stage back")
            if key in holding
            else _("gap to target")
        )
        result.append(
            {
                **item,
                "name": labels.dimension(key),
                # The bank's advice in the labels' language (the document holds its own).
                "text": labels.guidance.get(key, {}).get(item["stage"], item["text"]),
                "gap": dims[key]["gap_to_target"],
                "why": reason,
            }
        )
    return result


def coverage(group: Mapping[str, Any], minimum: int, short: bool = False) -> str:
    """What a group's figures rest on, in words (rule 8c); `short` for a narrow table
    column, beside a sentence that says why (`hidden_note`)."""
    answered = group.get("answered", 0)
    if short:
        if group.get("suppressed"):
            return _("%(answered)s (not shown)") % {"answered": answered}
        return (
            _("%(n)s of %(answered)s") % {"n": group["n"], "answered": answered}
            if group["n"] < answered
            else str(group["n"])
        )
    if group.get("suppressed"):
        return ngettext(
            "%(answered)s response; fewer than %(minimum)s that can be shown without singling "
            "anyone out",
            "%(answered)s responses; fewer than %(minimum)s that can be shown without singling "
            "anyone out",
            answered,
        ) % {"answered": answered, "minimum": minimum}
    if group["n"] < answered:
        return _("figures from %(n)s of %(answered)s responses") % {
            "n": group["n"],
            "answered": answered,
        }
    return ngettext("%(n)s response", "%(n)s responses", group["n"]) % {"n": group["n"]}


def hidden_note(doc: ScoreDocument, minimum: int) -> str | None:
    """Why some groups show nothing or rest on fewer than all their responses."""
    groups: list[Mapping[str, Any]] = [
        g
        for block in (doc.get("by_function", {}), doc.get("by_team", {}), doc.get("by_site", {}))
        for g in block.values()
        if g.get("answered")
    ]
    if not any(g.get("suppressed") or g["n"] < g["answered"] for g in groups):
        return None
    return _(
        "To protect respondents, no figure rests on fewer than %(minimum)s people and no two "
        "figures can be subtracted to single anyone out: the team, then the site, then the "
        "function of people in small groups are left out of the groups shown, so some groups "
        "show nothing and some rest on fewer than all their responses."
    ) % {"minimum": minimum}


def function_rows(doc: ScoreDocument) -> list[tuple[str, Mapping[str, Any]]]:
    return [(function_name(f), doc["by_function"][f]) for f in doc.get("by_function", {})]


DONT_KNOW_FINDING = 0.2  # a fifth of a dimension's answers "Don't know" is worth saying


def dont_know(
    doc: ScoreDocument, labels: Labels, threshold: float = DONT_KNOW_FINDING
) -> list[dict[str, Any]]:
    """Where people could not answer (rule 2, `dont_know`): each shown function, and
    everyone, with the dimensions where at least `threshold` of the answers were Don't know,
    the largest first. "OT answered Don't know to 22 % of IT infrastructure questions" says
    what the others may need to explain; it is never a score, and never an IT/OT gap."""
    groups: list[tuple[str, Any]] = [(function_name("overall"), shown(doc["overall"]))]
    groups += [(function_name(f), shown(g)) for f, g in doc.get("by_function", {}).items()]
    found = []
    for who, figures in groups:
        if figures is None:
            continue  # a hidden group says nothing, not even how much it did not know
        for key in labels.dimensions:
            share = figures["dimensions"].get(key, {}).get("dont_know")
            if share is not None and share >= threshold:
                found.append({"who": who, "dimension": labels.dimension(key), "share": share})
    return sorted(found, key=lambda item: (-item["share"], item["who"], item["dimension"]))


NOT_SAID = "\u2013"  # a dash: nobody in that group said (or it is hidden)


def decision_matrix(
    doc: ScoreDocument, labels: Labels, agreed: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """Rule 15 as a table: per decision, who decides in the view, in IT's and OT's eyes,
    how clear and how joint, how many could not say, and what a workshop agreed (`agreed`:
    question key to a decision answer or NA); disputed rows first. None without decision
    questions."""
    agreed = agreed or {}
    who_decides = {**{k: str(v) for k, v in DECISION_TAP.items()}, "contested": _("Contested")}
    decisions = doc.get("decisions") or {}
    if not decisions:
        return None
    rows = []
    for key, figures in decisions.items():
        asked = figures["n"] + figures["dk"]
        rows.append(
            {
                "key": key,
                "text": labels.questions.get(key, key),
                "owner": who_decides.get(figures["owner"] or "", NOT_SAID),
                "it": who_decides.get(figures["it_owner"] or "", NOT_SAID),
                "ot": who_decides.get(figures["ot_owner"] or "", NOT_SAID),
                "clarity": figures["clarity"],
                "joint": figures["joint"],
                "unknown": figures["dk"] / asked if asked else None,
                "disputed": figures["disputed"],
                "agreed": (
                    _("Does not apply") if agreed[key] == NA else who_decides.get(agreed[key])
                )
                if key in agreed
                else None,
            }
        )
    order = {key: number for number, key in enumerate(labels.questions)}  # the bank's order
    rows.sort(key=lambda row: (not row["disputed"], order.get(str(row["key"]), 0)))
    overall = shown(doc["overall"])
    index = (overall.get("decision_rights") if overall else None) or {}
    parts = [
        words % {"share": round(100 * value)}
        for name, words in (
            ("joint", _("%(share)s %% joint")),
            ("clarity", _("%(share)s %% clarity")),
            ("unknown", _("%(share)s %% could not say")),
        )
        if (value := index.get(name)) is not None
    ]
    return {
        "rows": rows,
        "disputed": sum(row["disputed"] for row in rows),
        "index": index or None,
        "summary": ", ".join(parts),
    }


def narrative(
    context: Mapping[str, Any], organization: str, baseline: str | None = None
) -> list[str]:
    """The executive summary in full sentences, each made from figures the view shows (none
    invented, none from a hidden group): the stage and why, the findings that matter most
    (the biggest blocker, the largest real IT/OT gap with its noise, disputed decisions,
    where people could not answer, the progress since the baseline) and what to do first.
    `context` is the dashboard's; two decimals, as for every executive."""
    from assessments.formatting import places, share, signed

    doc = context["doc"]
    overall = shown(doc["overall"])
    score = overall["stage_score"] if overall is not None else None
    if overall is None or overall["stage"] is None or score is None:
        return []
    sentences = [
        _(
            "%(organization)s is at Stage %(stage)s, %(name)s: its stage score is %(score)s of "
            "3, and the stage is set by its weakest collaboration dimension."
        )
        % {
            "organization": organization,
            "stage": overall["stage"],
            "name": context.get("stage_name", ""),
            "score": places(score),
        }
    ]
    why = context.get("why")
    if why and why["blockers"]:
        first = why["blockers"][0]
        sentence = _(
            "To reach Stage %(next)s, every collaboration dimension must pass %(threshold)s; "
            "%(name)s is furthest behind at %(score)s."
        ) % {
            "next": why["next"],
            "threshold": places(why["threshold"], 1),
            "name": first["name"],
            "score": places(first["score"]),
        }
        if first["questions"]:
            question = first["questions"][0]
            sentence += " " + _("The practice furthest behind: “%(text)s” (%(mean)s).") % {
                "text": question["text"],
                "mean": places(question["mean"]),
            }
        sentences.append(sentence)
    gap = context.get("largest_gap")
    if gap and gap["flagged"]:
        sentences.append(
            _(
                "%(higher)s rates %(name)s %(size)s ± %(noise)s stages higher than %(lower)s: "
                "a real difference, larger than its threshold and its noise, and the first "
                "thing to discuss together."
            )
            % {
                "higher": gap["higher"],
                "lower": gap["lower"],
                "name": gap["name"],
                "size": places(gap["size"]),
                "noise": places(gap["noise"] or 0),
            }
        )
    elif gap:
        sentences.append(
            _(
                "No IT/OT difference is larger than its threshold and its noise: IT and OT see "
                "the organisation alike."
            )
        )
    decisions = context.get("decisions")
    if decisions and decisions["disputed"]:
        first = next(row for row in decisions["rows"] if row["disputed"])
        sentences.append(
            ngettext(
                "IT and OT name different owners for %(n)s of %(total)s decisions: “%(first)s”.",
                "IT and OT name different owners for %(n)s of %(total)s decisions, among them "
                "“%(first)s”.",
                decisions["disputed"],
            )
            % {
                "n": decisions["disputed"],
                "total": len(decisions["rows"]),
                "first": first["text"],
            }
        )
    unknown = context.get("dont_know") or []
    if unknown:
        first = unknown[0]
        sentences.append(
            _(
                "%(who)s could not answer %(share)s of the %(dimension)s questions: worth "
                "asking what they are not told."
            )
            % {"who": first["who"], "share": share(first["share"]), "dimension": first["dimension"]}
        )
    progress = doc.get("progress") or {}
    baseline_doc = context.get("baseline_doc")
    before = shown(baseline_doc["overall"]) if baseline_doc else None
    then = before.get("stage_score") if before else None
    if progress and then is not None:
        sentence = _("Since %(baseline)s the stage score moved from %(before)s to %(now)s.") % {
            "baseline": baseline or progress["baseline"],
            "before": places(then),
            "now": places(score),
        }
        deltas = {
            key: figures["delta"]
            for key, figures in (progress.get("dimensions") or {}).items()
            if figures.get("delta") is not None
        }
        if deltas:
            best = max(deltas, key=lambda key: (deltas[key], key))
            if deltas[best] > 0:
                sentence += " " + _("%(name)s moved most (%(change)s).") % {
                    "name": context["labels"].dimension(best),
                    "change": signed(deltas[best]),
                }
        sentences.append(sentence)
    steps = context.get("recommendations") or []
    if steps:
        sentences.append(
            _("What to do first, for %(name)s: %(text)s")
            % {"name": steps[0]["name"], "text": steps[0]["text"]}
        )
    return sentences
