"""CSRF for pages sent with `Referrer-Policy: no-referrer`.

Browsers send `Origin: null` with form posts from such pages (Fetch standard: a no-referrer
policy serialises the origin as "null"), which Django's origin check refuses, and over HTTPS
there is no Referer to fall back on either. The survey views opt in with `null_origin_ok`:
for them a "null" origin is taken as the site's own, and the CSRF token (cookie and form
field) must still match, as for every other POST.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse


def null_origin_ok(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    view.null_origin_ok = True  # type: ignore[attr-defined]
    return view


class NullOriginMiddleware:
    """Placed just before Django's CsrfViewMiddleware, whose checks then run unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        callback: Callable[..., Any],
        callback_args: Any,
        callback_kwargs: Any,
    ) -> None:
        if getattr(callback, "null_origin_ok", False) and request.headers.get("origin") == "null":
            request.META["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
