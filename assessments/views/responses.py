"""Responses that came through join links and the workshop code: where they came from, how
fast, in what bursts (counts only), and setting aside those that look fabricated."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from assessments import access
from assessments.errors import Refused
from assessments.selectors.responses import (
    FAST_SECONDS_PER_ANSWER,
    source_responses,
    sources,
    team_fill,
)
from assessments.services.responses import responses_discard, responses_restore


@login_required
def campaign_responses(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    if request.method == "POST":
        since = parse_datetime(request.POST.get("since", ""))
        until = parse_datetime(request.POST.get("until", ""))
        which = request.POST.get("which", "")
        chosen = source_responses(campaign, request.POST.get("source", ""), which, since, until)
        try:
            if which == "discarded":
                count = responses_restore(campaign=campaign, responses=chosen)
                messages.success(
                    request, _("Restored %(count)s: they count again.") % {"count": count}
                )
            else:
                count = responses_discard(
                    campaign=campaign,
                    responses=chosen,
                    by=request.user,
                    reason=request.POST.get("reason", "")
                    or (
                        _("abandoned: untouched for over %(hours)s hours")
                        % {"hours": settings.ABANDONED_AFTER_HOURS}
                        if which == "abandoned"
                        else ""
                    ),
                )
                messages.success(
                    request,
                    _("Set aside %(count)s: they no longer count anywhere and cannot change.")
                    % {"count": count},
                )
        except Refused as exc:
            messages.error(request, exc.sentence)
        return redirect("assessments:campaign-responses", slug=campaign.slug)
    return render(
        request,
        "assessments/responses.html",
        {
            "campaign": campaign,
            "organization": campaign.organization,
            "sources": sources(campaign),
            "teams": team_fill(campaign),
            "fast_seconds": FAST_SECONDS_PER_ANSWER,
            "abandoned_hours": settings.ABANDONED_AFTER_HOURS,
        },
    )
