"""The read-only JSON API and the personal tokens that open it.

    GET /api/v1/campaigns/                 the campaigns the caller may see
    GET /api/v1/campaigns/<slug>/scores/   the campaign's `score --json` document

A token is 32 random bytes (URL-safe base64, prefixed `cvg_`), made and revoked on the
profile page and shown once; only its SHA-256 is stored. The same access rules as the pages
apply (`access.py`): members and client viewers of an organisation see its campaigns; anyone
else gets 404, as if the campaign did not exist.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import access
from .fileformats import ImportProblems
from .forms import TokenForm, posted
from .models import ApiToken, Campaign
from .security import refused
from .selectors import campaign_scores, view_for

TOKEN_PREFIX = "cvg_"  # nosec B105  # noqa: S105 - a public marker, not a secret
MAX_TOKENS = 20
TOUCH_EVERY = timedelta(minutes=5)  # how stale `last_used` may get (spares a write a call)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`: the stored row and the token itself (shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user, name=name, prefix=token[: len(TOKEN_PREFIX) + 4], token_hash=_digest(token)
    )
    return row, token


def token_user(header: str) -> Any:
    """The active user whose token the Authorization header carries, or None."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip().startswith(TOKEN_PREFIX):
        return None
    row = ApiToken.objects.select_related("user").filter(token_hash=_digest(token.strip())).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used is None or now - row.last_used > TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used=now)
    return row.user


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="convergence"'
    return response


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Bearer-token authentication, GET only, JSON errors, nothing cached by proxies."""

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
    except ImportProblems as error:
        return _error(400, "; ".join(error.problems))
    return JsonResponse(campaign_scores(campaign, view), json_dumps_params={"ensure_ascii": False})


# --- The profile page: tokens -----------------------------------------------------------------


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    data, _ = posted(request)
    form = TokenForm(data)
    new_token = None
    if form.is_valid():
        if ApiToken.objects.filter(user=access.current_user(request)).count() >= MAX_TOKENS:
            form.add_error(None, f"You have {MAX_TOKENS} tokens; revoke one first.")
        else:
            _, new_token = token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    return render(
        request,
        "assessments/profile.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=access.current_user(request)),
            "api_root": request.build_absolute_uri(reverse("assessments:api-campaigns")),
        },
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, api_token: int) -> HttpResponse:
    row = get_object_or_404(ApiToken, pk=api_token, user=request.user)  # someone else's: 404
    row.delete()
    messages.success(request, f"Token “{row.name}” revoked: it no longer opens the API.")
    return redirect("assessments:profile")
