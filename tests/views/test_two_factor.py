"""Two-factor sign-in (issue 16, point 11): an authenticator app's codes and recovery codes,
required by a workspace's owner or for staff, given after the password on every sign-in."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import Workspace
from tests import builders
from tests.html import visible_text

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-two-factor-1"


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def _code_used(device: TOTPDevice) -> str:
    """The code of the time step the device last accepted (a 30 s boundary may have passed
    since, and then `_code` is already the next, valid one)."""
    token = TOTP(device.bin_key, device.step, device.t0, device.digits)
    token.time = device.t0 + device.last_t * device.step
    return f"{token.token():06d}"


def _signed_in(user) -> Client:
    """A browser that has typed the password, as a person does (not force_login)."""
    user.set_password(PASSWORD)
    user.save()
    browser = Client()
    answer = browser.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302, answer.content.decode()[:500]
    return browser


def _turn_on(browser: Client, user) -> list[str]:
    page = browser.get(reverse("assessments:two-factor-setup"))
    assert "<svg" in page.content.decode()  # the QR code of the otpauth:// address
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = browser.post(reverse("assessments:two-factor-setup"), {"code": _code(device)})
    text = visible_text(done.content.decode())
    assert "Two-factor sign-in is on" in text
    codes = re.findall(r"\b[a-z2-7]{8}\b", done.content.decode().split('id="recovery-codes"')[1])
    assert len(codes) == 10
    assert "no-store" in done["Cache-Control"]
    return codes


def test_turning_it_on_needs_a_code_from_the_app(owner):
    browser = _signed_in(owner)
    browser.get(reverse("assessments:two-factor-setup"))
    wrong = browser.post(reverse("assessments:two-factor-setup"), {"code": "000000"})
    assert "That code does not match" in visible_text(wrong.content.decode())
    assert "code: That" not in visible_text(wrong.content.decode())
    assert not TOTPDevice.objects.filter(user=owner, confirmed=True).exists()
    # At once, the right code waits: each wrong one doubles django-otp's delay.
    pending = TOTPDevice.objects.get(user=owner, confirmed=False)
    hurried = browser.post(reverse("assessments:two-factor-setup"), {"code": _code(pending)})
    assert "Too many wrong codes in a row: wait" in visible_text(hurried.content.decode())
    pending.throttle_reset()
    _turn_on(browser, owner)
    assert TOTPDevice.objects.filter(user=owner, confirmed=True).count() == 1
    profile = visible_text(browser.get(reverse("assessments:profile")).content.decode())
    assert "On After your password" in profile and "10 recovery codes left" in profile


def test_every_sign_in_then_asks_for_the_code(owner, workspace):
    _turn_on(_signed_in(owner), owner)
    device = TOTPDevice.objects.get(user=owner)
    browser = _signed_in(owner)
    members = reverse("assessments:members", args=[workspace.slug])
    held = browser.get(members)
    verify = reverse("assessments:two-factor-verify")
    assert held["Location"] == verify + "?next=" + members.replace("/", "%2F")
    # Anything else too, and a POST changes nothing.
    from assessments.models import Organization

    posted = browser.post(reverse("assessments:organization-create"), {"name": "X", "slug": "x"})
    assert posted["Location"].startswith(verify) and not Organization.objects.exists()
    wrong = browser.post(held["Location"], {"code": "123456", "next": members})
    assert "That code does not match" in visible_text(wrong.content.decode())
    device.refresh_from_db()
    device.throttle_reset()
    # The code set-up used cannot be replayed; the next one (a phone clock 30 s ahead) works,
    # and lands where the person was going.
    replayed = browser.post(held["Location"], {"code": _code_used(device), "next": members})
    assert "That code does not match" in visible_text(replayed.content.decode())
    device.refresh_from_db()
    device.throttle_reset()
    right = browser.post(held["Location"], {"code": _code(device, drift=1), "next": members})
    assert right["Location"] == members
    assert "Add a consultant" in visible_text(browser.get(members).content.decode())


def test_a_recovery_code_works_once(owner, workspace):
    codes = _turn_on(_signed_in(owner), owner)
    verify = reverse("assessments:two-factor-verify")
    first = _signed_in(owner)
    assert first.post(verify, {"code": codes[0].upper()})["Location"] == "/"
    again = _signed_in(owner)
    reused = again.post(verify, {"code": codes[0]})
    assert "That code does not match" in visible_text(reused.content.decode())
    assert StaticToken.objects.filter(device__user=owner).count() == 9


def test_wrong_codes_are_limited_per_person(owner):
    _turn_on(_signed_in(owner), owner)
    device = TOTPDevice.objects.get(user=owner)
    browser = _signed_in(owner)
    verify = reverse("assessments:two-factor-verify")
    for _ in range(10):
        browser.post(verify, {"code": "000000"})
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp's own delay aside: the cap holds
    device.throttling_failure_timestamp = None
    device.save()
    blocked = browser.post(verify, {"code": _code(device)})
    assert "Too many wrong codes" in visible_text(blocked.content.decode())


def test_next_never_leaves_the_site(owner):
    _turn_on(_signed_in(owner), owner)
    device = TOTPDevice.objects.get(user=owner)
    browser = _signed_in(owner)
    landed = browser.post(
        reverse("assessments:two-factor-verify"),
        {"code": _code(device, drift=1), "next": "https://evil.example/"},
    )
    assert landed["Location"] == "/"


def test_an_owner_requires_it_for_the_workspace(owner, consultant, workspace):
    browser = _signed_in(owner)
    require = reverse("assessments:workspace-two-factor", args=[workspace.slug])
    refused = browser.post(require, {"require": "1"}, follow=True)
    assert "Turn on two-factor sign-in for yourself first" in visible_text(refused.content.decode())
    assert not Workspace.objects.get(pk=workspace.pk).require_two_factor
    _turn_on(browser, owner)
    browser.post(require, {"require": "1"})
    assert Workspace.objects.get(pk=workspace.pk).require_two_factor
    page = visible_text(
        browser.get(reverse("assessments:members", args=[workspace.slug])).content.decode()
    )
    assert "Required for every member" in page and "two-factor on" in page

    # A member without an app must set one up before anything else.
    member = _signed_in(consultant)
    held = member.get(reverse("assessments:home"))
    assert held["Location"].startswith(reverse("assessments:two-factor-setup"))
    setup = member.get(held["Location"])
    assert "Your account needs two-factor sign-in" in visible_text(setup.content.decode())
    _turn_on(member, consultant)
    assert member.get(reverse("assessments:home")).status_code == 200
    # Required: it cannot be turned off.
    device = TOTPDevice.objects.get(user=consultant)
    off = member.post(reverse("assessments:two-factor-off"), {"code": _code(device)}, follow=True)
    assert "it stays on" in visible_text(off.content.decode())
    assert TOTPDevice.objects.filter(user=consultant).exists()


def test_turning_it_off_needs_a_current_code(owner):
    browser = _signed_in(owner)
    _turn_on(browser, owner)
    device = TOTPDevice.objects.get(user=owner)
    off = reverse("assessments:two-factor-off")
    kept = browser.post(off, {"code": "000000"}, follow=True)
    assert "two-factor sign-in stays on" in visible_text(kept.content.decode())
    device.refresh_from_db()
    device.throttle_reset()
    done = browser.post(off, {"code": _code(device, drift=1)}, follow=True)
    assert "Two-factor sign-in is off" in visible_text(done.content.decode())
    assert not TOTPDevice.objects.filter(user=owner).exists()


@override_settings(TWO_FACTOR_FOR_STAFF=True)
def test_staff_must_use_it_in_production(staff):
    browser = _signed_in(staff)
    held = browser.get("/admin/")
    assert held["Location"].startswith(reverse("assessments:two-factor-setup"))
    _turn_on(browser, staff)
    assert "Site administration" in browser.get("/admin/").content.decode()


def test_people_without_it_are_not_asked(consultant):
    browser = _signed_in(consultant)
    assert browser.get(reverse("assessments:home")).status_code == 200
    # Nor slowed down: the decision is kept in the session for five minutes.
    assert browser.session["two_factor_need"][1] == ""


def test_the_survey_stays_open_to_someone_who_owes_a_code(owner, workspace):
    from assessments.models import Invitation
    from assessments.services.survey import invitation_create

    _turn_on(_signed_in(owner), owner)
    browser = _signed_in(owner)
    campaign = builders.campaign(workspace)
    link = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON)
    opened = browser.get(reverse("assessments:link-open", args=[link.token]))
    assert opened["Location"] == reverse("assessments:survey-start")


def test_the_password_alone_cannot_replace_the_app(owner):
    """An attacker with the password must not set up an app of their own."""
    _turn_on(_signed_in(owner), owner)
    original = TOTPDevice.objects.get(user=owner, confirmed=True)
    attacker = _signed_in(owner)
    setup = reverse("assessments:two-factor-setup")
    assert attacker.get(setup)["Location"].startswith(reverse("assessments:two-factor-verify"))
    assert attacker.post(setup, {"code": "123456"})["Location"].startswith(
        reverse("assessments:two-factor-verify")
    )
    # Even past the middleware, the service refuses.
    from django.test import RequestFactory

    from assessments.errors import Refused
    from assessments.services import two_factor

    request = RequestFactory().post(setup)
    request.user = owner
    owner.is_verified = lambda: False
    pending = two_factor.app_pending(owner)
    with pytest.raises(Refused, match="Give the code of your current app first"):
        two_factor.app_confirm(request=request, user=owner, code=_code(pending))
    assert TOTPDevice.objects.get(user=owner, confirmed=True).pk == original.pk
