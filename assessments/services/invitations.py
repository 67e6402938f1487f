"""Invitations as a survey tool sends them: personal links in bulk from a file of names,
e-mails and teams, and reminders to everyone not yet submitted, by hand or on a set day
before closing. The e-mails go by background job (services/invitation_mail.py).

The bulk file (README, "Inviting people"): CSV (UTF-8, `,` or `;`) or XLSX, a header row
with `email` and optionally `name` and `team` (a team's name or short name). Every bad cell
is reported at `row N, column X`, all at once, and nothing is written unless the whole file
is valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments import audit
from assessments.errors import ProblemList, Refused
from assessments.files.responses import MAX_PROBLEMS_SHOWN, read_table, spreadsheet_place
from assessments.models import Campaign, Invitation, Response, Team
from assessments.services.health import oldest_wait
from assessments.services.invitation_mail import (
    INVITATION,
    REMINDER,
    derived_token,
    hash_token,
    new_nonce,
    queue_mails,
)
from assessments.tasks import send_scheduled_reminders
from assessments.vocabulary import CONTROL_CHARACTERS

MAX_INVITEES = 5_000  # one file; a bigger list is several files
MAX_EMAIL = 254  # what the column holds (and what mail servers take)
COLUMNS = ("name", "email", "team")
REMIND_AGAIN_AFTER = timedelta(hours=1)  # a second click on "Remind" sends nothing twice
REMINDER_HOUR = time(9, 0)  # a scheduled reminder goes at 09:00 (TIME_ZONE) on its day


@dataclass(frozen=True)
class Invitee:
    row: int
    name: str
    email: str
    team: Team | None


@dataclass(frozen=True)
class BulkResult:
    created: int
    held: int

    @property
    def message(self) -> str:
        if self.held:
            return ngettext(
                "Made %(count)s personal link. Its e-mail is held until the campaign opens, "
                "and goes out then.",
                "Made %(count)s personal links. Their e-mails are held until the campaign "
                "opens, and go out then.",
                self.created,
            ) % {"count": self.created}
        return ngettext(
            "Made %(count)s personal link; its e-mail is being sent. The Links table shows "
            "its status.",
            "Made %(count)s personal links; their e-mails are being sent. The Links table "
            "shows each one's status.",
            self.created,
        ) % {"count": self.created}


def read_invitees(data: bytes, filename: str, *, campaign: Campaign) -> list[Invitee]:
    """The people in a bulk invitation file, checked against `campaign`; raises Refused
    naming every bad cell."""
    rows = read_table(data, filename)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise Refused.at(filename, _("empty: the first row names the columns (name, email, team)"))
    header = [cell.strip().lower() for cell in rows[0]]
    problems = ProblemList(limit=MAX_PROBLEMS_SHOWN)
    for number, column in enumerate(header, start=1):
        if column and column not in COLUMNS:
            problems.add(
                spreadsheet_place(1, str(number)),
                _("%(column)s is not a column of this file (name, email, team)"),
                column=repr(rows[0][number - 1]),
            )
    for column in COLUMNS:
        if header.count(column) > 1:
            problems.add(
                spreadsheet_place(1, str(header.index(column) + 1)),
                _("%(column)s is named twice"),
                column=column,
            )
    if "email" not in header:
        problems.add(spreadsheet_place(1, None), _("the email column is missing"))
    problems.raise_if_any()
    where = {column: header.index(column) for column in COLUMNS if column in header}
    teams = _teams_by_name(campaign)
    live = _live_addresses(campaign)
    seen: dict[str, int] = {}
    people: list[Invitee] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {column: _cell(row, index) for column, index in where.items()}
        email, name, team_name = cells["email"], cells.get("name", ""), cells.get("team", "")
        place = spreadsheet_place(number, "email")
        if not email:
            problems.add(place, _("an e-mail address is needed"))
        else:
            try:
                if len(email) > MAX_EMAIL:
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                problems.add(place, _("%(email)s is not an e-mail address"), email=repr(email))
            if email.lower() in seen:
                problems.add(
                    place,
                    _("%(email)s is also on row %(row)s"),
                    email=email,
                    row=seen[email.lower()],
                )
            elif email.lower() in live:
                problems.add(
                    place,
                    _("%(email)s already has a live link in this campaign (revoke it first)"),
                    email=email,
                )
            seen.setdefault(email.lower(), number)
        if len(name) > 200 or CONTROL_CHARACTERS.search(name):
            problems.add(
                spreadsheet_place(number, "name"),
                _("at most 200 characters, with no line breaks or other control characters"),
            )
        team = None
        if team_name:
            team = teams.get(team_name.casefold())
            if team is None:
                problems.add(
                    spreadsheet_place(number, "team"),
                    _("%(team)s is not a team of this campaign (%(teams)s)"),
                    team=repr(team_name),
                    teams=", ".join(sorted({t.name for t in teams.values()})) or "-",
                )
        people.append(Invitee(number, name, email, team))
    if not people and not problems:
        problems.add(filename, _("no people: add one row per person under the header"))
    if len(people) > MAX_INVITEES:
        problems.add(
            filename,
            _("%(count)s people is more than %(most)s in one file; split it"),
            count=f"{len(people):,}",
            most=f"{MAX_INVITEES:,}",
        )
    problems.raise_if_any()
    return people


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _teams_by_name(campaign: Campaign) -> dict[str, Team]:
    """The teams a file may name, by name and by short name (either case)."""
    scope = list(campaign.teams.all()) or list(campaign.organization.teams.all())
    found: dict[str, Team] = {}
    for team in scope:
        found.setdefault(team.slug.casefold(), team)
        found.setdefault(team.name.casefold(), team)
    return found


def _live_addresses(campaign: Campaign) -> set[str]:
    addresses = Invitation.objects.filter(
        campaign=campaign, kind=Invitation.Kind.PERSON, revoked_at__isnull=True
    ).exclude(email="")
    return {email.lower() for email in addresses.values_list("email", flat=True)}


def invitations_bulk_create(
    *, campaign: Campaign, people: list[Invitee], created_by: Any, base_url: str, source: str
) -> BulkResult:
    """A personal link for each of `people` (from `read_invitees`), each e-mailed by a job
    (held while the campaign is a draft). One entry in the campaign's history, not one a
    person."""
    if campaign.is_closed:
        raise Refused.at(
            "campaign", _("%(slug)s is closed; it takes no new invitations"), slug=campaign.slug
        )
    with transaction.atomic():
        # Checked again inside the transaction: a second click, or two consultants at once.
        taken = _live_addresses(campaign) & {person.email.lower() for person in people}
        if taken:
            raise Refused.at(
                "email",
                _("%(emails)s already have live links in this campaign; nothing was made"),
                emails=", ".join(sorted(taken)[:5]) + (" …" if len(taken) > 5 else ""),
            )
        draft = campaign.status == Campaign.Status.DRAFT
        rows = []
        for person in people:  # checked by read_invitees: addresses, names, teams in scope
            nonce = new_nonce()
            rows.append(
                Invitation(
                    campaign=campaign,
                    kind=Invitation.Kind.PERSON,
                    token_hash=hash_token(derived_token(nonce)),
                    token_nonce=nonce,
                    team=person.team,
                    name=person.name,
                    email=person.email,
                    created_by=created_by,
                    mail=Invitation.Mail.HELD if draft else Invitation.Mail.QUEUED,
                )
            )
        # One history line for the file (below), not one a person: bulk_create sends no
        # signal, so the audit log sees none of these rows.
        Invitation.objects.bulk_create(rows, batch_size=500)
        if not draft:
            queue_mails([row.pk for row in rows], INVITATION, base_url)
        audit.record(campaign, "invitations", count=len(people), file=source[:100])
    return BulkResult(created=len(people), held=len(people) if draft else 0)


# --- Reminders ----------------------------------------------------------------------------


def reminder_candidates(campaign: Campaign) -> QuerySet[Invitation]:
    """Personal links with an address that have not led to a submitted response: those a
    reminder goes to (a link whose e-mail is still held is not reminded)."""
    submitted = Response.objects.filter(
        invitation=OuterRef("pk"), submitted_at__isnull=False, discarded_at__isnull=True
    )
    return (
        Invitation.objects.filter(
            campaign=campaign, kind=Invitation.Kind.PERSON, revoked_at__isnull=True
        )
        .exclude(email="")
        .exclude(mail=Invitation.Mail.HELD)
        .exclude(Exists(submitted))
    )


def reminders_send(*, campaign: Campaign, base_url: str, scheduled: bool = False) -> int:
    """Queue a reminder to each of `reminder_candidates` not reminded in the last hour.
    Returns how many were queued."""
    if campaign.status != Campaign.Status.OPEN:
        raise Refused.at(
            "campaign", _("%(name)s is not open: nobody can answer now"), name=campaign.name
        )
    recent = timezone.now() - REMIND_AGAIN_AFTER
    with transaction.atomic():
        due = list(
            reminder_candidates(campaign)
            .exclude(reminded_at__gte=recent)
            .exclude(mail=Invitation.Mail.QUEUED)
        )
        queue_mails([invitation.pk for invitation in due], REMINDER, base_url)
        if due:
            audit.record(campaign, "reminders", count=len(due), scheduled=scheduled)
    return len(due)


WORKER_LATE = timedelta(minutes=2)


def mail_waiting(links: Sequence[Invitation]) -> int:
    """Minutes the oldest e-mail job has waited for a worker, when some of `links` are being
    sent and none has picked it up for `WORKER_LATE` (no worker running?); else 0. One query,
    and only while something is queued."""
    if not any(link.mail == Invitation.Mail.QUEUED for link in links):
        return 0
    waited = oldest_wait()
    return int(waited.total_seconds() // 60) if waited >= WORKER_LATE else 0


def reminder_day(campaign: Campaign) -> date | None:
    """The day of the scheduled reminder, or None when none is set."""
    if campaign.remind_days_before and campaign.closes_on:
        return campaign.closes_on - timedelta(days=campaign.remind_days_before)
    return None


def reminders_schedule(*, campaign: Campaign, base_url: str) -> datetime | None:
    """Queue the scheduled reminder of an open campaign for 09:00 on its day (at once when
    that has passed and the campaign has not closed yet). Returns when it will run. Jobs
    queued earlier need no cancelling: each checks, when it runs, that its day still holds."""
    day = reminder_day(campaign)
    today = timezone.localdate()
    if (
        day is None
        or campaign.status != Campaign.Status.OPEN
        or campaign.reminded_on is not None
        or (campaign.closes_on is not None and campaign.closes_on < today)
    ):
        return None
    when = max(timezone.make_aware(datetime.combine(day, REMINDER_HOUR)), timezone.now())
    job = send_scheduled_reminders.using(run_after=when)
    transaction.on_commit(lambda: job.enqueue(campaign.pk, day.isoformat(), base_url))
    return when


def scheduled_reminders_run(campaign_id: int, due: str, base_url: str) -> str:
    """The scheduled reminder's job body; see `assessments.tasks.send_scheduled_reminders`."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != Campaign.Status.OPEN:
            return "skipped: the campaign is not open"
        day = reminder_day(campaign)
        if campaign.reminded_on is not None or day is None or day.isoformat() != due:
            return "skipped: reminded already, or the reminder day has changed"
        count = reminders_send(campaign=campaign, base_url=base_url, scheduled=True)
        campaign.reminded_on = timezone.localdate()
        Campaign.objects.filter(pk=campaign.pk).update(reminded_on=campaign.reminded_on)
    return f"queued {count} reminders"
