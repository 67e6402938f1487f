"""Template filters that put the findings module's words on every page (dashboard, report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from assessments.outputs import findings
from assessments.services import survey
from assessments.vocabulary import DECISION_LABELS

register = template.Library()


@register.filter
def coverage(group: Mapping[str, Any], minimum: int) -> str:
    """What a group's figures rest on: "figures from 6 of 10 responses", or why not shown."""
    return findings.coverage(group, minimum)


@register.filter
def coverage_short(group: Mapping[str, Any], minimum: int) -> str:
    """The same, for a narrow column: "12", "6 of 10", "3 (not shown)"."""
    return findings.coverage(group, minimum, short=True)


@register.filter
def who_decides(answer: str) -> str:
    """A decision answer in the respondent's words: "joint" is "IT and OT together"."""
    return DECISION_LABELS.get(answer, answer)


@register.filter
def twice(value: float | None) -> float | None:
    """± 2 standard errors: how far a figure could move with other respondents."""
    return None if value is None else 2 * value


@register.simple_tag
def answer_options(question: Any, answer: Any, seed: str = "") -> list[survey.Option]:
    """The answers a respondent can pick for a question, the saved one checked; in the
    respondent's own order when the campaign shuffles (`seed`)."""
    return survey.answer_options(question, answer, seed or "")
