"""Two guards that run before the views.

CSRF for pages sent with `Referrer-Policy: no-referrer`.

Browsers send `Origin: null` with form posts from such pages (Fetch standard: a no-referrer
policy serialises the origin as "null"), which Django's origin check refuses, and over HTTPS
there is no Referer to fall back on either. The survey views opt in with `null_origin_ok`:
for them a "null" origin is taken as the site's own, and the CSRF token (cookie and form
field) must still match, as for every other POST.

NUL characters: see RefuseNulCharactersMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import SuspiciousOperation
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


class NulCharacterError(SuspiciousOperation):
    """A NUL character in the address, a form field or a cookie."""


class RefuseNulCharactersMiddleware:
    """Answers 400 to a request carrying a NUL character (0x00) anywhere Django reads text
    from: the path, the query, form fields, cookies.

    No browser sends one by itself; an attacker or a broken client does, and PostgreSQL refuses
    any query that contains one, so without this a `%00` in a workshop code or a survey field
    became a server error. Raised as SuspiciousOperation: Django answers with the 400 page and
    logs it under `django.security`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for where, values in self._texts(request):
            if any("\x00" in value for value in values):
                raise NulCharacterError(f"NUL character in the request's {where}")
        return self.get_response(request)

    @staticmethod
    def _texts(request: HttpRequest) -> Iterator[tuple[str, Iterable[str]]]:
        yield "path", [request.path]
        yield "query", [v for key, vs in request.GET.lists() for v in (key, *vs)]
        yield "cookies", [v for pair in request.COOKIES.items() for v in pair]
        if request.method == "POST":
            yield "form", [v for key, vs in request.POST.lists() for v in (key, *vs)]
