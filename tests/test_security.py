"""Production hardening: security headers on every kind of response, plain error pages, a
security log, and a brake on guessing survey links and workshop codes."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from assessments.models import Answer, Response
from assessments.services.survey import invitation_create
from assessments.services.workshops import workshop_for
from tests import builders

pytestmark = pytest.mark.django_db

# What the production settings switch on (the deploy check in test_settings.py proves they do);
# HSTS is only ever sent over HTTPS, so these requests come "through the proxy" as https.
PRODUCTION = override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace)


def assert_hardened(response) -> None:
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    header = response["Content-Security-Policy"]
    policy = dict(([*part.strip().split(" ", 1), ""])[:2] for part in header.split(";"))
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["default-src"] == "'self'"


@PRODUCTION
@override_settings(
    CHROMIUM_PATH="/nonexistent/chromium",  # the PDF with a note per chart
    WHITENOISE_USE_FINDERS=True,  # static files without collectstatic, as on a fresh clone
)
def test_every_kind_of_response_carries_the_headers(owner, campaign, outsider):
    member = Client(**HTTPS)
    member.force_login(owner)
    slug = campaign.slug
    responses = {
        "html": member.get(reverse("assessments:campaign-detail", args=[slug])),
        "pdf": member.get(reverse("assessments:campaign-report", args=[slug])),
        "csv": member.get(reverse("assessments:campaign-export", args=[slug, "scores", "csv"])),
        "xlsx": member.get(reverse("assessments:campaign-export", args=[slug, "scores", "xlsx"])),
        "login page": Client(**HTTPS).get(reverse("login")),
        "survey 404": Client(**HTTPS).get(reverse("assessments:link-open", args=["nope"])),
        "api 401": Client(**HTTPS).get(reverse("assessments:api-campaigns")),
        "static js": Client(**HTTPS).get("/static/js/survey.js"),
    }
    stranger = Client(**HTTPS)
    stranger.force_login(outsider)
    responses["404"] = stranger.get(reverse("assessments:campaign-detail", args=[slug]))
    expected = {
        "html": (200, "text/html"),
        "pdf": (200, "application/pdf"),
        "csv": (200, "text/csv"),
        "xlsx": (200, "application/vnd.openxmlformats"),
        "login page": (200, "text/html"),
        "survey 404": (404, "text/html"),
        "api 401": (401, "application/json"),
        "static js": (200, "text/javascript"),
        "404": (404, "text/html"),
    }
    for name, response in responses.items():
        status, content_type = expected[name]
        assert response.status_code == status, name
        assert response["Content-Type"].startswith(content_type), name
        assert_hardened(response)
    assert responses["pdf"].content.startswith(b"%PDF")
    assert b"Page not found" in responses["404"].content


@PRODUCTION
@override_settings(ROOT_URLCONF="tests.urls_boom")
def test_a_server_error_is_a_plain_page_and_is_logged(caplog):
    browser = Client(raise_request_exception=False, **HTTPS)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = browser.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    for leak in ("hunter2", "Traceback", "RuntimeError", "secret detail"):
        assert leak not in page
    assert_hardened(response)
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert "/boom/" in record.getMessage()
    assert record.exc_info is not None and "hunter2" in str(record.exc_info[1])


def test_403_page_says_why(client, workspace, campaign):
    from assessments.models import ClientViewer

    viewer = builders.user("cio")
    ClientViewer.objects.create(user=viewer, organization=campaign.organization)
    client.force_login(viewer)
    response = client.get(reverse("assessments:campaign-edit", args=[campaign.slug]))
    assert response.status_code == 403
    assert "Client viewers can read dashboards and reports only." in response.content.decode()


def security_log(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "convergence.security"]


def test_logins_failed_logins_and_refused_access_are_logged(caplog, owner, outsider, campaign):
    owner.set_password("pw-olivia-123")
    owner.save()
    browser = Client()
    url = reverse("login")
    with caplog.at_level(logging.INFO, logger="convergence.security"):
        browser.post(url, {"username": "olivia", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
        browser.post(url, {"username": "olivia", "password": "pw-olivia-123"})
        browser.force_login(outsider)
        refused = browser.get(reverse("assessments:campaign-dashboard", args=[campaign.slug]))
    assert refused.status_code == 404
    log = security_log(caplog)
    assert "login failed user=olivia ip=10.1.2.3" in log
    assert "login user=olivia ip=127.0.0.1" in log
    assert any(
        line.startswith(f"access refused 404 /campaigns/{campaign.slug}/dashboard/ user=oscar")
        and "not a member or viewer of organisation acme" in line
        for line in log
    ), log
    assert not any("wrong" in line and "password" in line for line in log)


# --- Guessing links and codes ---------------------------------------------------------------


@override_settings(LINK_GUESS_RATE="3/10m")
def test_wrong_links_are_limited_per_client_and_valid_links_still_work(campaign, caplog):
    team = campaign.organization.teams.get(slug="ot-north")
    valid = invitation_create(campaign=campaign, kind="team", team=team).token
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    with caplog.at_level(logging.INFO, logger="convergence.security"):
        for n in range(3):
            guess = attacker.get(reverse("assessments:link-open", args=[f"guess-{n}"]))
            assert guess.status_code == 404
            assert "This link is not valid" in guess.content.decode()
        blocked = attacker.get(reverse("assessments:link-open", args=["guess-3"]))
    assert blocked.status_code == 429
    assert "Too many wrong links" in blocked.content.decode()
    assert 0 < int(blocked["Retry-After"]) <= 600
    # Once blocked, a right link gets the same answer: the reply tells the guesser nothing.
    assert attacker.get(reverse("assessments:link-open", args=[valid])).status_code == 429
    assert "wrong survey link ip=203.0.113.9 (3 of 3 allowed)" in security_log(caplog)

    # Another address is not affected, and opening valid links never counts: forty phones
    # behind one plant router (one address) all get in.
    for _ in range(40):
        phone = Client(REMOTE_ADDR="198.51.100.7")
        opened = phone.get(reverse("assessments:link-open", args=[valid]))
        assert opened.status_code == 302, opened.status_code
        assert phone.post(opened["Location"]).status_code == 302
    assert Response.objects.filter(campaign=campaign).count() == 40


@override_settings(LINK_GUESS_RATE="2/10m")
def test_workshop_codes_share_the_limit(campaign):
    workshop = workshop_for(campaign)
    guesser = Client(REMOTE_ADDR="203.0.113.10")
    assert guesser.get(reverse("assessments:workshop-join", args=["AAAAAA"])).status_code == 404
    typed = guesser.post(reverse("assessments:workshop-code"), {"code": "BBBBBB"})
    assert "does not match a workshop" in typed.content.decode()
    assert guesser.post(reverse("assessments:workshop-code"), {"code": "CCCCCC"}).status_code == 429
    assert (
        guesser.get(reverse("assessments:workshop-join", args=[workshop.join_code])).status_code
        == 429
    )
    # The room's code still works for everyone else.
    other = Client(REMOTE_ADDR="203.0.113.11")
    page = other.get(reverse("assessments:workshop-join", args=[workshop.join_code]))
    assert page.status_code == 200 and "OT North" in page.content.decode()


@override_settings(
    LINK_GUESS_RATE="1/10m",
    CLIENT_IP_HEADER="HTTP_X_REAL_IP",
    RATELIMIT_IP_META_KEY="assessments.security.client_ip",
)
def test_behind_a_proxy_the_client_address_comes_from_the_named_header(campaign):
    proxy = "10.0.0.1"  # every request reaches the app from the proxy
    first = Client(REMOTE_ADDR=proxy, headers={"x-real-ip": "192.0.2.1"})
    second = Client(REMOTE_ADDR=proxy, headers={"x-real-ip": "192.0.2.2"})
    url = reverse("assessments:link-open", args=["guess"])
    assert first.get(url).status_code == 404
    assert first.get(url).status_code == 429
    assert second.get(url).status_code == 404


def test_saving_answers_is_not_slowed_by_the_limiter(client, campaign):
    """Answers go to session-bound addresses that never touch the guess counter."""
    team = campaign.organization.teams.get(slug="ot-north")
    token = invitation_create(campaign=campaign, kind="person", team=team).token
    opened = client.get(reverse("assessments:link-open", args=[token]))
    client.post(opened["Location"])
    response = Response.objects.get(campaign=campaign)
    question = response.campaign.bank_version.questions.order_by("pk").first()
    value = question.choices.order_by("pk").first().key
    with override_settings(LINK_GUESS_RATE="0/10m"):
        saved = client.post(
            reverse("assessments:survey-answer", args=[response.public_id]),
            {"question": question.key, f"q-{question.key}": value},
        )
    assert saved.content == b"Saved"
    assert Answer.objects.filter(response=response).count() == 1


def test_without_a_reachable_cache_valid_links_still_open(campaign, monkeypatch, caplog):
    """Redis down in the middle of a workshop: the brake is off, the links work, it is logged."""
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache server unreachable")

    monkeypatch.setattr(cache, "add", unreachable)
    team = campaign.organization.teams.get(slug="ot-north")
    valid = invitation_create(campaign=campaign, kind="team", team=team).token
    phone = Client()
    with caplog.at_level(logging.ERROR, logger="convergence.security"):
        opened = phone.get(reverse("assessments:link-open", args=[valid]))
        wrong = phone.get(reverse("assessments:link-open", args=["guess"]))
    assert opened.status_code == 302
    assert wrong.status_code == 404
    assert any("cache is unavailable" in line for line in security_log(caplog))


@override_settings(CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR")
def test_behind_a_proxy_a_lock_out_hits_only_the_client_that_guessed(owner):
    """Issue 16.6: django-axes keyed on the proxy's address, so five wrong passwords from one
    client locked the username out for everyone behind the proxy."""
    proxy = "10.0.0.1"
    url = reverse("login")
    guesser = Client(REMOTE_ADDR=proxy, headers={"x-forwarded-for": "6.6.6.6, 192.0.2.66"})
    for _attempt in range(5):
        guesser.post(url, {"username": "olivia", "password": "wrong"})
    assert guesser.post(url, {"username": "olivia", "password": "pw-olivia-123"}).status_code == 429
    # A forged first entry changes nothing: the proxy's own entry (the last) is the address.
    forged = Client(REMOTE_ADDR=proxy, headers={"x-forwarded-for": "7.7.7.7, 192.0.2.66"})
    assert forged.post(url, {"username": "olivia", "password": "pw-olivia-123"}).status_code == 429
    colleague = Client(REMOTE_ADDR=proxy, headers={"x-forwarded-for": "192.0.2.10"})
    assert (
        colleague.post(url, {"username": "olivia", "password": "pw-olivia-123"}).status_code == 302
    )


def test_a_huge_body_is_refused_before_anything_reads_it(client, monkeypatch, owner):
    """Issue 16.5: an anonymous 300 MB multipart POST was spooled to disk before its CSRF 403."""
    from django.http import request as http_request

    def parse(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(http_request.MultiPartParser, "parse", parse)
    declared = str(300 * 1024 * 1024)
    for url in (reverse("login"), reverse("assessments:survey-start"), "/no/such/page/"):
        refused = client.post(url, {"file": "x"}, CONTENT_LENGTH=declared)
        assert refused.status_code == 413, url
        assert "this page takes at most 512.0" in refused.content.decode()
    # Where a file is expected, its own limit: 2 MB for an organisation file.
    client.force_login(owner)
    upload = reverse("assessments:organization-upload")
    assert client.post(upload, {"file": "x"}, CONTENT_LENGTH=declared).status_code == 413
    monkeypatch.undo()
    small = client.post(upload, {})
    assert small.status_code == 200 and "This field is required" in small.content.decode()


def test_an_ordinary_form_is_far_below_the_limit(client):
    page = client.post(reverse("assessments:workshop-code"), {"code": "x" * 10_000})
    assert page.status_code == 200


def test_signed_in_sessions_end_when_idle_and_after_a_day(client, owner, settings):
    """Issue 16.10: consultants got the respondents' 60-day session and cacheable pages."""
    import time as clock

    client.force_login(owner)
    page = client.get(reverse("assessments:home"))
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE == 8 * 3600
    session = client.session
    session["signed_in_at"] = int(clock.time()) - settings.STAFF_SESSION_MAX - 1
    session.save()
    expired = client.get(reverse("assessments:home"))
    assert expired.status_code == 302 and expired["Location"].startswith("/accounts/login/")
    assert client.get(reverse("assessments:home")).status_code == 302  # signed out for good


def test_respondents_keep_their_long_session(client, campaign):
    team = campaign.organization.teams.get(slug="ot-north")
    token = invitation_create(campaign=campaign, kind="person", team=team).token
    client.get(reverse("assessments:link-open", args=[token]))
    assert client.session.get_expiry_age() == 60 * 24 * 3600


def test_password_resets_are_rate_limited(client, owner, django_capture_on_commit_callbacks):
    """Issue 16.9: 20 reset requests sent 20 e-mails."""
    from django.core import mail

    owner.email = "olivia@northwind.example"
    owner.save()
    url = reverse("password_reset")
    statuses = [
        client.post(url, {"email": "olivia@northwind.example"}).status_code for _ in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]  # three an hour for one e-mail address
    assert len(mail.outbox) == 3
    refused = client.post(url, {"email": "olivia@northwind.example"})
    assert "Too many password resets" in refused.content.decode()
    # From one address, five an hour whatever the e-mail.
    other = Client(REMOTE_ADDR="203.0.113.50")
    codes = [other.post(url, {"email": f"n{n}@example.com"}).status_code for n in range(6)]
    assert codes == [302] * 5 + [429]


@override_settings(LINK_GUESS_RATE="5/10m", LINK_GUESS_ADDRESS_RATE="20/10m")
def test_one_participant_mistyping_does_not_lock_out_the_room(campaign):
    """Issue 16.7: one participant typing 60 wrong codes locked 8 of 8 others behind the same
    plant NAT out of the valid code for 10 minutes."""
    workshop = workshop_for(campaign)
    plant = "198.51.100.20"
    clumsy = Client(REMOTE_ADDR=plant)
    codes = [
        clumsy.post(reverse("assessments:workshop-code"), {"code": "ZZZZZZ"}).status_code
        for _ in range(8)
    ]
    assert codes == [200] * 5 + [429] * 3  # that browser is slowed down...
    for _colleague in range(8):  # ... the rest of the room joins
        colleague = Client(REMOTE_ADDR=plant)
        page = colleague.get(reverse("assessments:workshop-join", args=[workshop.join_code]))
        assert page.status_code == 200


@override_settings(LINK_GUESS_RATE="5/10m", LINK_GUESS_ADDRESS_RATE="20/10m")
def test_dropping_the_cookie_meets_the_address_brake(campaign):
    """Enumeration with a fresh browser per guess still stops, at the address's own limit."""
    statuses = []
    for number in range(22):
        fresh = Client(REMOTE_ADDR="203.0.113.77")  # no cookie: a new browser each time
        guess = f"Q{number:05d}"
        statuses.append(
            fresh.post(reverse("assessments:workshop-code"), {"code": guess}).status_code
        )
    assert statuses == [200] * 20 + [429] * 2


def test_the_admin_takes_a_whole_draft_bank_but_not_more(client, staff):
    from assessments.middleware import RequestBodyLimitMiddleware

    assert RequestBodyLimitMiddleware.limit_for("/admin/assessments/bankversion/1/change/") == (
        5 * 1024 * 1024
    )
    client.force_login(staff)
    too_big = str(6 * 1024 * 1024)
    url = "/admin/assessments/bankversion/1/change/"
    assert client.post(url, {"x": "y"}, CONTENT_LENGTH=too_big).status_code == 413
