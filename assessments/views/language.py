"""The language switch on every page (docs/languages.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from assessments.middleware import null_origin_ok
from assessments.vocabulary import LANGUAGE_TAG


@null_origin_ok  # the survey's pages send no referrer, so their posts say "Origin: null"
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The chosen language in a cookie, then back to `next` (an address of this site only),
    where the page shows again in it. Any language tag is kept: a campaign may offer a
    language the interface does not have but its bank does (Czech questions around an
    English interface); where neither has it, the campaign's first language is used."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    language = request.POST.get("language", "")
    if len(language) <= 35 and LANGUAGE_TAG.fullmatch(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language.lower(),
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
        )
    return response
