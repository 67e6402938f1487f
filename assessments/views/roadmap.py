"""The consultant's roadmap: initiatives made from a campaign's recommendations, added,
changed and deleted here, shown on the dashboard and in the reports (docs/methodology.md,
"Roadmap initiatives"). Client viewers see the roadmap on the dashboard but change nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from assessments import access
from assessments.errors import Refused
from assessments.forms import InitiativeForm, posted
from assessments.models import Campaign, Initiative
from assessments.outputs.charts import Labels
from assessments.outputs.dashboard import labels_for
from assessments.outputs.findings import why_not_next
from assessments.selectors.scores import campaign_snapshot
from assessments.services.initiatives import FIELDS, initiative_delete, initiative_save
from assessments.services.survey import bank_questions

SUGGESTED_QUESTIONS = 3


def _choices(
    campaign: Campaign, labels: Labels
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """The bank's dimensions, and its scored questions (key, label, dimension) in the
    dimensions' order, in the reader's language (what the form offers)."""
    scored = [
        q
        for q in bank_questions(campaign.bank_version)
        if not q.is_decision and q.key not in campaign.left_out
    ]
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for question in scored:
        text = labels.questions.get(question.key, question.text)
        short = text if len(text) <= 90 else text[:89] + "…"
        groups.setdefault(question.dimension.key, []).append(
            (question.key, f"{question.key} {short}", question.dimension.key)
        )
    dimensions = [(key, labels.dimension(key)) for key in labels.dimensions if key in groups]
    return dimensions, [item for key, _name in dimensions for item in groups[key]]


def suggestion(campaign: Campaign, dimension: str, labels: Labels) -> dict[str, Any]:
    """A new initiative from one recommendation: the bank's advice as its title, the
    dimension, and the questions keeping it lowest (the blocker's own when it blocks the next
    stage, else its lowest-scoring ones)."""
    if dimension not in labels.dimensions:
        return {}
    doc = campaign_snapshot(campaign).document
    recommendation = next(
        (r for r in doc.get("recommendations", []) if r["dimension"] == dimension), None
    )
    title = ""
    if recommendation is not None:
        advice = labels.guidance.get(dimension, {}).get(
            recommendation["stage"], recommendation["text"]
        )
        title = short_title(advice)
    why = why_not_next(doc, labels) or {"blockers": []}
    blocking = next((b for b in why["blockers"] if b["key"] == dimension), None)
    if blocking is not None:
        questions = [q["key"] for q in blocking["questions"]]
    else:
        of_dimension = [
            q.key
            for q in bank_questions(campaign.bank_version)
            if not q.is_decision and q.dimension.key == dimension
        ]
        means = {
            key: figures["mean"]
            for key in of_dimension
            if (figures := doc["questions"].get(key)) and figures.get("mean") is not None
        }
        questions = sorted(means, key=lambda k: (means[k], k))[:SUGGESTED_QUESTIONS]
    return {"title": title, "dimensions": [dimension], "questions": questions}


def short_title(advice: str, limit: int = 90) -> str:
    """A title from the bank's advice: its first sentence, cut at its last clause break
    (a comma, a semicolon, a colon) within `limit` characters, else at a word."""
    sentence = advice.split(". ")[0].strip().rstrip(".")
    if len(sentence) <= limit:
        return sentence
    head = sentence[:limit]
    cut = max(head.rfind(mark) for mark in (",", ";", ":"))
    if cut >= limit // 3:
        return head[:cut].strip()
    return head.rsplit(" ", 1)[0].strip() + "\u2026"


def _initiative(campaign: Campaign, pk: int) -> Initiative:
    initiative = Initiative.objects.filter(campaign=campaign, pk=pk).first()
    if initiative is None:
        raise Http404
    return initiative


def _back(campaign: Campaign) -> HttpResponse:
    return redirect(reverse("assessments:campaign-dashboard", args=[campaign.slug]) + "#roadmap")


def _form_page(
    request: HttpRequest,
    campaign: Campaign,
    initiative: Initiative | None,
    initial: Any,
    labels: Labels,
) -> HttpResponse:
    dimensions, questions = _choices(campaign, labels)
    form = InitiativeForm(
        posted(request)[0], initial=initial, dimensions=dimensions, questions=questions
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = initiative_save(
                campaign=campaign,
                initiative=initiative,
                title=data["title"],
                owner=data["owner"],
                dimensions=data["dimensions"],
                questions=data["questions"],
                horizon=data["horizon"],
                effort=data["effort"],
                impact=data["impact"],
                status=data["status"],
            )
        except Refused as exc:
            exc.add_to_form(form)
        else:
            messages.success(
                request,
                (
                    _("Saved the initiative “%(title)s”.")
                    if initiative
                    else _("Added “%(title)s” to the roadmap.")
                )
                % {"title": saved.title},
            )
            return _back(campaign)
    title = (
        _("Change the initiative “%(title)s”") % {"title": initiative.title}
        if initiative
        else _("New initiative for %(name)s") % {"name": campaign.name}
    )
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": title,
            "campaign": campaign,
            "organization": campaign.organization,
            "help": _(
                "An initiative is a step of the roadmap: it is scored nowhere. The next "
                "campaign shows whether the dimensions it aims at moved."
            ),
            "script": "js/initiative.js",
            "script_data": form.question_dimensions,
        },
    )


@login_required
def initiative_new(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    labels = labels_for(campaign, translation.get_language())
    # A POST brings its own values: the suggestion is only for the empty form.
    initial = (
        {}
        if request.method == "POST"
        else suggestion(campaign, request.GET.get("dimension", ""), labels)
    )
    return _form_page(request, campaign, None, initial, labels)


@login_required
def initiative_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    initiative = _initiative(campaign, pk)
    initial = {field: getattr(initiative, field) for field in FIELDS}
    labels = labels_for(campaign, translation.get_language())
    return _form_page(request, campaign, initiative, initial, labels)


@login_required
def initiative_delete_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET asks; POST deletes (a double click finds it gone and says so)."""
    campaign = access.get_campaign_for_user(request, slug)
    initiative = Initiative.objects.filter(campaign=campaign, pk=pk).first()
    if initiative is None:
        if request.method == "POST":
            messages.info(request, _("That initiative was already deleted."))
            return _back(campaign)
        raise Http404
    if request.method == "POST":
        initiative_delete(initiative=initiative)
        messages.success(
            request, _("Deleted “%(title)s” from the roadmap.") % {"title": initiative.title}
        )
        return _back(campaign)
    return render(
        request,
        "assessments/confirm.html",
        {
            "campaign": campaign,
            "organization": campaign.organization,
            "title": _("Delete “%(title)s”?") % {"title": initiative.title},
            "consequences": [
                _(
                    "It leaves the roadmap, the reports and the campaign's archive; the next "
                    "campaign will not show whether it worked."
                ),
                _("Its owner was %(owner)s. Scores do not change.") % {"owner": initiative.owner},
            ],
            "button": _("Delete the initiative"),
            "danger": True,
            "back": reverse("assessments:campaign-dashboard", args=[campaign.slug]) + "#roadmap",
            "keep": _("Keep it"),
        },
    )
