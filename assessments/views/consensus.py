"""The workshop's consensus page: the divergent questions, IT and OT side by side; the room's
agreed answer (rule 14 in docs/methodology.md) and a parking lot of points for later."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from assessments import access
from assessments.errors import Refused
from assessments.outputs.dashboard import consensus_context
from assessments.services.campaigns import agreed_answer_record, parking_note_add


@login_required
def campaign_consensus(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    page = reverse("assessments:campaign-consensus", args=[slug])
    if request.method == "POST":
        try:
            if request.POST.get("action") == "note":
                parking_note_add(
                    campaign=campaign, text=request.POST.get("text", ""), user=request.user
                )
                messages.success(request, _("Noted in the parking lot."))
                return redirect(page + "#notes")
            key = request.POST.get("question", "")
            agreed_answer_record(
                campaign=campaign,
                question_key=key,
                answer=request.POST.get("answer", ""),
                note=request.POST.get("note", "")[:2000],
                dissent=request.POST.get("dissent", "")[:2000],
            )
            if request.htmx:  # type: ignore[attr-defined]  # from the presenter view, in place
                return HttpResponse(
                    escape(_("Recorded the agreed answer to %(key)s.") % {"key": key})
                )
            messages.success(request, _("Recorded the agreed answer to %(key)s.") % {"key": key})
            return redirect(page + f"#q-{key}")
        except Refused as exc:
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponse(escape(exc.sentence), status=400)
            messages.error(request, exc.sentence)
    return render(
        request,
        "assessments/consensus.html",
        {
            "campaign": campaign,
            "organization": campaign.organization,
            **consensus_context(campaign, request.GET.get("question"), translation.get_language()),
        },
    )
