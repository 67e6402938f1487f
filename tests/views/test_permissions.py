"""Security: every URL, walked with real objects of another workspace, is 404 for an
outsider; anonymous users are sent to log in; a client viewer gets 403 on every write;
POSTs without a CSRF token are refused; failed logins are slowed down."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

from assessments.models import Invitation
from assessments.services.survey import invitation_create
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(workspace, other_workspace, owner):
    """Northwind (the outsider's target) with everything a URL can name."""
    return builders.url_world(workspace, owner)


def app_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    app = next(p for p in resolver.url_patterns if getattr(p, "app_name", None) == "assessments")
    return list(app.url_patterns)


def url_for(pattern: URLPattern, world: dict) -> str:
    kwargs = {}
    for name in pattern.pattern.converters:
        value = world[name]
        if name == "slug":
            campaign_url = str(pattern.pattern).startswith("campaigns/")
            value = value["campaign"] if campaign_url else value["organization"]
        kwargs[name] = value
    return reverse(f"assessments:{pattern.name}", kwargs=kwargs)


# Token-, code- and session-based: checked separately.
PUBLIC = {
    "link-open",
    "survey-start",
    "workshop-code",
    "workshop-join",
    "workshop-live",
    "workshop-vote",  # a phone that joined by code: its session holds the response
    "workshop-rejoin",
    "workshop-events",
    "workshop-word",
    "workshop-parking",
    "workshop-upvote",
    "language",  # the language switch: a cookie, nothing of anyone's
    "survey-resume-code",  # a typed code, behind the guessing brake (test_second_device...)
    "survey-kiosk-reset",  # a shared tablet's own session
    "survey-kiosk-done",
}
SURVEY = {
    "survey-resume",
    "survey-page",
    "survey-answer",
    "survey-review",
    "survey-submit",
    "survey-thanks",
}
NO_OBJECT = {
    "home",
    "organization-create",
    "organization-upload",
    "profile",
    # One's own second factor (tests/views/test_two_factor.py).
    "two-factor-setup",
    "two-factor-verify",
    "two-factor-recovery",
    "two-factor-off",
}
# Bearer tokens, not sessions: 401 without one; outsiders' tokens get 404 (test_exports.py).
API = {"api-campaigns", "api-campaign-scores"}


def test_every_url_is_404_for_an_outsider(client, world, outsider):
    client.force_login(outsider)
    checked = []
    for pattern in app_patterns():
        if pattern.name in NO_OBJECT or pattern.name in PUBLIC or pattern.name in API:
            continue
        url = url_for(pattern, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), (pattern.name, method, response.status_code)
            if response.status_code == 404:
                checked.append(pattern.name)
    # Each object URL was 404 at least once (GET or POST).
    object_urls = {p.name for p in app_patterns()} - NO_OBJECT - PUBLIC - API
    assert set(checked) == object_urls


def test_outsider_sees_no_other_clients_on_home(client, world, outsider):
    client.force_login(outsider)
    page = client.get(reverse("assessments:home")).content.decode()
    assert "Acme" not in page


def test_survey_urls_without_the_session_say_the_link_is_not_valid(client, world, outsider):
    client.force_login(outsider)  # being logged in gives no access to respondents' answers
    for name in SURVEY:
        pattern = next(p for p in app_patterns() if p.name == name)
        response = client.post(url_for(pattern, world))
        assert response.status_code == 404, name
        assert "This link is not valid" in response.content.decode()
    response = client.get(reverse("assessments:link-open", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_anonymous_users_are_sent_to_login(client, world):
    for pattern in app_patterns():
        if pattern.name in PUBLIC or pattern.name in SURVEY:
            continue
        url = url_for(pattern, world)
        response = client.get(url)
        if pattern.name in API:
            assert response.status_code == 401, pattern.name
            continue
        assert response.status_code in (302, 405), pattern.name
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/?next="), pattern.name


# What a client viewer may open (README, "Client viewers"). Every other URL that names an
# organisation or a campaign manages it: the walk below takes them from the URLconf, so a page
# added tomorrow is checked without anyone remembering to list it.
VIEWER_READS = {"organization-detail", "campaign-dashboard", "campaign-report", "campaign-export"}


def test_client_viewer_gets_403_on_everything_that_manages(client, world):
    client.force_login(world["viewer_user"])
    managed, elsewhere = [], []
    for pattern in app_patterns():
        if pattern.name in PUBLIC | SURVEY | API | NO_OBJECT | VIEWER_READS:
            continue
        status = client.post(url_for(pattern, world)).status_code
        converters = set(pattern.pattern.converters)
        if pattern.name.startswith("bank-"):
            assert status == 404, (pattern.name, status)  # staff only: not even a hint
            elsewhere.append(pattern.name)
        elif converters & {"workspace", "api_token"}:
            # A workspace's pages (a viewer is not a member) and another user's token.
            assert status == 404, (pattern.name, status)
            elsewhere.append(pattern.name)
        else:
            assert status == 403, (pattern.name, status)
            managed.append(pattern.name)
    assert {"campaign-edit", "viewer-invite", "workshop-state", "campaign-deck"} <= set(managed)
    assert {"members", "member-remove", "token-revoke"} <= set(elsewhere)


def test_client_viewer_reads_what_is_theirs(client, world):
    client.force_login(world["viewer_user"])
    for name in sorted(VIEWER_READS - {"campaign-report"}):  # the PDF: test_report.py
        pattern = next(p for p in app_patterns() if p.name == name)
        assert client.get(url_for(pattern, world)).status_code == 200, name
    # The organisation's page, without its management parts.
    page = client.get(reverse("assessments:organization-detail", args=["acme"]))
    html = page.content.decode()
    assert "Acme" in html and "Add a team" not in html and "Invite" not in html
    assert world["campaign"].name in html


def test_consultant_is_not_an_owner(client, world, consultant):
    client.force_login(consultant)
    response = client.get(reverse("assessments:members", args=[world["workspace"]]))
    assert response.status_code == 403


def test_posts_without_a_csrf_token_are_refused(world, owner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    campaign = world["campaign"]
    response = strict.post(reverse("assessments:campaign-close", args=[campaign.slug]))
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "open"
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post(reverse("assessments:survey-start"))
    assert response.status_code == 403


def test_survey_post_from_a_no_referrer_page_needs_the_token(world):
    """Browsers post `Origin: null` from no-referrer pages: accepted, but only with the token."""
    from django.test import Client

    phone = Client(enforce_csrf_checks=True)
    phone.get(reverse("assessments:link-open", args=[world["token"]]), follow=True)
    url = reverse("assessments:survey-answer", args=[world["public_id"]])
    refused = phone.post(url, {"question": "C-1", "q-C-1": "2"}, HTTP_ORIGIN="null")
    assert refused.status_code == 403
    token = phone.cookies["csrftoken"].value
    accepted = phone.post(
        url, {"question": "C-1", "q-C-1": "2", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="null"
    )
    assert accepted.status_code == 200
    assert accepted.content == b"Saved"


def test_repeated_failed_logins_lock_the_account_out(client, owner):
    url = reverse("login")
    for _ in range(4):
        response = client.post(url, {"username": "olivia", "password": "wrong"})
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    # The fifth failure locks the username out from this address, even with the right
    # password afterwards.
    assert client.post(url, {"username": "olivia", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "olivia", "password": "pw-olivia-123"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # Another user from the same address is not locked out.
    builders.user("nina")
    assert client.post(url, {"username": "nina", "password": "pw-nina-123"}).status_code == 302


def test_invitation_is_scoped_to_its_campaign(client, world, owner, other_workspace):
    other_campaign = builders.campaign(
        other_workspace,
        slug="rival-2026",
        org=builders.organization(other_workspace, slug="rivalco"),
        version=world["campaign"].bank_version,
    )
    client.force_login(owner)
    # Northwind's owner cannot revoke a link of their own campaign through another's URL.
    theirs = invitation_create(campaign=other_campaign, kind="person").invitation
    url = reverse("assessments:invitation-revoke", args=[world["campaign"].slug, theirs.pk])
    assert client.post(url).status_code == 404
    assert Invitation.objects.get(pk=theirs.pk).revoked_at is None
