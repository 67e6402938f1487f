"""What a security review asks of the running app: a log of who got in, who did not and who
was refused, and a brake on guessing survey links and workshop codes.

Log lines go to the `convergence.security` logger (console by default), one line per event,
with the client's address and never a password or a token.

Guessing: a survey link carries 32 random bytes and cannot be guessed, but a workshop code is
short by design (people type it from a projector). Every wrong link or code counts against the
browser (django-ratelimit, in the shared cache); past `LINK_GUESS_RATE` that browser gets
"429 Too many wrong links" for the rest of the window, whatever it asks, so the answer reveals
nothing. A browser is its address and a random cookie (`cvg_b`) set at its first wrong guess:
one participant mistyping the code sixty times does not lock out the room behind the same
plant router. A client that drops the cookie to start afresh meets the address's own brake,
`LINK_GUESS_ADDRESS_RATE` (600 in ten minutes: 32^6 codes would take over 30 years). Only
failures count: a whole plant behind one router opens valid links freely.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core import checks
from django.core.mail.backends.base import BaseEmailBackend
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django_ratelimit.core import get_usage

logger = logging.getLogger("convergence.security")

GUESS_GROUP = "link-guess"


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: the connection's, or behind a proxy the one the proxy put in
    `CLIENT_IP_HEADER`. Of a list ("a, b"), the last entry: the one our proxy added; the
    others came from the client and prove nothing."""
    if request is None:
        return "-"
    header = settings.CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    return value.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "") or "-"


def client_address(request: HttpRequest | None) -> str | None:
    """`client_ip` where an address must be an address (django-axes stores it in an `inet`
    column on PostgreSQL): None when there is none, as for a test client's forced login."""
    value = client_ip(request)
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return value


def _who(request: HttpRequest | None) -> str:
    user = getattr(request, "user", None)
    name = user.get_username() if user is not None and user.is_authenticated else "anonymous"
    return f"user={name} ip={client_ip(request)}"


def refused(request: HttpRequest, status: int, reason: str) -> None:
    """Called where access is refused: 404 for outsiders, 403 for read-only users."""
    logger.warning("access refused %s %s %s: %s", status, request.path, _who(request), reason)


# --- Logins ---------------------------------------------------------------------------------


def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    logger.info("login user=%s ip=%s", user.get_username(), client_ip(request))


def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    name = user.get_username() if user is not None else "anonymous"
    logger.info("logout user=%s ip=%s", name, client_ip(request))


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # `credentials` comes with the password already masked; only the name is logged.
    logger.warning(
        "login failed user=%s ip=%s", credentials.get("username", "?"), client_ip(request)
    )


def connect_signals() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="convergence-login")
    user_logged_out.connect(_logged_out, dispatch_uid="convergence-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="convergence-login-failed")


# --- Guessing links and codes ---------------------------------------------------------------


BROWSER_COOKIE = "cvg_b"


def browser_id(request: HttpRequest) -> str:
    """This browser's guessing identity: its cookie, or a new one the response will set."""
    known = request.COOKIES.get(BROWSER_COOKIE, "")
    if len(known) == 22 and known.replace("-", "").replace("_", "").isalnum():
        return known
    if not hasattr(request, "new_browser_id"):
        request.new_browser_id = secrets.token_urlsafe(16)  # type: ignore[attr-defined]
    return str(request.new_browser_id)  # type: ignore[attr-defined]


def remember_browser(request: HttpRequest, response: HttpResponse) -> None:
    """Set the cookie `browser_id` made for this request (survey pages call it)."""
    new = getattr(request, "new_browser_id", None)
    if new:
        response.set_cookie(
            BROWSER_COOKIE,
            new,
            max_age=30 * 24 * 3600,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )


def _guesses(request: HttpRequest, *, count: bool) -> tuple[int, int, int]:
    """(wrong guesses so far, limit, seconds left in the window) of whichever brake is
    nearest: this browser's, or its address's.

    If the cache cannot be reached (Redis down), the brake is off rather than every link
    refused: in the middle of a workshop, links must open; survey links cannot be guessed
    anyway, and the outage is logged."""
    browser = f"{client_ip(request)}:{browser_id(request)}"
    brakes = (
        (GUESS_GROUP, lambda group, req: browser, settings.LINK_GUESS_RATE),
        (f"{GUESS_GROUP}-address", "ip", settings.LINK_GUESS_ADDRESS_RATE),
    )
    found: list[tuple[int, int, int]] = []
    for group, key, rate in brakes:
        usage = _usage(request, group, key, rate, increment=count)
        if usage is None:  # the cache is unavailable (logged): the brake is off
            return 0, 1, 0
        if usage["time_left"] == -1:  # disabled, or the cache failed to count
            continue
        found.append((int(usage["count"]), int(usage["limit"]), int(usage["time_left"])))
    if not found:
        return 0, 1, 0
    spent = [brake for brake in found if brake[0] >= brake[1]]
    if spent:
        return max(spent, key=lambda brake: brake[2])  # the longest wait
    return min(found, key=lambda brake: brake[1] - brake[0])  # the nearest brake


def guessing_refused(request: HttpRequest) -> HttpResponse | None:
    """The 429 page when this client has used up its wrong guesses, else None."""
    tried, limit, time_left = _guesses(request, count=False)
    if tried < limit:
        return None
    minutes = max(1, -(-time_left // 60))
    response = render(request, "survey/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, time_left))
    return response


def wrong_guess(request: HttpRequest, what: str) -> None:
    tried, limit, _ = _guesses(request, count=True)
    log = logger.warning if tried >= limit else logger.info
    log("wrong %s ip=%s (%d of %d allowed)", what, client_ip(request), tried, limit)


# --- Password resets -------------------------------------------------------------------------


def password_reset(request: HttpRequest) -> HttpResponseBase:
    """Django's password reset page, with a brake: each request mails someone, so one address
    may ask `PASSWORD_RESET_RATE` times (5 an hour) and one e-mail address 3 times an hour."""
    from django.contrib.auth.views import PasswordResetView

    if request.method == "POST":
        email = request.POST.get("email", "").strip().lower()
        limits = (
            ("password-reset-ip", "ip", settings.PASSWORD_RESET_RATE),
            ("password-reset-email", lambda group, req: email, "3/h"),
        )
        for group, key, rate in limits:
            usage = _usage(request, group, key, rate)
            if usage is not None and usage["should_limit"]:
                logger.warning("password reset refused ip=%s (%s)", client_ip(request), group)
                minutes = max(1, -(-int(usage["time_left"]) // 60))
                response = render(
                    request, "registration/too_many_resets.html", {"minutes": minutes}, status=429
                )
                response["Retry-After"] = str(max(1, int(usage["time_left"])))
                return response
    return PasswordResetView.as_view()(request)


def _usage(
    request: HttpRequest, group: str, key: Any, rate: str, *, increment: bool = True
) -> dict[str, Any] | None:
    """django-ratelimit's count, or None when the cache cannot be reached (Redis down): the
    brake is then off rather than everything refused, and the outage is logged."""
    try:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=increment)
    except Exception as exc:  # the cache backend's own error types vary
        logger.error("%s limit off: the cache is unavailable (%s)", group, exc)
        return None
    return (
        {"count": 0, "limit": 1, "time_left": -1, "should_limit": False} if usage is None else usage
    )


# --- E-mail without a server ---------------------------------------------------------------


class UnsentMailBackend(BaseEmailBackend):
    """Production without EMAIL_HOST: mails are not sent, and their bodies (which hold
    password-set and survey links) are not written anywhere; the log says what was dropped."""

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            logger.error(
                "e-mail not sent (no EMAIL_HOST): %r to %d recipient(s)",
                message.subject,
                len(message.recipients()),
            )
        return 0


def mail_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG or settings.EMAIL_HOST:
        return []
    return [
        checks.Error(
            "No e-mail server: invitations, viewer and member links and password resets "
            "would not be sent.",
            hint="Set EMAIL_HOST (and EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, DEFAULT_FROM_EMAIL).",
            id="convergence.E003",
        )
    ]


# --- Deployment check -----------------------------------------------------------------------


def shared_cache_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or not backend.endswith("LocMemCache"):
        return []
    return [
        checks.Warning(
            "Wrong survey links and workshop codes are counted per process: with several "
            "worker processes a client may try that many more.",
            hint="Set REDIS_URL (for example redis://127.0.0.1:6379/0) to share the counts.",
            id="convergence.W002",
        )
    ]
