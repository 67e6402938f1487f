"""Invitations that work like a survey tool's (issue 21, point 3, first part): a personal
link's e-mail is held while the campaign is a draft and sent, with its own link, when it
opens; whether it went (or why not) and how far each invitee got are on the campaign page,
never their answers."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import Campaign, Invitation
from assessments.services.survey import hash_token
from tests import builders
from tests.html import table_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(workspace):
    made = builders.campaign(workspace)
    Campaign.objects.filter(pk=made.pk).update(status=Campaign.Status.DRAFT)
    made.refresh_from_db()
    return made


def _invite(client, campaign, name="Pat Doe", email="pat@example.com"):
    team = campaign.organization.teams.first()
    return client.post(
        reverse("assessments:invitation-person", args=[campaign.slug]),
        {"person-name": name, "person-email": email, "person-team": team.pk},
    )


def _status(client, campaign, name="Pat Doe") -> list[str]:
    page = client.get(reverse("assessments:campaign-detail", args=[campaign.slug]))
    return next(row for row in table_rows(page.content.decode()) if name in row[1])


def test_a_drafts_invitation_waits_and_goes_out_when_it_opens(
    client, owner, draft, django_capture_on_commit_callbacks, run_jobs
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        page = _invite(client, draft).content.decode()
    assert mail.outbox == []  # nobody reads "not open yet"
    assert "is held" in page and "/s/" not in page  # no link to copy: the e-mail brings it
    invitation = Invitation.objects.get()
    assert invitation.mail == Invitation.Mail.HELD
    assert "e-mail held until the campaign opens" in " ".join(_status(client, draft))

    first_hash = invitation.token_hash
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:campaign-open", args=[draft.slug]), follow=True)
    assert "The 1 invitation held while it was a draft is being e-mailed." in (
        response.content.decode()
    )
    assert mail.outbox == []  # the request only queues it: a job sends it
    invitation.refresh_from_db()
    assert invitation.mail == Invitation.Mail.QUEUED
    assert "e-mail being sent" in " ".join(_status(client, draft))
    assert run_jobs() == ["1 sent"]
    [sent] = mail.outbox
    assert sent.to == ["pat@example.com"] and "Hello Pat Doe," in sent.body
    token = sent.body.split("/s/")[1].split("/")[0]
    invitation.refresh_from_db()
    # The link in the e-mail is the one made (its token derived, never stored).
    assert invitation.token_hash == hash_token(token) == first_hash
    assert invitation.mail == Invitation.Mail.SENT and invitation.mailed_at is not None
    status = " ".join(_status(client, draft))
    assert "e-mailed, not opened yet" in status and "e-mailed " in status

    # The link works; the page says how far the invitee got, never what they answered.
    client.logout()
    client.get(reverse("assessments:link-open", args=[token]))
    client.force_login(owner)
    assert "opened" in _status(client, draft)[3]


def test_an_open_campaigns_invitation_is_sent_at_once_and_says_so(
    client, owner, workspace, django_capture_on_commit_callbacks, run_jobs
):
    campaign = builders.campaign(workspace)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        page = _invite(client, campaign).content.decode()
    assert "An e-mail with this link is being sent to pat@example.com" in page
    assert run_jobs() == ["1 sent"]
    assert len(mail.outbox) == 1
    link = page.split('id="link">')[1].split("<")[0]
    assert "/s/" in link and link in mail.outbox[0].body  # the e-mail carries the link shown
    assert Invitation.objects.get().mail == Invitation.Mail.SENT


def test_a_failed_e_mail_is_shown_not_lost(
    client, owner, workspace, monkeypatch, django_capture_on_commit_callbacks, run_jobs
):
    from django.core.mail import EmailMultiAlternatives

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server away")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    campaign = builders.campaign(workspace)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, campaign)
    assert run_jobs() == ["1 failed"]
    invitation = Invitation.objects.get()
    assert invitation.mail == Invitation.Mail.FAILED
    assert invitation.mail_error == "ConnectionRefusedError: mail server away"
    assert "the e-mail could not be sent: ConnectionRefusedError: mail server away" in " ".join(
        _status(client, campaign)
    )
