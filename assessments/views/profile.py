"""Your profile: the personal API tokens that open the JSON API (`views/api.py`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments import access
from assessments.errors import Refused
from assessments.forms import TokenForm, posted
from assessments.models import ApiToken
from assessments.services import tokens, two_factor


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    data, _ = posted(request)
    form = TokenForm(data)
    new_token = None
    if form.is_valid():
        try:
            _row, new_token = tokens.token_create(user=request.user, name=form.cleaned_data["name"])
        except Refused as exc:
            exc.add_to_form(form)
        else:
            form = TokenForm()
    return render(
        request,
        "assessments/profile.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=access.current_user(request)),
            "api_root": request.build_absolute_uri(reverse("assessments:api-campaigns")),
            "two_factor_on": two_factor.is_on(request.user),
            "two_factor_required": two_factor.is_required(request.user),
            "recovery_left": two_factor.recovery_codes_left(request.user),
        },
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, api_token: int) -> HttpResponse:
    row = get_object_or_404(ApiToken, pk=api_token, user=request.user)  # someone else's: 404
    tokens.token_revoke(user=request.user, token=row)
    messages.success(
        request, _("Token “%(name)s” revoked: it no longer opens the API.") % {"name": row.name}
    )
    return redirect("assessments:profile")
