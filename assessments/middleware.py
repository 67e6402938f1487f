"""Guards that run before the views.

Request bodies: see RequestBodyLimitMiddleware. Signed-in sessions: StaffSessionMiddleware.

CSRF for pages sent with `Referrer-Policy: no-referrer`.

Browsers send `Origin: null` with form posts from such pages (Fetch standard: a no-referrer
policy serialises the origin as "null"), which Django's origin check refuses, and over HTTPS
there is no Referer to fall back on either. The survey views opt in with `null_origin_ok`:
for them a "null" origin is taken as the site's own, and the CSRF token (cookie and form
field) must still match, as for every other POST.

NUL characters: see RefuseNulCharactersMiddleware.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from assessments.services import two_factor


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


class RequestBodyLimitMiddleware:
    """Answers 413 to a request whose declared body is larger than its address accepts,
    before anything reads it.

    Django parses a multipart body (spooling files to disk) the first time anything touches
    `request.POST`, which the NUL guard and the CSRF check both do: without this an anonymous
    300 MB POST was written to disk before its CSRF 403. Pages that take a file allow what
    their file may weigh (`UPLOAD_LIMITS`, by URL name); everything else `MAX_REQUEST_BYTES`.
    A body sent without a length is read as empty by Django, so it cannot slip past. Slow
    clients are the reverse proxy's business (README, "Production deployment").
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if 0 <= length <= settings.MAX_REQUEST_BYTES:
            return self.get_response(request)  # every page takes this much: no lookup
        limit = self.limit_for(request.path_info)
        if length < 0 or length > limit:
            page = render_to_string(
                "413.html", {"limit": limit, "length": max(length, 0)}, request=None
            )
            response = HttpResponse(page, status=413)
            response["Connection"] = "close"  # the unread body must not be taken as a request
            return response
        return self.get_response(request)

    @staticmethod
    def limit_for(path: str) -> int:
        try:
            match = resolve(path)
        except Resolver404:
            return int(settings.MAX_REQUEST_BYTES)
        if match.view_name in settings.UPLOAD_LIMITS:
            return int(settings.UPLOAD_LIMITS[match.view_name])
        if match.namespace == "admin":  # a draft bank's change form holds every question
            return int(settings.ADMIN_MAX_REQUEST_BYTES)
        return int(settings.MAX_REQUEST_BYTES)


SESSION_SIGNED_IN_AT = "signed_in_at"
SESSION_SEEN_AT = "seen_at"
TOUCH_SESSION_EVERY = 300  # seconds


class StaffSessionMiddleware:
    """Sessions of people who sign in (consultants, client viewers, staff) end when idle for
    `STAFF_SESSION_IDLE` seconds and at the latest `STAFF_SESSION_MAX` after signing in;
    respondents keep the long session that lets them come back to their survey. Every page
    for a signed-in person is sent `Cache-Control: no-store`: dashboards and reports hold a
    client's confidential figures and must not stay in a shared computer's cache (polls with
    an ETag: `private, no-cache`, so the 304s still work).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            now = int(time.time())
            session = request.session
            started = session.setdefault(SESSION_SIGNED_IN_AT, now)
            if now - int(started) > settings.STAFF_SESSION_MAX:
                logout(request)
                return redirect_to_login(request.get_full_path())
            # The idle clock restarts with each request, written at most every five minutes
            # (a session write costs queries on every page otherwise).
            if now - int(session.get(SESSION_SEEN_AT, 0)) > TOUCH_SESSION_EVERY:
                session[SESSION_SEEN_AT] = now
                session.set_expiry(settings.STAFF_SESSION_IDLE)
        response = self.get_response(request)
        if signed_in and response.has_header("ETag"):
            # A poll answered 304 while nothing changes (the workshop screen): the browser
            # keeps it privately and asks again every time; nothing shared may store it.
            patch_cache_control(response, private=True, no_cache=True)
        elif signed_in:
            patch_cache_control(response, no_store=True, private=True)
        return response


SESSION_TWO_FACTOR = "two_factor_need"  # [checked at, "verify" | "setup" | ""]
# Pages a person who still owes the code may open: signing in and out, the code and set-up
# pages, and the survey (anyone may answer one).
TWO_FACTOR_FREE = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "assessments:link-open",
    "assessments:workshop-code",
    "assessments:workshop-join",
    "assessments:workshop-live",
}


class TwoFactorMiddleware:
    """After the password, the code (services/two_factor.py). A signed-in person with an
    authenticator app who has not given its code in this session, or whose account requires
    one and has none yet, sees only the code page (or the set-up page), whatever they ask
    for; the address they asked for is where they land after it. Whether someone owes a code
    is read from the database at most every five minutes and kept in the session, so pages
    cost no query more (an owner requiring it reaches open sessions within five minutes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            need = self._need(request, user)
            # Only the page the person owes: someone who has an app but has not given its
            # code must not reach the set-up page, which would replace the app.
            page = "two-factor-verify" if need == "verify" else "two-factor-setup"
            if need and not self._free(request, f"assessments:{page}"):
                target = reverse(f"assessments:{page}")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _need(request: HttpRequest, user: Any) -> str:
        now = int(time.time())
        cached = request.session.get(SESSION_TWO_FACTOR)
        if cached and now - int(cached[0]) < TOUCH_SESSION_EVERY:
            return str(cached[1])
        if two_factor.is_on(user):
            need = "verify"
        elif two_factor.is_required(user):
            need = "setup"
        else:
            need = ""
        request.session[SESSION_TWO_FACTOR] = [now, need]
        return need

    @staticmethod
    def _free(request: HttpRequest, owed: str) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # a 404 shows nothing
        name = match.view_name
        return name == owed or name in TWO_FACTOR_FREE or name.startswith("assessments:survey-")


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware: the language switch's cookie, else the browser's
    Accept-Language, among the interface's languages (English, German), on every page. A
    view may speak another language for its own page: a respondent's pages speak one their
    campaign offers (assessments/languages.py), the audience screen its campaign's first,
    the PDF and the deck their report language (docs/languages.md)."""


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's actor middleware (assessments/audit.py), for signed-in people only.
    A respondent's request (an answer saved, a phone's vote) changes nothing the audit log
    watches, so it skips the per-request signal wiring that 300 phones would pay for."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        return super().__call__(request)
