"""Two-factor sign-in (docs/security.md, "Two-factor sign-in"): an authenticator app's
six-digit codes (TOTP, RFC 6238) and ten single-use recovery codes, kept by django-otp.

Who must use it: staff (`TWO_FACTOR_FOR_STAFF`), and every member of a workspace whose owner
asked for it (`Workspace.require_two_factor`). Anyone else may turn it on in their profile.
The middleware (`middleware.TwoFactorMiddleware`) holds a signed-in person who has it, or
must have it, on the code page or the set-up page until the code is given.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.errors import Refused
from assessments.models import Membership, Workspace

RECOVERY_CODES = 10
APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"


def is_on(user: Any) -> bool:
    """Has the person a confirmed authenticator app?"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required(user: Any) -> bool:
    """Must the person sign in with a second factor?"""
    if user.is_staff and settings.TWO_FACTOR_FOR_STAFF:
        return True
    return Membership.objects.filter(user=user, workspace__require_two_factor=True).exists()


def requiring_workspaces(user: Any) -> list[str]:
    return list(
        Workspace.objects.filter(memberships__user=user, require_two_factor=True)
        .order_by("name")
        .values_list("name", flat=True)
    )


def app_pending(user: Any) -> TOTPDevice:
    """The authenticator app being set up: a new secret the first time, the same one until
    it is confirmed (a reload shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)
    return device


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def app_confirm(*, request: Any, user: Any, code: str) -> list[str]:
    """Confirm the app with its first code; returns the recovery codes, shown once."""
    if is_on(user) and not request.user.is_verified():
        # The password alone must never replace the app (that would undo the second factor).
        raise Refused.at("", _("Give the code of your current app first, then set up a new one."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise Refused.at("", _("Start the set-up again: there is no app waiting."))
    _check_allowed(device)
    if not device.verify_token(_clean(code)):
        raise Refused.at(
            "",
            _(
                "That code does not match. Check that the phone's clock is right and type the "
                "six digits the app shows now."
            ),
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one app at a time
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
    otp_login(request, device)
    return codes


def _check_allowed(device: Any) -> None:
    """django-otp doubles a device's wait after each wrong code: say so, with the wait."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return
    until = (details or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    raise Refused.at(
        "",
        _("Too many wrong codes in a row: wait %(seconds)s seconds, then try again."),
        seconds=seconds,
    )


def _new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_renew(*, user: Any) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not is_on(user):
        raise Refused.at("", _("Two-factor sign-in is not on."))
    with transaction.atomic():
        return _new_recovery_codes(user)


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(*, request: Any, user: Any, code: str) -> bool:
    """A code from the app (six digits) or a recovery code (used up): the session is then
    verified. Wrong codes slow the next tries of that kind down (django-otp's throttling,
    per device), and a try while it waits is refused saying how long."""
    token = _clean(code)
    kind = TOTPDevice if token.isdigit() else StaticDevice
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if not isinstance(device, kind):
            continue
        _check_allowed(device)
        if device.verify_token(token):
            otp_login(request, device)
            return True
    return False


def turn_off(*, user: Any, code: str) -> None:
    """Turn two-factor sign-in off, with a current code; not where it is required."""
    if is_required(user):
        raise Refused.at(
            "",
            _("Two-factor sign-in is required for your account (%(where)s); it stays on."),
            where=", ".join(requiring_workspaces(user)) or _("staff"),
        )
    token = _clean(code)
    if not any(
        d.verify_token(token) for d in devices_for_user(user, confirmed=True, for_verify=True)
    ):
        raise Refused.at("", _("That code does not match: two-factor sign-in stays on."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def workspace_require(*, workspace: Workspace, required: bool, by: Any) -> Workspace:
    """An owner asks every member for two-factor sign-in (or stops asking). The owner must
    have it first, or the first page after saving would lock them out of their own setting."""
    if required and not is_on(by):
        raise Refused.at(
            "",
            _("Turn on two-factor sign-in for yourself first (your profile), then require it."),
        )
    workspace.require_two_factor = required
    workspace.save(update_fields=["require_two_factor"])
    return workspace
