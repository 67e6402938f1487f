"""The respondent's survey: no account, a phone, and not a single answer lost.

The token in a link is exchanged for the session on first use and the browser is sent to an
address without it. After that, the session says which responses this browser may open;
anything else is "this link is not valid", revealing nothing. Every page is `no-store` and
`no-referrer`, so neither a shared computer's history nor a followed link leaks it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from assessments.errors import Refused
from assessments.forms import StartSurveyForm, posted
from assessments.languages import speak
from assessments.middleware import null_origin_ok
from assessments.models import BankVersion, Campaign, Invitation, Question, Response
from assessments.security import guessing_refused, remember_browser, wrong_guess
from assessments.services.survey import (
    SurveyClosed,
    answer_minutes,
    answer_save,
    answers_of,
    bank_question,
    invitation_for_token,
    invitation_opened,
    page_save,
    response_for_resume_code,
    response_start,
    response_submit,
    resume_code,
    survey_pages,
    unanswered,
)

SESSION_RESPONSES = "survey_responses"  # public ids this browser may open
SESSION_JOINED = "survey_joined"  # invitation id -> public id, to resume a join link
SESSION_INVITATION = "survey_invitation"  # the link just opened, before starting
SESSION_SHOW_CODE = "survey_show_code"  # a response whose resume code is shown next (once)
SESSION_KIOSK = "survey_kiosk"  # the kiosk link this shared tablet answers

# Kiosk mode: a join link for one shared tablet. Each person starts afresh; after they
# submit, or when the tablet is left this long without a touch, it forgets them
# (`kiosk_forget`) and shows the start page for the next person.
KIOSK_IDLE_SECONDS = 180


def survey_headers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @null_origin_ok  # no-referrer pages post with "Origin: null" (see middleware.py)
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        remember_browser(request, response)  # the guessing brake's cookie, if one was made
        return response

    return wrapped


def invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/invalid.html", status=404)


def closed_page(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    speak(request, campaign)
    return render(request, "survey/closed.html", {"campaign": campaign}, status=410)


def allow_response(request: HttpRequest, response: Response) -> None:
    """This browser (its session) may open `response` from now on."""
    allowed = {*request.session.get(SESSION_RESPONSES, []), str(response.public_id)}
    request.session[SESSION_RESPONSES] = sorted(allowed)
    if response.invitation_id:
        joined = dict(request.session.get(SESSION_JOINED, {}))
        joined[str(response.invitation_id)] = str(response.public_id)
        request.session[SESSION_JOINED] = joined


def kiosk_forget(request: HttpRequest, invitation_id: int) -> None:
    """Forget everyone this tablet answered for (a new session: nothing of theirs can be
    opened again from it), and keep only the kiosk link, for the next person."""
    request.session.flush()
    request.session[SESSION_INVITATION] = invitation_id
    request.session[SESSION_KIOSK] = invitation_id


def kiosk_of(request: HttpRequest, response: Response | None = None) -> int | None:
    """The kiosk link a response came through, or (without one) the kiosk link this browser
    answers, if it is a shared tablet."""
    if response is not None:
        invitation = response.invitation
        return invitation.pk if invitation is not None and invitation.kiosk else None
    kiosk = request.session.get(SESSION_KIOSK)
    return int(kiosk) if kiosk else None


def load_response(request: HttpRequest, public_id: uuid.UUID) -> Response | None:
    """The response this browser may open, or None; from here on the request speaks the
    respondent's language among the campaign's (assessments/languages.py)."""
    if str(public_id) not in request.session.get(SESSION_RESPONSES, []):
        return None
    response = (
        Response.objects.select_related(
            "campaign__organization", "campaign__bank_version", "invitation"
        )
        .filter(public_id=public_id)
        .first()
    )
    if response is not None:
        speak(request, response.campaign)
    return response


@survey_headers
def link_open(request: HttpRequest, token: str) -> HttpResponse:
    if refusal := guessing_refused(request):
        return refusal
    invitation = invitation_for_token(token)
    if invitation is None:
        wrong_guess(request, "survey link")
        return invalid_link(request)
    campaign = invitation.campaign
    if campaign.is_closed:
        return closed_page(request, campaign)
    invitation_opened(invitation=invitation)
    if invitation.kiosk:  # a shared tablet: whoever holds it now starts afresh
        kiosk_forget(request, invitation.pk)
        return redirect("assessments:survey-start")
    request.session.pop(SESSION_KIOSK, None)  # another link: this browser is no kiosk now
    # This browser already has a response for this link: resume it.
    joined = request.session.get(SESSION_JOINED, {}).get(str(invitation.pk))
    existing = None
    if joined:
        existing = Response.objects.filter(public_id=joined, invitation=invitation).first()
    if existing is None and invitation.kind == Invitation.Kind.PERSON:
        existing = Response.objects.filter(invitation=invitation).first()
    if existing is not None:
        allow_response(request, existing)
        return redirect("assessments:survey-resume", public_id=existing.public_id)
    request.session[SESSION_INVITATION] = invitation.pk
    return redirect("assessments:survey-start")


@survey_headers
def survey_start(request: HttpRequest) -> HttpResponse:
    """A landing page with a Start button: link previews (GET) never create responses."""
    invitation = (
        Invitation.objects.select_related("campaign__organization", "team")
        .filter(pk=request.session.get(SESSION_INVITATION, 0), revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        return invalid_link(request)
    campaign = invitation.campaign
    if campaign.is_closed:
        return closed_page(request, campaign)
    speak(request, campaign)
    form = StartSurveyForm(posted(request)[0])
    needs_function = invitation.team is None
    if (
        request.method == "POST"
        and campaign.status == Campaign.Status.OPEN
        and (not needs_function or form.is_valid())
    ):
        function = form.cleaned_data.get("function") if needs_function else None
        try:
            response = response_start(invitation=invitation, function=function)
        except Refused as exc:
            form.add_error(None, exc.sentence)
        else:
            if invitation.kiosk:
                kiosk_forget(request, invitation.pk)  # nobody before this person
            else:
                request.session.pop(SESSION_INVITATION, None)
            allow_response(request, response)
            if response.resume_hash:
                request.session[SESSION_SHOW_CODE] = str(response.public_id)
            return redirect("assessments:survey-resume", public_id=response.public_id)
    return render(
        request,
        "survey/start.html",
        {
            "invitation": invitation,
            "campaign": campaign,
            "form": form,
            "needs_function": needs_function,
            "kiosk_minutes": KIOSK_IDLE_SECONDS // 60,
            "minutes": answer_minutes(
                campaign.bank_version_id,
                campaign.left_out,
                invitation.team.function if invitation.team else None,
            ),
        },
    )


@survey_headers
def survey_resume(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Back to where the respondent left off: the first page with an unanswered question."""
    response = load_response(request, public_id)
    if response is None:
        return invalid_link(request)
    if response.submitted_at is not None:
        return redirect("assessments:survey-thanks", public_id=public_id)
    pages = survey_pages(response)
    missing = unanswered(pages, answers_of(response))
    if missing:
        return redirect("assessments:survey-page", public_id=public_id, page=missing[0][0].number)
    return redirect("assessments:survey-review", public_id=public_id)


def _value_from_post(request: HttpRequest, question: Question) -> str | None:
    return request.POST.get(f"q-{question.key}") or None


@survey_headers
def survey_page(request: HttpRequest, public_id: uuid.UUID, page: int) -> HttpResponse:
    response = load_response(request, public_id)
    if response is None:
        return invalid_link(request)
    campaign = response.campaign
    if campaign.is_closed:
        return closed_page(request, campaign)
    if response.submitted_at is not None:
        return redirect("assessments:survey-thanks", public_id=public_id)
    pages = survey_pages(response)
    if not 1 <= page <= len(pages):
        return redirect("assessments:survey-resume", public_id=public_id)
    current = pages[page - 1]
    errors: list[str] = []
    if request.method == "POST":
        # Without JavaScript the whole page arrives at once; with it, answers were already
        # saved one by one, and only what differs from them is written.
        try:
            errors = page_save(
                response=response,
                posted=[
                    (q, _value_from_post(request, q), request.POST.get(f"c-{q.key}"))
                    for q in current.questions
                ],
            )
        except SurveyClosed as exc:
            return render(request, "survey/message.html", {"message": exc.message}, status=409)
        if not errors:
            move = request.POST.get("move", "next")
            if move == "back" and page > 1:
                return redirect("assessments:survey-page", public_id=public_id, page=page - 1)
            if move == "next" and page < len(pages):
                return redirect("assessments:survey-page", public_id=public_id, page=page + 1)
            return redirect("assessments:survey-review", public_id=public_id)
    answers = answers_of(response)
    total = sum(len(p.questions) for p in pages)
    done = total - len(unanswered(pages, answers))
    return render(
        request,
        "survey/page.html",
        {
            "response": response,
            "campaign": campaign,
            "page": current,
            "pages": pages,
            "rows": [(q, answers.get(q.pk)) for q in current.questions],
            "shuffle_seed": str(response.public_id) if campaign.shuffle_choices else "",
            "errors": errors,
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 100,
            "is_last": page == len(pages),
            "resume_code": resume_code(response)
            if response.resume_hash
            and request.session.pop(SESSION_SHOW_CODE, None) == str(response.public_id)
            else "",
            "kiosk_idle": KIOSK_IDLE_SECONDS if kiosk_of(request, response) else 0,
        },
    )


NOT_IN_SURVEY = _("This question is not part of the survey.")


def posted_question(version: BankVersion, key: str) -> Question | None:
    """The question a phone posted an answer or a vote for, with its choices (read once per
    process: a published version never changes)."""
    return bank_question(version, key)


@survey_headers
@require_POST
def survey_answer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Saves one answer the moment it is chosen (htmx). Answers with a small status text."""
    response = load_response(request, public_id)
    if response is None:
        return invalid_link(request)
    key = request.POST.get("question", "")
    question = posted_question(response.campaign.bank_version, key)
    if question is None:
        return HttpResponse(NOT_IN_SURVEY, status=400)
    value = request.POST.get(f"q-{key}") or None
    comment = request.POST.get(f"c-{key}")
    try:
        answer_save(response=response, question=question, value=value, comment=comment)
    except SurveyClosed as exc:
        return HttpResponse(escape(exc.message), status=409)
    except Refused as exc:
        # htmx puts this in the page as HTML, and the message repeats what was posted.
        return HttpResponse(escape(exc.sentence), status=400)
    return HttpResponse(_("Saved"))


@survey_headers
def survey_review(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    response = load_response(request, public_id)
    if response is None:
        return invalid_link(request)
    if response.campaign.is_closed and response.submitted_at is None:
        return closed_page(request, response.campaign)
    if response.submitted_at is not None:
        return redirect("assessments:survey-thanks", public_id=public_id)
    pages = survey_pages(response)
    missing = unanswered(pages, answers_of(response))
    return render(
        request,
        "survey/review.html",
        {
            "response": response,
            "campaign": response.campaign,
            "pages": pages,
            "missing": missing,
            "total": sum(len(p.questions) for p in pages),
            "resume_code": resume_code(response) if response.resume_hash else "",
            "kiosk_idle": KIOSK_IDLE_SECONDS if kiosk_of(request, response) else 0,
        },
    )


@survey_headers
@require_POST
def survey_submit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    response = load_response(request, public_id)
    if response is None:
        return invalid_link(request)
    try:
        response_submit(response=response)
    except SurveyClosed as exc:
        if response.campaign.is_closed:
            return closed_page(request, response.campaign)
        return render(request, "survey/message.html", {"message": exc.message}, status=409)
    if kiosk := kiosk_of(request, response):
        kiosk_forget(request, kiosk)  # the next person sees none of this one's answers
        return HttpResponseRedirect(reverse("assessments:survey-kiosk-done"))
    return HttpResponseRedirect(reverse("assessments:survey-thanks", args=[public_id]))


@survey_headers
def survey_thanks(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    response = load_response(request, public_id)
    if response is None:
        return invalid_link(request)
    if response.submitted_at is None:
        return redirect("assessments:survey-resume", public_id=public_id)
    # The response is named so that answers still kept in this browser are sent, and then
    # refused as submitted, which clears them (static/js/survey.js).
    return render(
        request, "survey/thanks.html", {"campaign": response.campaign, "response": response}
    )


@survey_headers
def survey_resume_code(request: HttpRequest) -> HttpResponse:
    """Carry on with a join link's response on another device: type the code it showed."""
    code = request.POST.get("code", "") if request.method == "POST" else ""
    if code:
        if refusal := guessing_refused(request):
            return refusal
        response = response_for_resume_code(code)
        if response is not None:
            if response.campaign.is_closed:
                return closed_page(request, response.campaign)
            allow_response(request, response)
            return redirect("assessments:survey-resume", public_id=response.public_id)
        wrong_guess(request, "resume code")
    return render(request, "survey/resume_code.html", {"wrong": bool(code)})


@survey_headers
@require_POST
def survey_kiosk_reset(request: HttpRequest) -> HttpResponse:
    """The shared tablet was left idle (static/js/kiosk.js): forget the person, keep what
    they answered (it is saved and stays in progress), and wait for the next one."""
    kiosk = kiosk_of(request)
    if kiosk is None:
        return invalid_link(request)
    kiosk_forget(request, kiosk)
    return redirect("assessments:survey-start")


@survey_headers
def survey_kiosk_done(request: HttpRequest) -> HttpResponse:
    """After a submit on a shared tablet: thanks, and the start for the next person."""
    kiosk = kiosk_of(request)
    invitation = (
        Invitation.objects.select_related("campaign__organization").filter(pk=kiosk).first()
        if kiosk
        else None
    )
    if invitation is None:
        return invalid_link(request)
    speak(request, invitation.campaign)
    return render(request, "survey/kiosk_done.html", {"campaign": invitation.campaign})
