"""The facilitator's two screens: the presenter view (controls, keys, counts, the current
question and its votes once revealed) and the audience screen for the projector (no controls;
join code and QR, the question in large type, the reveal split by function and, after a
re-vote, how the room moved: rule 8f of docs/methodology.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_POST

from assessments import access
from assessments.errors import Refused
from assessments.forms import WorkshopLimitsForm
from assessments.models import Campaign, Function, ParkingNote, Question, Workshop
from assessments.outputs import charts
from assessments.outputs.dashboard import Chart, labels_for
from assessments.selectors.scores import campaign_snapshot
from assessments.selectors.workshops import (
    RoomState,
    answer_labels,
    in_language,
    movement,
    parking_queue,
    room_state,
    split_names,
    vote_shares,
    word_cloud,
)
from assessments.services.survey import localized_questions
from assessments.services.workshops import (
    parking_mark,
    words_prompt,
    workshop_for,
    workshop_hide_word,
    workshop_new_session,
    workshop_reveal_words,
    workshop_revote,
    workshop_rotate_code,
    workshop_set_activity,
    workshop_set_limits,
    workshop_set_state,
    workshop_set_walk,
    workshop_step,
    workshop_toggle_timer,
)


def _room(request: HttpRequest, slug: str) -> tuple[Campaign, Workshop, RoomState]:
    """The campaign, its workshop and the room's state, read once per request (the ETag
    check and the page both need them)."""
    if not hasattr(request, "_workshop_room"):
        campaign = access.get_campaign_for_user(request, slug)
        workshop = workshop_for(campaign)
        request._workshop_room = (campaign, workshop, room_state(workshop))  # type: ignore[attr-defined]
    return request._workshop_room  # type: ignore[attr-defined]


def _timer_left(workshop: Workshop) -> int | None:
    """Whole seconds left on the facilitator's timer; None when none runs."""
    if workshop.timer_ends_at is None:
        return None
    left = (workshop.timer_ends_at - timezone.now()).total_seconds()
    return max(0, round(left)) if left > -5 else None


def _room_context(workshop: Workshop, state: RoomState) -> dict[str, Any]:
    # The radar builds up as people submit (the scores count submitted responses only).
    # In the language being spoken: the presenter's, or the projector's (the campaign's first).
    language = translation.get_language()
    doc = campaign_snapshot(workshop.campaign).document
    radar = None
    if doc["respondents"]["submitted"] >= doc["settings"]["min_group_size"]:
        labels = labels_for(workshop.campaign, language)
        radar = Chart("room-radar", charts.radar(doc, labels))
    question, shares = workshop.current_question, vote_shares(workshop, state)
    if question is not None:  # the question, its answers and the result in the bank's text
        question, shares = in_language(workshop.campaign.bank_version, question, shares, language)
    return {
        "state": state,
        "question": question,
        "shares": shares,
        "answers": answer_labels(question) if question else [],
        "timer_left": _timer_left(workshop),
        # After a re-vote's reveal: how each function moved (rule 8f between two rounds).
        "movement": movement(workshop) if workshop.revealed else None,
        "split": split_names(state),
        "show_votes": workshop.mode == Workshop.Mode.FREE or workshop.revealed,
        "radar": radar,
        "votes": state.votes,
        "function_names": dict(Function.choices),
        # Words and questions for later (scored nowhere): the cloud only as rule 8f shows it.
        "activity": workshop.activity if workshop.mode == Workshop.Mode.PACED else "",
        "prompt": words_prompt(workshop),
        "cloud": state.cloud,
        "queue": parking_queue(workshop),
    }


def _divergent_keys(campaign: Campaign) -> list[str]:
    """The divergent questions (rule 10), in their order, from the campaign's scores."""
    return list(campaign_snapshot(campaign).document.get("divergent_questions", []))


@login_required
def workshop_facilitator(request: HttpRequest, slug: str) -> HttpResponse:
    import segno

    campaign, workshop, state = _room(request, slug)
    address = request.build_absolute_uri(
        reverse("assessments:workshop-join", args=[workshop.join_code])
    )
    questions = [  # in the presenter's language where the bank has it
        q
        for q in localized_questions(campaign.bank_version, translation.get_language())
        if q.key not in campaign.left_out
    ]
    by_key = {q.key: q for q in questions}
    divergent = [by_key[key] for key in _divergent_keys(campaign) if key in by_key]
    return render(
        request,
        "assessments/workshop.html",
        {
            "campaign": campaign,
            "organization": campaign.organization,
            "workshop": workshop,
            "address": address,
            "short_address": request.build_absolute_uri(reverse("assessments:workshop-code")),
            "qr": segno.make(address, error="m").svg_inline(scale=10, dark="#1f3a5f"),
            "questions": questions,
            "divergent": divergent,
            "limits_form": WorkshopLimitsForm(
                initial={
                    "max_participants": workshop.max_participants,
                    "cap_teams": workshop.cap_teams,
                }
            ),
            **_room_context(workshop, state),
        },
    )


def _room_etag(request: HttpRequest, slug: str) -> str:
    return _room(request, slug)[2].etag


@login_required
@cache_control(no_cache=True)
@condition(etag_func=_room_etag)
def workshop_room(request: HttpRequest, slug: str) -> HttpResponse:
    """What the projector polls: 304 while nothing it shows has changed."""
    campaign, workshop, state = _room(request, slug)
    return render(
        request,
        "assessments/_room.html",
        {"campaign": campaign, "workshop": workshop, **_room_context(workshop, state)},
    )


def _screen_language(request: HttpRequest, slug: str) -> translation.override:
    """The projector speaks the campaign's first language (docs/languages.md)."""
    return translation.override(_room(request, slug)[0].offered_languages()[0])


def _screen_context(request: HttpRequest, slug: str) -> dict[str, Any]:
    import segno

    campaign, workshop, state = _room(request, slug)
    address = request.build_absolute_uri(
        reverse("assessments:workshop-join", args=[workshop.join_code])
    )
    # Called in the projector's language (`_screen_language`), which the room context speaks.
    return {
        "campaign": campaign,
        "workshop": workshop,
        "short_address": request.build_absolute_uri(reverse("assessments:workshop-code")),
        "qr": segno.make(address, error="m").svg_inline(scale=12, dark="#1f3a5f"),
        **_room_context(workshop, state),
    }


@login_required
def workshop_screen(request: HttpRequest, slug: str) -> HttpResponse:
    """The audience screen for the projector: no controls and no navigation, type readable
    from the back of the room; it follows the presenter view by itself."""
    with _screen_language(request, slug):
        return render(request, "assessments/workshop_screen.html", _screen_context(request, slug))


@login_required
@cache_control(no_cache=True)
@condition(etag_func=_room_etag)
def workshop_screen_live(request: HttpRequest, slug: str) -> HttpResponse:
    """What the audience screen polls: 304 while nothing it shows has changed."""
    with _screen_language(request, slug):
        return render(request, "assessments/_screen.html", _screen_context(request, slug))


@login_required
@require_POST
def workshop_state(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    workshop = workshop_for(campaign)
    action = request.POST.get("action", "")
    try:
        if action in ("next", "previous"):
            workshop = workshop_step(
                workshop=workshop, action=action, divergent=_divergent_keys(campaign)
            )
        elif action == "walk":
            workshop = workshop_set_walk(
                workshop=workshop, divergent_only=request.POST.get("walk") == "divergent"
            )
        elif action == "revote":
            workshop = workshop_revote(workshop=workshop)
        elif action == "timer":
            workshop = workshop_toggle_timer(workshop=workshop)
        elif action == "activity":
            workshop = workshop_set_activity(
                workshop=workshop,
                activity=request.POST.get("activity", ""),
                prompt=request.POST.get("prompt"),
            )
            action = ""
        elif action == "hide_word":
            workshop = workshop_hide_word(workshop=workshop, text=request.POST.get("word", ""))
        elif action == "reveal" and workshop.activity == Workshop.Activity.WORDS:
            workshop = workshop_reveal_words(
                workshop=workshop, minimum_met=word_cloud(workshop).minimum_met
            )
            action = ""
        elif action == "new_session":
            workshop = workshop_new_session(workshop=workshop)
            number = workshop.session.number if workshop.session else ""
            messages.success(
                request,
                _("Session %(number)s started: the room starts from nothing.") % {"number": number},
            )
        question = None
        if key := request.POST.get("question"):
            question = Question.objects.filter(version=campaign.bank_version, key=key).first()
        workshop_set_state(
            workshop=workshop,
            mode=request.POST.get("mode") or None,
            question=question,
            revealed={"reveal": True, "hide": False}.get(action),
            locked={"lock": True, "unlock": False}.get(action),
        )
    except Refused as exc:
        messages.error(request, exc.sentence)
    return redirect("assessments:workshop", slug=campaign.slug)


@login_required
@require_POST
def workshop_access(request: HttpRequest, slug: str) -> HttpResponse:
    """Who may join: the caps, and a new code when the old one went beyond the room."""
    campaign = access.get_campaign_for_user(request, slug)
    workshop = workshop_for(campaign)
    action = request.POST.get("action", "")
    try:
        if action == "rotate":
            workshop = workshop_rotate_code(workshop=workshop)
            messages.success(
                request,
                _("The new code is %(code)s. The old one lets nobody else join.")
                % {"code": workshop.join_code},
            )
        elif action == "limits":
            form = WorkshopLimitsForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Check the limits: ") + form.errors.as_text())
            else:
                workshop_set_limits(
                    workshop=workshop,
                    max_participants=form.cleaned_data["max_participants"],
                    cap_teams=form.cleaned_data["cap_teams"],
                )
                messages.success(request, _("Saved who may join."))
    except Refused as exc:
        messages.error(request, exc.sentence)
    return redirect("assessments:workshop", slug=campaign.slug)


@login_required
@require_POST
def workshop_parking_mark(request: HttpRequest, slug: str, note: int) -> HttpResponse:
    """The facilitator takes a question for later, opens it again, or hides it."""
    campaign = access.get_campaign_for_user(request, slug)
    workshop = workshop_for(campaign)
    parked = ParkingNote.objects.filter(pk=note, session__workshop=workshop).first()
    if parked is None:
        messages.error(request, _("That question is not in this workshop's queue."))
    else:
        try:
            parking_mark(note=parked, action=request.POST.get("action", ""))
        except Refused as exc:
            messages.error(request, exc.sentence)
    return redirect("assessments:workshop", slug=campaign.slug)
