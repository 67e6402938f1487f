"""Safe actions (issue 21, point 1): closing and revoking ask first and say what will happen;
an owner can reopen a closed campaign within 14 days, giving a reason; a closed campaign
offers no live-link actions; the campaign page lists who did what (django-auditlog)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Campaign, Invitation
from assessments.services.campaigns import campaign_close, campaign_open
from assessments.services.survey import invitation_create
from tests import builders
from tests.html import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    made = builders.campaign(workspace)
    campaign_open(campaign=made)
    return made


def _page(client, campaign) -> str:
    response = client.get(reverse("assessments:campaign-detail", args=[campaign.slug]))
    assert response.status_code == 200
    return visible_text(response.content.decode())


def _history(client, campaign) -> list[str]:
    html = client.get(reverse("assessments:campaign-detail", args=[campaign.slug])).content
    text = html.decode()
    section = text[text.index('id="history"') :]
    items = section.split("<li")[1:]
    return [visible_text("<li" + item.split("</li>")[0]) for item in items]


def test_closing_asks_first_and_says_what_happens(client, owner, campaign):
    client.force_login(owner)
    url = reverse("assessments:campaign-close", args=[campaign.slug])
    assert (
        f'href="{url}"'
        in client.get(reverse("assessments:campaign-detail", args=[campaign.slug])).content.decode()
    )
    page = visible_text(client.get(url).content.decode())
    assert f"Close {campaign.name}?" in page
    assert "Every link stops working" in page and "within 14 days" in page
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN  # asking closes nothing
    response = client.post(url, follow=True)
    assert "is closed: links stop working and its scores are final" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.is_closed
    # A second click (or the back button) finds it closed and says so.
    again = client.get(url, follow=True).content.decode()
    assert "is already closed" in again
    assert _history(client, campaign)[0].endswith("olivia closed it")


def test_an_owner_reopens_within_the_grace_period_with_a_reason(client, owner, campaign):
    campaign_close(campaign=campaign)
    client.force_login(owner)
    assert "Reopen…" in _page(client, campaign)
    url = reverse("assessments:campaign-reopen", args=[campaign.slug])
    empty = client.post(url, {"reason": "  "}).content.decode()
    assert "This field is required." in empty
    campaign.refresh_from_db()
    assert campaign.is_closed
    reason = "Plant South's night shift answered on paper after we closed."
    client.post(url, {"reason": reason})
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN and campaign.closed_at is None
    history = _history(client, campaign)
    assert history[0].endswith(f"olivia reopened it: “{reason}”")
    assert history[1].endswith("olivia closed it") or "closed it" in history[1]


def test_a_consultant_cannot_reopen_and_nobody_can_after_14_days(
    client, owner, consultant, campaign
):
    campaign_close(campaign=campaign)
    url = reverse("assessments:campaign-reopen", args=[campaign.slug])
    client.force_login(consultant)
    assert "Reopen…" not in _page(client, campaign)
    assert client.post(url, {"reason": "late answers"}).status_code == 403
    Campaign.objects.filter(pk=campaign.pk).update(closed_at=timezone.now() - timedelta(days=15))
    client.force_login(owner)
    assert "Reopen…" not in _page(client, campaign)
    page = client.post(url, {"reason": "late answers"}, follow=True).content.decode()
    assert "was closed more than 14 days ago: its scores are final" in page
    campaign.refresh_from_db()
    assert campaign.is_closed


def test_a_baseline_of_a_closed_campaign_stays_closed(client, owner, workspace, campaign):
    """Reopening it would change the later campaign's final progress."""
    campaign_close(campaign=campaign)
    later = builders.campaign(workspace, slug="later", org=campaign.organization)
    campaign_open(campaign=later)
    campaign_close(campaign=later)
    later.refresh_from_db()
    assert later.baseline == campaign
    client.force_login(owner)
    url = reverse("assessments:campaign-reopen", args=[campaign.slug])
    page = client.post(url, {"reason": "late answers"}, follow=True).content.decode()
    assert f"is the baseline of {later.name}, which is closed" in page
    campaign.refresh_from_db()
    assert campaign.is_closed


def test_revoking_asks_first_and_a_closed_campaign_offers_no_link_actions(client, owner, campaign):
    link = invitation_create(
        campaign=campaign, kind="person", team=campaign.organization.teams.first(), name="Ana"
    ).invitation
    client.force_login(owner)
    url = reverse("assessments:invitation-revoke", args=[campaign.slug, link.pk])
    page = visible_text(client.get(url).content.decode())
    assert "Revoke the link for Ana?" in page
    assert "Answers already given through it are kept" in page
    link.refresh_from_db()
    assert not link.is_revoked  # asking revokes nothing
    client.post(url)
    link.refresh_from_db()
    assert link.is_revoked
    assert "That link was already revoked." in client.get(url, follow=True).content.decode()
    assert _history(client, campaign)[0].endswith(f"olivia revoked a link (#{link.pk})")

    live = invitation_create(
        campaign=campaign, kind="person", team=campaign.organization.teams.first()
    ).invitation
    campaign_close(campaign=campaign)
    page = client.get(reverse("assessments:campaign-detail", args=[campaign.slug])).content
    assert "Revoke…" not in page.decode() and "Create personal link" not in page.decode()
    assert Invitation.objects.get(pk=live.pk).revoked_at is None


def test_the_history_says_who_did_what(client, owner, workspace, campaign):
    from auditlog.context import set_actor

    from assessments.services.campaigns import agreed_answer_record, campaign_update

    client.force_login(owner)
    with set_actor(owner):  # as the settings page does, through the audit middleware
        campaign_update(
            campaign=campaign,
            min_group_size=campaign.min_group_size,
            gap_threshold=campaign.gap_threshold,
            targets={},
            name="Renamed campaign",
        )
    question = campaign.bank_version.questions.exclude(kind="decision").first()
    agreed_answer_record(
        campaign=campaign, question_key=question.key, answer=question.choices.first().key
    )
    client.get(reverse("assessments:campaign-export", args=[campaign.slug, "scores", "csv"]))
    history = _history(client, campaign)
    text = " | ".join(history)
    assert "olivia exported scores as csv" in history[0]
    assert f"recorded the agreed answer to {question.key}" in text
    assert "olivia changed its settings: name" in text
    assert "created the campaign" in text
    # Nothing of what anyone answered, ever.
    assert "answer" not in " ".join(h for h in history if "agreed" not in h)


def test_the_campaign_page_costs_the_same_with_a_long_history(client, owner, campaign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    url = reverse("assessments:campaign-detail", args=[campaign.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(30):
        invitation_create(
            campaign=campaign,
            kind="person",
            team=campaign.organization.teams.first(),
            name=f"P{number}",
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_opening_a_draft_and_downloading_the_report_are_in_the_history(
    client, owner, workspace, monkeypatch
):
    from assessments.views import downloads

    draft = builders.campaign(workspace, slug="draft-one")
    Campaign.objects.filter(pk=draft.pk).update(status=Campaign.Status.DRAFT)
    client.force_login(owner)
    client.post(reverse("assessments:campaign-open", args=[draft.slug]))
    monkeypatch.setattr(downloads, "campaign_report_pdf", lambda campaign, language: b"%PDF")
    client.get(reverse("assessments:campaign-report", args=[draft.slug]), {"language": "de"})
    history = _history(client, draft)
    assert history[0].endswith("olivia downloaded the PDF report (de)")
    assert history[1].endswith("olivia opened it for answers")


def test_the_history_names_changed_settings_in_the_readers_language(workspace):
    from django.utils import translation

    from assessments.audit import _fields

    names = ["min_group_size", "remind_days_before", "targets"]
    assert _fields(names) == "minimum group size, reminder before closing, target stages"
    with translation.override("de"):
        assert _fields(names) == "Mindestgruppengröße, Erinnerung vor dem Schluss, Zielstufen"
