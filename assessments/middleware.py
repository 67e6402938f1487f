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
from django.middleware.csrf import CsrfViewMiddleware


def null_origin_ok(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    view.null_origin_ok = True  # type: ignore[attr-defined]
    return view


class NullOriginCsrfViewMiddleware(CsrfViewMiddleware):
    def process_view(
        self,
        request: HttpRequest,
        callback: Callable[..., Any],
        callback_args: Any,
        callback_kwargs: Any,
    ) -> Any:
        if getattr(callback, "null_origin_ok", False) and request.META.get("HTTP_ORIGIN") == "null":
            request.META["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
        return super().process_view(request, callback, callback_args, callback_kwargs)
