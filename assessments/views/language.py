"""The language switch on every page (docs/languages.md)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from assessments.middleware import null_origin_ok


@null_origin_ok  # the survey's pages send no referrer, so their posts say "Origin: null"
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's `set_language`: the language in a cookie, then back to `next` (this site's
    own address only), where the page shows again in the new language."""
    return set_language(request)
