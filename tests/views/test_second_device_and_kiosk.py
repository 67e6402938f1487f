"""A join link on a second device, abandoned responses, and kiosk mode (issue 21, points 4
and 5): a short resume code brings the same response to another device; responses left
untouched show as abandoned and can be set aside (never deleted); a shared tablet starts
every person afresh and forgets them after they submit or leave it idle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Invitation, Response
from assessments.services.survey import invitation_create, resume_code
from tests import builders
from tests.html import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace)


def _join_link(campaign, **options) -> str:
    team = campaign.organization.teams.get(slug="it-ops")
    made = invitation_create(campaign=campaign, kind="team", team=team, **options)
    return reverse("assessments:link-open", args=[made.token])


def _start(client: Client, link: str) -> Response:
    client.get(link)
    page = client.post(reverse("assessments:survey-start"))
    assert page.status_code == 302
    return Response.objects.order_by("-pk").first()


def _answer(client: Client, response: Response, key: str = "C-1", value: str = "2") -> None:
    saved = client.post(
        reverse("assessments:survey-answer", args=[response.public_id]),
        {"question": key, f"q-{key}": value},
    )
    assert saved.content.decode() == "Saved"


def _first_page(client: Client, response: Response) -> str:
    return visible_text(
        client.get(reverse("assessments:survey-page", args=[response.public_id, 1]))
    )


def test_a_resume_code_brings_the_same_response_to_another_device(campaign):
    phone, laptop = Client(), Client()
    link = _join_link(campaign)
    assert "Started on another device? Type your code to carry on." in visible_text(
        phone.get(link, follow=True)
    )
    response = _start(phone, link)
    code = resume_code(response)
    assert len(code) == 9 and code[4] == "-"
    first = _first_page(phone, response)
    assert code in first and "Keep it to yourself" in first  # shown once, after starting
    assert code not in _first_page(phone, response)
    _answer(phone, response)
    review = visible_text(
        phone.get(reverse("assessments:survey-review", args=[response.public_id]))
    )
    assert code in review  # and again on the last page

    # The laptop types it (in lower case, without the dash) and carries on.
    typed = laptop.post(
        reverse("assessments:survey-resume-code"), {"code": code.replace("-", " ").lower()}
    )
    assert typed.status_code == 302
    assert Response.objects.count() == 1  # the same response, not a new one
    page = laptop.get(reverse("assessments:survey-page", args=[response.public_id, 1]))
    assert 'name="q-C-1" value="2" checked' in page.content.decode()  # the phone's answer
    laptop.post(reverse("assessments:survey-submit", args=[response.public_id]))
    response.refresh_from_db()
    assert response.submitted_at is not None
    # The phone now finds it submitted, not a second one in progress.
    assert "Thank you" in visible_text(
        phone.get(reverse("assessments:survey-resume", args=[response.public_id]), follow=True)
    )


def test_a_wrong_code_says_so_and_counts_as_a_guess(campaign, settings):
    settings.LINK_GUESS_RATE = "3/10m"
    browser = Client()
    wrong = browser.post(reverse("assessments:survey-resume-code"), {"code": "AAAA-AAAA"})
    assert "That code does not open a survey" in visible_text(wrong)
    for _attempt in range(4):
        last = browser.post(reverse("assessments:survey-resume-code"), {"code": "ZZZZ-ZZZZ"})
    assert last.status_code == 429


def test_a_set_aside_or_revoked_response_cannot_be_resumed(campaign):
    phone = Client()
    response = _start(phone, _join_link(campaign))
    code = resume_code(response)
    Response.objects.filter(pk=response.pk).update(discarded_at=timezone.now())
    assert "does not open a survey" in visible_text(
        Client().post(reverse("assessments:survey-resume-code"), {"code": code})
    )


def test_only_a_join_links_response_has_a_code(campaign):
    person = invitation_create(campaign=campaign, kind="person", name="Pat")
    browser = Client()
    browser.get(reverse("assessments:link-open", args=[person.token]))
    team = campaign.organization.teams.get(slug="it-ops")
    Invitation.objects.filter(pk=person.invitation.pk).update(team=team)
    browser.post(reverse("assessments:survey-start"))
    response = Response.objects.get()
    assert response.resume_hash == ""
    assert "Keep it to yourself" not in _first_page(browser, response)


# --- Abandoned -----------------------------------------------------------------------------


def test_an_untouched_response_shows_as_abandoned_and_can_be_set_aside_not_deleted(
    client, owner, campaign
):
    first = _start(Client(), _join_link(campaign))
    fresh = _start(Client(), _join_link(campaign))
    Response.objects.filter(pk=first.pk).update(updated=timezone.now() - timedelta(hours=3))
    client.force_login(owner)
    page = visible_text(client.get(reverse("assessments:campaign-detail", args=[campaign.slug])))
    assert "2 in progress" in page
    assert "1 of those in progress has been untouched for over 2 hours: probably abandoned" in page

    responses = reverse("assessments:campaign-responses", args=[campaign.slug])
    listed = visible_text(client.get(responses))
    assert "Set aside the 1 abandoned" in listed
    source = f"link-{first.invitation_id}"
    done = client.post(responses, {"source": source, "which": "abandoned"}, follow=True)
    assert "Set aside 1" in visible_text(done)
    first.refresh_from_db()
    fresh.refresh_from_db()
    assert first.discarded_at is not None  # set aside, still stored
    assert first.discard_reason == "abandoned: untouched for over 2 hours"
    assert fresh.discarded_at is None
    assert "probably abandoned" not in visible_text(
        client.get(reverse("assessments:campaign-detail", args=[campaign.slug]))
    )
    # Restoring brings it back, as for any set-aside response.
    client.post(responses, {"source": source, "which": "discarded"})
    first.refresh_from_db()
    assert first.discarded_at is None


# --- Kiosk mode ----------------------------------------------------------------------------


def test_a_kiosk_link_starts_everyone_afresh_and_forgets_them_after_submitting(campaign):
    tablet = Client()
    link = _join_link(campaign, kiosk=True)
    start = visible_text(tablet.get(link, follow=True))
    assert "This tablet is shared" in start and "Type your code" not in start
    ann = _start(tablet, link)
    assert ann.resume_hash == ""  # no code: nobody should carry a shared tablet's code away
    page = tablet.get(reverse("assessments:survey-page", args=[ann.public_id, 1]))
    assert 'id="kiosk-reset"' in page.content.decode() and 'data-idle="180"' in (
        page.content.decode()
    )
    _answer(tablet, ann, value="3")
    submitted = tablet.post(reverse("assessments:survey-submit", args=[ann.public_id]))
    assert submitted["Location"] == reverse("assessments:survey-kiosk-done")
    done = visible_text(tablet.get(submitted["Location"]))
    assert "This tablet has forgotten your answers" in done
    # Nothing of Ann's opens any more from the tablet.
    for name in ("survey-resume", "survey-review", "survey-thanks"):
        assert tablet.get(reverse(f"assessments:{name}", args=[ann.public_id])).status_code == 404
    # The next person starts a new response, with no answer of Ann's.
    tablet.post(reverse("assessments:survey-start"))
    bo = Response.objects.exclude(pk=ann.pk).get()
    assert bo.answers.count() == 0
    assert (
        "checked"
        not in tablet.get(
            reverse("assessments:survey-page", args=[bo.public_id, 1])
        ).content.decode()
    )
    # Opening the link again on the tablet does not bring Bo back either.
    tablet.get(link)
    assert tablet.get(reverse("assessments:survey-resume", args=[bo.public_id])).status_code == 404


def test_an_idle_kiosk_forgets_the_person_and_keeps_their_answers(campaign):
    tablet = Client()
    link = _join_link(campaign, kiosk=True)
    ann = _start(tablet, link)
    _answer(tablet, ann)
    reset = tablet.post(reverse("assessments:survey-kiosk-reset"))
    assert reset["Location"] == reverse("assessments:survey-start")
    assert tablet.get(reverse("assessments:survey-resume", args=[ann.public_id])).status_code == 404
    assert "This tablet is shared" in visible_text(tablet.get(reverse("assessments:survey-start")))
    ann.refresh_from_db()
    assert ann.answers.count() == 1 and ann.submitted_at is None  # kept, still in progress
    # A browser that is not a kiosk cannot use the reset.
    assert Client().post(reverse("assessments:survey-kiosk-reset")).status_code == 404


def test_the_consultant_makes_a_kiosk_link_on_the_campaign_page(client, owner, campaign):
    client.force_login(owner)
    team = campaign.organization.teams.get(slug="it-ops")
    made = client.post(
        reverse("assessments:invitation-team", args=[campaign.slug]),
        {"join-team": team.pk, "join-kiosk": "on"},
    )
    assert "Kiosk mode: open this link once on the shared tablet" in visible_text(made)
    assert Invitation.objects.get().kiosk is True
    page = visible_text(client.get(reverse("assessments:campaign-detail", args=[campaign.slug])))
    assert "Team join link kiosk" in page


def test_a_tablet_that_opens_an_ordinary_link_after_kiosk_use_is_no_kiosk(campaign):
    tablet = Client()
    _start(tablet, _join_link(campaign, kiosk=True))
    ordinary = _start(tablet, _join_link(campaign))
    assert ordinary.resume_hash  # a code again: this is someone's own device now
    submitted = tablet.post(reverse("assessments:survey-submit", args=[ordinary.public_id]))
    assert submitted["Location"] == reverse("assessments:survey-thanks", args=[ordinary.public_id])
