"""The read-only JSON API, opened by personal tokens.

    GET /api/v1/campaigns/                 the campaigns the caller may see
    GET /api/v1/campaigns/<slug>/scores/   the campaign's `score --json` document

Tokens are made and revoked on the profile page (`views/profile.py`, kept by
`services/tokens.py`). The same access rules as the pages apply (`access.py`): members and
client viewers of an organisation see its campaigns; anyone else gets 404, as if the
campaign did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from assessments import access
from assessments.errors import Refused
from assessments.models import Campaign
from assessments.security import refused
from assessments.selectors.scores import campaign_scores, view_for
from assessments.services.tokens import token_user


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="convergence"'
    return response


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Bearer-token authentication, GET only, JSON errors, nothing cached by proxies.

    Exempt from CSRF: no cookie opens the API (a session is not a token), so a forged request
    from a browser carries nothing, and a POST gets the JSON 405 the README documents instead
    of an HTML CSRF page."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return _error(405, "The API is read-only: use GET.")
        user = token_user(request.headers.get("Authorization", ""))
        if user is None:
            refused(request, 401, "no valid API token")
            return _error(
                401, "Send a valid token as 'Authorization: Bearer cvg_...' (profile page)."
            )
        request.user = user
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _error(404, "Not found.")
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def _campaign_summary(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "organization": campaign.organization.slug,
        "organization_name": campaign.organization.name,
        "status": campaign.status,
        "bank": {
            "slug": campaign.bank_version.bank.slug,
            "version": campaign.bank_version.number,
        },
        "opens_on": campaign.opens_on.isoformat() if campaign.opens_on else None,
        "closes_on": campaign.closes_on.isoformat() if campaign.closes_on else None,
        "closed_at": campaign.closed_at.isoformat() if campaign.closed_at else None,
        "scores_url": request.build_absolute_uri(
            reverse("assessments:api-campaign-scores", args=[campaign.slug])
        ),
    }


@api_view
def campaigns(request: HttpRequest) -> HttpResponse:
    visible = (
        Campaign.objects.filter(organization__in=access.visible_organizations(request))
        .select_related("organization", "bank_version__bank")
        .order_by("organization__slug", "-created")
    )
    return JsonResponse({"campaigns": [_campaign_summary(request, c) for c in visible]})


@api_view
def campaign_scores_view(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug, manage=False)
    try:
        view = view_for(campaign, request.GET.get("site"), request.GET.get("function"))
    except Refused as error:
        return _error(400, error.sentence)
    return JsonResponse(campaign_scores(campaign, view), json_dumps_params={"ensure_ascii": False})
