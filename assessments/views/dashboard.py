"""The executive dashboard of a campaign, whole or one view (a site, a function)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from assessments import access
from assessments.models import Function
from assessments.outputs.dashboard import dashboard_context, filter_from_request
from assessments.vocabulary import FUNCTIONS


@login_required
def campaign_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug, manage=False)
    sites = dict(campaign.organization.sites.values_list("slug", "name"))
    score_filter = filter_from_request(request.GET, sites)
    return render(
        request,
        "assessments/dashboard.html",
        {
            **dashboard_context(campaign, score_filter, translation.get_language()),
            "campaign": campaign,
            "organization": campaign.organization,
            "manage": access.is_member(request, campaign.organization.workspace_id),
            "site_choices": sites,
            "function_choices": [(f, Function(f).label) for f in FUNCTIONS],
            # The PDF and the deck in the campaign's report language, or in another one.
            "report_languages": [
                (code, translation.get_language_info(code)["name_local"])
                for code, _name in settings.LANGUAGES
            ],
        },
    )
