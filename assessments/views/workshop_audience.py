"""Workshop participants (no account): the short address, joining with the projector's
code, and the phone's live question in paced mode."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition, require_POST
from django_htmx.http import HttpResponseClientRedirect

from assessments.errors import Refused, StrOrPromise
from assessments.languages import speak
from assessments.live import Snapshot, broadcaster
from assessments.models import Campaign, Question, Response, Workshop, WorkshopVote, WorkshopWord
from assessments.security import guessing_refused, wrong_guess
from assessments.selectors.workshops import (
    WordCloud,
    in_language,
    parking_queue,
    participant_etag,
    room_state,
    vote_shares,
    word_cloud,
    workshop_by_code,
)
from assessments.services.survey import SurveyClosed
from assessments.services.workshops import (
    parking_ask,
    parking_note_of,
    parking_upvote,
    words_prompt,
    workshop_join,
    workshop_rejoin,
    workshop_vote,
    workshop_word,
)
from assessments.views.survey import (
    NOT_IN_SURVEY,
    SESSION_RESPONSES,
    allow_response,
    closed_page,
    invalid_link,
    load_response,
    posted_question,
    survey_headers,
)

SESSION_WORKSHOPS = "workshop_joined"  # join code -> public id of this browser's response
NOT_JOINED = _("This phone has not joined: open the code again.")


@survey_headers
def workshop_code(request: HttpRequest) -> HttpResponse:
    """For people who type the short address: enter the code shown on the projector."""
    code = request.POST.get("code", "") if request.method == "POST" else ""
    if code:
        if refusal := guessing_refused(request):
            return refusal
        workshop = workshop_by_code(code)
        if workshop is not None:
            return redirect("assessments:workshop-join", code=workshop.join_code)
        wrong_guess(request, "workshop code")
    return render(request, "survey/workshop_code.html", {"wrong": bool(code)})


@survey_headers
def workshop_join_view(request: HttpRequest, code: str) -> HttpResponse:
    if refusal := guessing_refused(request):
        return refusal
    workshop = workshop_by_code(code)
    if workshop is None:
        wrong_guess(request, "workshop code")
        return invalid_link(request)
    campaign = workshop.campaign
    if campaign.is_closed:
        return closed_page(request, campaign)
    speak(request, campaign)
    joined = request.session.get(SESSION_WORKSHOPS, {}).get(workshop.join_code)
    if joined and str(joined) in request.session.get(SESSION_RESPONSES, []):
        return redirect("assessments:workshop-live", code=workshop.join_code)
    teams = list(campaign.teams.all()) or list(campaign.organization.teams.all())
    error: StrOrPromise = ""
    if request.method == "POST" and campaign.status == Campaign.Status.OPEN:
        team = next((t for t in teams if str(t.pk) == request.POST.get("team")), None)
        if team is None:
            error = _("Choose your team to join.")
        else:
            try:
                response = workshop_join(workshop=workshop, team=team)
            except Refused as exc:
                error = exc.sentence
            else:
                allow_response(request, response)
                joined_map = dict(request.session.get(SESSION_WORKSHOPS, {}))
                joined_map[workshop.join_code] = str(response.public_id)
                request.session[SESSION_WORKSHOPS] = joined_map
                return redirect("assessments:workshop-live", code=workshop.join_code)
    return render(
        request,
        "survey/workshop_join.html",
        {"workshop": workshop, "campaign": campaign, "teams": teams, "error": error},
    )


def _participant(request: HttpRequest, code: str) -> tuple[Workshop | None, Response | None]:
    """The workshop of `code` and this browser's response in it, read once per request."""
    if not hasattr(request, "_participant"):
        workshop = workshop_by_code(code)
        joined = request.session.get(SESSION_WORKSHOPS, {}).get(code) if workshop else None
        response = load_response(request, uuid.UUID(joined)) if joined else None  # speaks
        request._participant = (workshop, response)  # type: ignore[attr-defined]
    return request._participant  # type: ignore[attr-defined]


def _live_etag(request: HttpRequest, code: str) -> str | None:
    """The polled fragment's ETag while it shows a question; None (no 304) when the view
    has something else to say: a wrong code, a closed campaign, free mode, submitted."""
    workshop, response = _participant(request, code)
    if request.GET.get("fragment") != "1" or workshop is None or response is None:
        return None
    if workshop.campaign.is_closed or workshop.mode == Workshop.Mode.FREE:
        return None
    if response.submitted_at is not None:
        return None
    return f"{participant_etag(workshop, response)}-{translation.get_language()}"


def _moved(request: HttpRequest, code: str) -> str | None:
    """The workshop's new code, for a browser that joined under `code` before the
    facilitator made a new one; None when it did not (then `code` is simply wrong)."""
    joined = request.session.get(SESSION_WORKSHOPS, {}).get(code)
    response = load_response(request, uuid.UUID(joined)) if joined else None
    if response is None or response.workshop_id is None:
        return None
    workshop = Workshop.objects.filter(pk=response.workshop_id).first()
    if workshop is None or workshop.join_code == code:
        return None
    joined_map = dict(request.session.get(SESSION_WORKSHOPS, {}))
    joined_map[workshop.join_code] = joined_map.pop(code)
    request.session[SESSION_WORKSHOPS] = joined_map
    return workshop.join_code


@survey_headers
@condition(etag_func=_live_etag)
def workshop_live(request: HttpRequest, code: str) -> HttpResponse:
    """Paced mode: the facilitator's current question. Free mode: the survey itself."""
    workshop, response = _participant(request, code)
    if workshop is None and (new_code := _moved(request, code)):
        # The facilitator made a new code: this phone, already in, follows (the whole page,
        # not only the polled fragment, so that it polls the new address from now on).
        target = reverse("assessments:workshop-live", args=[new_code])
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponseClientRedirect(target)
        return redirect(target)
    if workshop is None or response is None:
        return invalid_link(request)
    if workshop.campaign.is_closed:
        return closed_page(request, workshop.campaign)
    if workshop.mode == Workshop.Mode.FREE or response.submitted_at is not None:
        return redirect("assessments:survey-resume", public_id=response.public_id)
    fragment = request.GET.get("fragment") == "1"
    in_session = response.workshop_session_id == workshop.session_id
    vote = None
    shares: list[dict[str, object]] = []
    if workshop.current_question_id is not None and in_session:
        workshop.current_question = Question.objects.prefetch_related("choices").get(
            pk=workshop.current_question_id
        )
        vote = (
            WorkshopVote.objects.filter(
                session_id=workshop.session_id,
                question_id=workshop.current_question_id,
                round=workshop.round,
                response=response,
            )
            .select_related("choice")
            .first()
        )
        if workshop.revealed:
            shares = vote_shares(workshop, room_state(workshop))
    words = Words()
    if workshop.activity == Workshop.Activity.WORDS and in_session:
        words = Words(
            word_cloud(workshop),
            WorkshopWord.objects.filter(session_id=workshop.session_id, response=response)
            .values_list("text", flat=True)
            .first()
            or "",
        )
    return render(
        request,
        "survey/_live_question.html" if fragment else "survey/workshop_live.html",
        _live_context(workshop, response, vote, shares, words),
    )


@dataclass(frozen=True)
class Words:
    """The word cloud as one phone sees it: the room's cloud (rule 8f) and its own word."""

    cloud: WordCloud | None = None
    mine: str = ""


def _live_context(
    workshop: Workshop,
    response: Response,
    vote: WorkshopVote | None,
    shares: list[dict[str, object]],
    words: Words | None = None,
) -> dict[str, object]:
    """What the phone shows (the page, the polled fragment and the pushed one alike); no
    query: the caller has read the workshop with its question's answers, the vote, the
    room's result and, in the word cloud, the cloud and the phone's word."""
    in_session = response.workshop_session_id == workshop.session_id
    activity = workshop.activity
    question = workshop.current_question if in_session else None
    not_asked = (
        activity == Workshop.Activity.QUESTION
        and question is not None
        and not workshop.campaign.asks(question, response.function)
    )
    if activity != Workshop.Activity.QUESTION or not_asked:
        question = None
    if question is not None:
        question, shares = in_language(
            workshop.campaign.bank_version, question, shares, translation.get_language()
        )
    return {
        "workshop": workshop,
        "campaign": workshop.campaign,
        "response": response,
        "in_session": in_session,
        "activity": activity if in_session else "",
        "question": question,
        "not_asked": not_asked,
        # The phone shows its vote in this round (checked), as the survey shows an answer.
        "answer": _VoteAsAnswer(vote) if vote and question else None,
        "shares": shares if question else [],
        "prompt": words_prompt(workshop),
        "words": words or Words(),
    }


STREAM_SECONDS = 300  # then the browser reconnects (EventSource does by itself)
HEARTBEAT_SECONDS = 15  # a comment line now and then: proxies keep the stream, dead ones end


def _followable(workshop: Workshop, response: Response) -> bool:
    """Whether the phone's page is the paced question (else the page itself must load
    again: it shows the closed page, or the survey in free mode)."""
    return (
        not workshop.campaign.is_closed
        and workshop.mode == Workshop.Mode.PACED
        and response.submitted_at is None
    )


def live_event(request: HttpRequest, snapshot: Snapshot, response: Response) -> str:
    """One server-sent event for this phone: its new fragment, or "reload" when the page
    must change; rendered from the shared snapshot, without a query."""
    workshop = snapshot.workshop
    if not _followable(workshop, response):
        return f"id: {snapshot.version}\nevent: reload\ndata: \n\n"
    vote = snapshot.votes.get(response.pk)
    words = Words(snapshot.cloud, snapshot.words.get(response.pk, ""))
    html = render_to_string(
        "survey/_live_question.html",
        _live_context(workshop, response, vote, snapshot.shares, words),
        request=request,
    )
    data = "".join(f"data: {line}\n" for line in html.splitlines())
    return f"id: {snapshot.version}\nevent: fragment\n{data}\n"


@survey_headers
def workshop_events(request: HttpRequest, code: str) -> HttpResponse:
    """The phone's stream (server-sent events): a new fragment each time the facilitator
    acts, nothing in between (assessments/live.py). 204 for a phone that has not joined:
    EventSource then stops, and the page's slow poll says what is wrong."""
    workshop, response = _participant(request, code)
    if workshop is None or response is None:
        return HttpResponse(status=204)
    raw = request.headers.get("Last-Event-ID") or request.GET.get("v", "")
    seen = int(raw) if raw.isdigit() else None

    language = translation.get_language()
    hub = broadcaster  # the one this stream watches until it ends

    def events() -> Iterator[str]:
        translation.activate(language)  # the phone's language, for as long as it streams
        if not connection.in_atomic_block:  # a stream holds a thread, not a connection
            connection.close()
        hub.watch(workshop.pk)
        try:
            # Retry after 2 s; a ping at once, so the page knows the stream works and stops
            # polling.
            yield "retry: 2000\nevent: ping\ndata: \n\n"
            version, ends = seen, time.monotonic() + STREAM_SECONDS
            while time.monotonic() < ends and not hub.stopped:
                snapshot = hub.wait(workshop.pk, version, HEARTBEAT_SECONDS)
                if hub.stopped:
                    return
                if snapshot is None:
                    yield "event: ping\ndata: \n\n"  # the page knows the stream lives
                    continue
                version = snapshot.version
                yield live_event(request, snapshot, response)
        finally:
            hub.unwatch(workshop.pk)

    stream = StreamingHttpResponse(events(), content_type="text/event-stream")
    stream["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    return stream  # type: ignore[return-value]  # a streaming response, headers alike


class _VoteAsAnswer:
    """A vote read by the answer options (survey/_options.html) as if it were an answer."""

    def __init__(self, vote: WorkshopVote) -> None:
        self.choice_id = vote.choice_id
        self.is_na, self.is_dk, self.decision = vote.is_na, vote.is_dk, vote.decision


@survey_headers
@require_POST
def workshop_vote_view(request: HttpRequest, code: str) -> HttpResponse:
    """A phone's vote on the facilitator's question (htmx): "Saved", or why not."""
    workshop, response = _participant(request, code)
    if workshop is None or response is None:
        # Like a wrong link: nothing here says whether the workshop exists.
        return HttpResponse(NOT_JOINED, status=404)
    key = request.POST.get("question", "")
    question = posted_question(workshop.campaign.bank_version, key)
    if question is None:
        return HttpResponse(NOT_IN_SURVEY, status=400)
    try:
        workshop_vote(
            workshop=workshop,
            response=response,
            question=question,
            value=request.POST.get(f"q-{key}", ""),
            # A vote kept offline and sent later counts only in the round it was cast in.
            round=int(posted) if (posted := request.POST.get("round", "")).isdigit() else None,
        )
    except Refused as exc:
        return _refused(exc)
    if not request.htmx:  # type: ignore[attr-defined]  # the form without JavaScript
        return redirect("assessments:workshop-live", code=workshop.join_code)
    return HttpResponse(_("Saved"))


@survey_headers
@require_POST
def workshop_rejoin_view(request: HttpRequest, code: str) -> HttpResponse:
    """A phone from an earlier session joins the current one (the same response)."""
    workshop, response = _participant(request, code)
    if workshop is None or response is None:
        return invalid_link(request)
    try:
        workshop_rejoin(workshop=workshop, response=response)
    except Refused:
        return invalid_link(request)
    return redirect("assessments:workshop-live", code=workshop.join_code)


def _refused(exc: Refused) -> HttpResponse:
    """Why not, as htmx puts it in the page: 409 when the room moved on or closed, 400 when
    what was sent is not an answer."""
    return HttpResponse(escape(exc.sentence), status=409 if isinstance(exc, SurveyClosed) else 400)


@survey_headers
@require_POST
def workshop_word_view(request: HttpRequest, code: str) -> HttpResponse:
    """A phone's word for the cloud (htmx): "Sent", or why not."""
    workshop, response = _participant(request, code)
    if workshop is None or response is None:
        return HttpResponse(NOT_JOINED, status=404)
    try:
        saved = workshop_word(
            workshop=workshop, response=response, text=request.POST.get("word", "")
        )
    except Refused as exc:
        return _refused(exc)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("assessments:workshop-live", code=workshop.join_code)
    return HttpResponse(
        escape(
            _("Sent: %(word)s. You can change it until the cloud is shown.") % {"word": saved.text}
        )
    )


def _parking(
    request: HttpRequest, workshop: Workshop, response: Response, error: str = "", text: str = ""
) -> HttpResponse:
    template = "survey/_parking_list.html" if request.GET.get("list") else "survey/_parking.html"
    return render(
        request,
        template,
        {
            "workshop": workshop,
            "queue": parking_queue(workshop, response),
            "error": error,
            "text": text,
        },
    )  # 200 with the refusal in it: the phone shows it where the question was typed


@survey_headers
def workshop_parking_view(request: HttpRequest, code: str) -> HttpResponse:
    """Questions for later on a phone: the queue (GET), or a new question (POST)."""
    workshop, response = _participant(request, code)
    if workshop is None or response is None:
        return HttpResponse(NOT_JOINED, status=404)
    if request.method != "POST":
        return _parking(request, workshop, response)
    text = request.POST.get("question", "")
    try:
        parking_ask(workshop=workshop, response=response, text=text)
    except Refused as exc:
        if not request.htmx:  # type: ignore[attr-defined]
            return render(request, "survey/message.html", {"message": exc.sentence}, status=400)
        return _parking(request, workshop, response, error=exc.sentence, text=text[:280])
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("assessments:workshop-live", code=workshop.join_code)
    return _parking(request, workshop, response)


@survey_headers
@require_POST
def workshop_upvote_view(request: HttpRequest, code: str, note: int) -> HttpResponse:
    """Upvote a question for later, or take the upvote back; answers with the queue."""
    workshop, response = _participant(request, code)
    if workshop is None or response is None:
        return HttpResponse(NOT_JOINED, status=404)
    parked = parking_note_of(workshop, note)
    if parked is None:
        return HttpResponse(_("This question is no longer in the queue."), status=404)
    error = ""
    try:
        parking_upvote(workshop=workshop, response=response, note=parked)
    except Refused as exc:
        error = exc.sentence
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("assessments:workshop-live", code=workshop.join_code)
    return _parking(request, workshop, response, error=error)
