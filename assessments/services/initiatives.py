"""Roadmap initiatives: the consultant's plan made from a campaign's recommendations
(docs/methodology.md, "Roadmap initiatives"). Scored nowhere; every write is checked against
the campaign's bank, so an initiative names only dimensions and questions the bank has."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from assessments.errors import ProblemList
from assessments.models import Campaign, Initiative
from assessments.services.survey import bank_questions
from assessments.vocabulary import CONTROL_CHARACTERS

MAX_TEXT = 200
# An initiative's fields, in the order the form, the archive and the tables name them.
FIELDS = ("title", "owner", "dimensions", "questions", "horizon", "effort", "impact", "status")


def _keys(value: Any) -> list[str] | None:
    """A list of keys, each once, in the order given; None when it is not a list of text."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return None
    return list(dict.fromkeys(value))


def _text(problems: ProblemList, field: str, value: Any, *, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        problems.add(field, _("must be text"))
    elif required and not text:
        problems.add(field, _("is required"))
    elif len(text) > MAX_TEXT:
        problems.add(field, _("is longer than %(limit)s characters"), limit=MAX_TEXT)
    elif CONTROL_CHARACTERS.search(text):
        problems.add(field, _("must not contain line breaks or other control characters"))
    return text


def _choice(problems: ProblemList, field: str, value: Any, allowed: Iterable[Any]) -> Any:
    allowed = list(allowed)
    if value not in allowed or isinstance(value, bool):
        problems.add(
            field,
            _("%(value)s is not one of %(allowed)s"),
            value=repr(value),
            allowed=", ".join(map(str, allowed)),
        )
    return value


def initiative_save(
    *,
    campaign: Campaign,
    initiative: Initiative | None = None,
    title: Any,
    dimensions: Any,
    questions: Any = (),
    owner: Any,
    horizon: Any = Initiative.Horizon.NOW,
    effort: Any = 2,
    impact: Any = 2,
    status: Any = Initiative.Status.PLANNED,
) -> Initiative:
    """Create an initiative of `campaign`, or change `initiative`. Every problem is named at
    its field; nothing is written unless all is well. A closed campaign's roadmap still
    changes: it is the plan being carried out, not a score."""
    if initiative is not None and initiative.campaign_id != campaign.pk:
        raise ValueError("the initiative is another campaign's")
    problems = ProblemList()
    title = _text(problems, "title", title, required=True)
    owner = _text(problems, "owner", owner, required=True)
    scored = [q for q in bank_questions(campaign.bank_version) if not q.is_decision]
    order = list(dict.fromkeys(q.dimension.key for q in scored))
    dimension_keys = _keys(dimensions)
    if dimension_keys is None:
        problems.add("dimensions", _("must be a list of dimension keys"))
        dimension_keys = []
    elif not dimension_keys:
        problems.add("dimensions", _("choose at least one dimension it should move"))
    unknown = [key for key in dimension_keys if key not in order]
    if unknown:
        problems.add(
            "dimensions",
            _("%(keys)s: not a dimension of this campaign's bank (%(allowed)s)"),
            keys=", ".join(unknown),
            allowed=", ".join(order),
        )
    question_keys = _keys(list(questions) if isinstance(questions, tuple) else questions)
    if question_keys is None:
        problems.add("questions", _("must be a list of question keys"))
        question_keys = []
    of_dimension = {q.key: q.dimension.key for q in scored if q.key not in campaign.left_out}
    outside = [k for k in question_keys if of_dimension.get(k) not in dimension_keys]
    if outside:
        problems.add(
            "questions",
            _("%(keys)s: not a scored question of the chosen dimensions"),
            keys=", ".join(outside),
        )
    horizon = _choice(problems, "horizon", horizon, Initiative.Horizon.values)
    effort = _choice(problems, "effort", effort, Initiative.Level.values)
    impact = _choice(problems, "impact", impact, Initiative.Level.values)
    status = _choice(problems, "status", status, Initiative.Status.values)
    problems.raise_if_any()
    initiative = initiative or Initiative(campaign=campaign)
    initiative.title, initiative.owner = title, owner
    initiative.dimensions = sorted(dimension_keys, key=order.index)  # the bank's order
    position = {q.key: number for number, q in enumerate(scored)}
    initiative.questions = sorted(question_keys, key=position.__getitem__)  # the bank's order
    initiative.horizon, initiative.effort, initiative.impact = horizon, effort, impact
    initiative.status = status
    with transaction.atomic():
        initiative.save()
    return initiative


def initiative_delete(*, initiative: Initiative) -> None:
    initiative.delete()
