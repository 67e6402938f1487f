"""A personal link's e-mails: the invitation and its reminders, sent by a background job.

A link's token is never stored, only its SHA-256. A link made with an e-mail address has a
token derived from a random nonce and the secret key (an HMAC, as Django's password-reset
links are), so a reminder days later can carry the same link without the token being kept
anywhere; a link made without an address stays purely random (docs/security.md).

Sending happens outside the request: the rows are marked `queued`, and once the transaction
commits jobs (assessments/tasks.py, 50 e-mails each) render each mail in the campaign's
first language, send it and record `sent` or `failed` with the reason, which the campaign
page shows. A job run again sends nothing twice: only a queued link is sent.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections import Counter
from typing import Any
from urllib.parse import urljoin

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from assessments.models import Campaign, Invitation
from assessments.services.emails import render_email
from assessments.tasks import send_link_mails

logger = logging.getLogger(__name__)

TOKEN_BYTES = 24  # 192 bits, random or derived
INVITATION = "invitation"
REMINDER = "reminder"
PURPOSES = (INVITATION, REMINDER)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_nonce() -> str:
    return secrets.token_hex(16)


def derived_token(nonce: str) -> str:
    digest = salted_hmac("convergence.invitation-link", nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).rstrip(b"=").decode()


def link_token(invitation: Invitation) -> str:
    """The token an e-mail to `invitation` carries. When the stored fingerprint no longer
    matches it (a link made before tokens were derived, or a changed secret key), the new
    token replaces the old one, which stops working: the e-mail carries the link that works."""
    if not invitation.token_nonce:
        invitation.token_nonce = new_nonce()
    token = derived_token(invitation.token_nonce)
    if hash_token(token) != invitation.token_hash:
        invitation.token_hash = hash_token(token)
        Invitation.objects.filter(pk=invitation.pk).update(
            token_hash=invitation.token_hash, token_nonce=invitation.token_nonce
        )
    return token


MAILS_PER_JOB = 50  # one job sends this many; each outcome is kept on its own link


def queue_mails(invitation_ids: list[int], purpose: str, base_url: str) -> None:
    """Mark the links as queued and, once the transaction commits, hand their e-mails to the
    job queue, `MAILS_PER_JOB` to a job. `base_url` is the site's address
    (`https://host/`): a job has no request."""
    if not invitation_ids:
        return
    Invitation.objects.filter(pk__in=invitation_ids).exclude(mail=Invitation.Mail.QUEUED).update(
        mail=Invitation.Mail.QUEUED
    )
    batches = [
        invitation_ids[start : start + MAILS_PER_JOB]
        for start in range(0, len(invitation_ids), MAILS_PER_JOB)
    ]

    def enqueue() -> None:
        for batch in batches:
            send_link_mails.enqueue(batch, purpose, base_url)

    transaction.on_commit(enqueue)


def deliver_all(invitation_ids: list[int], purpose: str, base_url: str) -> str:
    """A job's body: send each queued e-mail, and say what became of them ("3 sent")."""
    outcomes = Counter(deliver(pk, purpose, base_url) for pk in invitation_ids)
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))


def deliver(invitation_id: int, purpose: str, base_url: str) -> str:
    """Send one queued e-mail now and record the outcome on the invitation: `sent`,
    `failed` (with the reason, shown on the campaign page) or why it was skipped (no longer
    queued: sent by an earlier run of the job; a revoked link; a closed campaign; a
    reminder to someone who has since submitted)."""
    invitation = (
        Invitation.objects.select_related("campaign__organization", "campaign__bank_version")
        .filter(pk=invitation_id, kind=Invitation.Kind.PERSON)
        .exclude(email="")
        .first()
    )
    if invitation is None:
        return "skipped: no such personal link with an address"
    if invitation.mail != Invitation.Mail.QUEUED:
        return "skipped: not queued"  # a job run twice sends nothing twice
    rows = Invitation.objects.filter(pk=invitation.pk)
    campaign = invitation.campaign
    unqueued = Invitation.Mail.SENT if invitation.mailed_at else Invitation.Mail.NONE
    if invitation.revoked_at is not None or campaign.status != Campaign.Status.OPEN:
        rows.filter(mail=Invitation.Mail.QUEUED).update(mail=unqueued)
        return "skipped: the link is revoked or the campaign is not open"
    if purpose == REMINDER and invitation.responses.filter(
        discarded_at__isnull=True, submitted_at__isnull=False
    ):
        rows.filter(mail=Invitation.Mail.QUEUED).update(mail=unqueued)
        return "skipped: already submitted"
    message = _message(invitation, purpose, link_token(invitation), base_url)
    try:
        message.send()
    except Exception as exc:  # the mail server refused or is away: say so, keep it
        logger.exception("the %s e-mail of invitation %s failed", purpose, invitation.pk)
        rows.update(mail=Invitation.Mail.FAILED, mail_error=f"{type(exc).__name__}: {exc}"[:300])
        return "failed"
    now = timezone.now()
    changes: dict[str, Any] = {"mail": Invitation.Mail.SENT, "mail_error": ""}
    if purpose == REMINDER:
        changes.update(reminders=F("reminders") + 1, reminded_at=now)
    else:
        changes["mailed_at"] = now
    rows.update(**changes)
    return "sent"


def _message(invitation: Invitation, purpose: str, token: str, base_url: str) -> Any:
    campaign = invitation.campaign
    with translation.override(campaign.offered_languages()[0]):
        return render_email(
            "person-reminder" if purpose == REMINDER else "person-invitation",
            {
                "organization": campaign.organization,
                "campaign": campaign,
                "name": invitation.name,
                "link": urljoin(base_url, reverse("assessments:link-open", args=[token])),
            },
            to=[invitation.email],
        )
