"""Template filters that put the findings module's words on every page (dashboard, report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments.outputs import findings
from assessments.services import survey
from assessments.words import DECISION_TEXT

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
    return str(DECISION_TEXT.get(answer, answer))


@register.filter
def twice(value: float | None) -> float | None:
    """± 2 standard errors: how far a figure could move with other respondents."""
    return None if value is None else 2 * value


@register.simple_tag
def answer_options(question: Any, answer: Any, seed: str = "") -> list[survey.Option]:
    """The answers a respondent can pick for a question, the saved one checked; in the
    respondent's own order when the campaign shuffles (`seed`)."""
    return survey.answer_options(question, answer, seed or "")


# What the survey's and the workshop phone's scripts write on the page (static/js/survey.js,
# workshop_live.js), in the page's language: a JSON block the scripts read (no inline script).
SCRIPT_TEXT = {
    "kept": _("Kept in this browser, not sent yet."),
    "resent": _("Saved (sent when the connection came back)."),
    "not_saved": _("Not saved."),
    "saving": _("Saving…"),
    "no_answer": _("The server did not answer: kept in this browser, not sent yet."),
    "offline_kept": _(
        "No connection: kept in this browser, not sent yet. It is sent when you are back "
        "online, or when you open this survey again in this browser."
    ),
    "offline_lost": _(
        "No connection, and this browser cannot keep it: not saved. Choose it again when you "
        "are back online."
    ),
    "still_offline": _(
        "Still no connection. Your answers stay in this browser; try again when you are back "
        "online."
    ),
    "not_sent": _("Not sent."),
    "word_offline": _("No connection: not sent yet. Send it again when you are back online."),
}


@register.simple_tag
def script_text() -> dict[str, str]:
    """SCRIPT_TEXT in the current language, with the count of waiting answers as
    "{n}" in its two forms."""
    texts = {key: str(text) for key, text in SCRIPT_TEXT.items()}
    for key, n in (("waiting_one", 1), ("waiting_many", 2)):
        texts[key] = ngettext(
            "%(n)s answer is not sent yet.", "%(n)s answers are not sent yet.", n
        ) % {"n": "{n}"}
    return texts
