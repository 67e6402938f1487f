"""Two-factor sign-in: setting up an authenticator app, giving its code after the password,
recovery codes, turning it off (the rules: `services/two_factor.py`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from assessments import access
from assessments.errors import Refused
from assessments.services import two_factor


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or settings.LOGIN_REDIRECT_URL
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _codes_page(request: HttpRequest, codes: list[str], heading: str) -> HttpResponse:
    """Recovery codes, as the answer to the POST that made them: stored nowhere else in
    readable form than django-otp's table, never in the session."""
    response = render(
        request, "two_factor/recovery_codes.html", {"codes": codes, "heading": heading}
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    import segno

    user = access.current_user(request)
    device = two_factor.app_pending(user)
    error = ""
    if request.method == "POST":
        try:
            codes = two_factor.app_confirm(
                request=request, user=user, code=request.POST.get("code", "")
            )
        except Refused as exc:
            error = exc.sentence
        else:
            return _codes_page(request, codes, _("Two-factor sign-in is on"))
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return render(
        request,
        "two_factor/setup.html",
        {
            "qr": segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#1f3a5f"),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "config_url": device.config_url,
            "error": error,
            "required": two_factor.is_required(user),
            "replacing": two_factor.is_on(user),
            "next": _next(request),
        },
    )


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in."""
    user = access.current_user(request)
    if request.user.is_verified() or not two_factor.is_on(user):  # type: ignore[union-attr]
        return redirect(_next(request))
    error = ""
    if request.method == "POST":
        # django-otp slows a device down after each wrong code; this caps the tries per
        # person as well (a recovery code is 40 random bits, an app code 6 digits).
        if is_ratelimited(
            request,
            group="two-factor",
            key=lambda _group, req: str(req.user.pk),
            rate=settings.TWO_FACTOR_RATE,
            increment=True,
        ):
            error = "Too many wrong codes. Wait a few minutes, then try again."
        else:
            try:
                verified = two_factor.verify(
                    request=request, user=user, code=request.POST.get("code", "")
                )
            except Refused as exc:
                verified, error = False, exc.sentence
            else:
                error = (
                    ""
                    if verified
                    else _(
                        "That code does not match. Type the six digits your app shows now, "
                        "or one of your recovery codes."
                    )
                )
            if verified:
                left = two_factor.recovery_codes_left(user)
                if left <= 3:
                    messages.warning(
                        request,
                        ngettext(
                            "%(left)s recovery code left: make new ones in your profile.",
                            "%(left)s recovery codes left: make new ones in your profile.",
                            left,
                        )
                        % {"left": left},
                    )
                return redirect(_next(request))
    return render(request, "two_factor/verify.html", {"error": error, "next": _next(request)})


@require_POST
@login_required
def two_factor_recovery(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor.recovery_codes_renew(user=access.current_user(request))
    except Refused as exc:
        messages.error(request, exc.sentence)
        return redirect("assessments:profile")
    return _codes_page(request, codes, _("New recovery codes"))


@require_POST
@login_required
def two_factor_off(request: HttpRequest) -> HttpResponse:
    try:
        two_factor.turn_off(user=access.current_user(request), code=request.POST.get("code", ""))
    except Refused as exc:
        messages.error(request, exc.sentence)
    else:
        messages.success(request, _("Two-factor sign-in is off: your password alone signs you in."))
    return redirect("assessments:profile")
