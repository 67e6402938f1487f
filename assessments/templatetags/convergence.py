"""Template filters that put the findings module's words on every page (dashboard, report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments.formatting import signed as signed_places
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
def signed(value: float | None) -> str:
    """A change with its sign and two decimals: "+0.42", "-0.10"."""
    return "\u2013" if value is None else signed_places(value)


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


# The most answers a survey page's banner counts in its own words; beyond, the last form.
# Answers wait per question, so a survey never has more waiting than it has questions.
WAITING_COUNTS = 100


@register.simple_tag
def script_text() -> dict[str, Any]:
    """SCRIPT_TEXT in the current language, and the count of waiting answers in every
    plural form the language has ("{n}" for the number): `waiting` lists the forms and
    `waiting_form` says which one each count from 0 to WAITING_COUNTS takes, so the
    script writes Czech's three forms (or any language's) without evaluating a formula."""
    texts: dict[str, Any] = {key: str(text) for key, text in SCRIPT_TEXT.items()}
    forms: list[str] = []
    which: list[int] = []
    for n in range(WAITING_COUNTS + 1):
        text = ngettext("%(n)s answer is not sent yet.", "%(n)s answers are not sent yet.", n)
        text = text % {"n": "{n}"}
        if text not in forms:
            forms.append(text)
        which.append(forms.index(text))
    texts["waiting"], texts["waiting_form"] = forms, which
    return texts


@register.filter
def bank_title(version: Any) -> str:
    """A bank version's title in the reader's language where the bank has it."""
    from django.utils import translation

    tag = survey.text_language(version, translation.get_language())
    own = (version.translations or {}).get(tag, {}) if tag != version.language else {}
    return str(own.get("title") or version.title)


@register.filter
def percent(value: float | None) -> str:
    """A share as a whole percentage in the reader's language: 0.651 is "65%" ("65 %")."""
    from assessments.formatting import share

    return "\u2013" if value is None else share(value)  # a dash: no figure
