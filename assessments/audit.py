"""Who did what to a campaign, and when: its audit log (README, "Audit log").

django-auditlog writes the entries: the model changes it watches (a campaign created, opened,
closed, reopened or its settings changed; links made or revoked; agreed answers; roadmap
initiatives), each with the signed-in user as its actor (its middleware), and the downloads
and exports this module records. Every entry carries its campaign's id in `additional_data`,
so a campaign's history is one query. Responses and answers are never logged: the log says
what consultants did, never what a respondent answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assessments.models import AgreedAnswer, Campaign, Initiative, Invitation

CAMPAIGN_FIELDS = [
    "name",
    "status",
    "opens_on",
    "closes_on",
    "min_group_size",
    "gap_threshold",
    "targets",
    "shuffle_choices",
    "single_site",
    "left_out",
    "languages",
    "report_language",
    "remind_days_before",
]


def register() -> None:
    """Called once, when the app is ready. An invitation's e-mail address is not kept."""
    auditlog.register(Campaign, include_fields=CAMPAIGN_FIELDS, m2m_fields={"teams"})
    auditlog.register(Invitation, include_fields=["kind", "team", "revoked_at", "max_responses"])
    auditlog.register(AgreedAnswer, include_fields=["choice", "decision", "is_na", "note"])
    auditlog.register(Initiative, include_fields=["title", "owner", "status", "horizon"])


def record(campaign: Campaign, event: str, **details: Any) -> None:
    """A download or an export of `campaign` (`event`: report, deck, word, export, archive),
    by the signed-in user when there is one."""
    LogEntry.objects.log_create(
        campaign,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        changes=None,
        additional_data={"campaign": campaign.pk, "event": event, **details},
    )


@dataclass(frozen=True)
class Event:
    when: datetime
    who: str
    what: str


HISTORY_LENGTH = 50


def history(campaign: Campaign, limit: int = HISTORY_LENGTH) -> list[Event]:
    """The campaign's latest events, newest first, in the reader's words (one query)."""
    entries = (
        LogEntry.objects.filter(additional_data__campaign=campaign.pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )
    return [
        Event(
            entry.timestamp,
            entry.actor.get_username() if entry.actor else _("the system"),
            _what(entry),
        )
        for entry in entries
    ]


SETTING_NAMES = {  # how the history names a changed setting, in the reader's language
    "name": gettext_lazy("name"),
    "status": gettext_lazy("status"),
    "opens_on": gettext_lazy("opening date"),
    "closes_on": gettext_lazy("closing date"),
    "min_group_size": gettext_lazy("minimum group size"),
    "gap_threshold": gettext_lazy("gap threshold"),
    "targets": gettext_lazy("target stages"),
    "shuffle_choices": gettext_lazy("shuffled answers"),
    "single_site": gettext_lazy("one site"),
    "left_out": gettext_lazy("questions left out"),
    "languages": gettext_lazy("languages"),
    "report_language": gettext_lazy("report language"),
    "remind_days_before": gettext_lazy("reminder before closing"),
    "teams": gettext_lazy("teams in scope"),
}


def _fields(names: Iterable[str]) -> str:
    return ", ".join(str(SETTING_NAMES.get(name, name)) for name in names)


def _what(entry: LogEntry) -> str:
    data: dict[str, Any] = entry.additional_data or {}
    changes: dict[str, Any] = entry.changes_dict or {}
    model = entry.content_type.model if entry.content_type else ""
    action = entry.action
    if model == "campaign":
        if action == LogEntry.Action.ACCESS:
            return _access(data)
        if action == LogEntry.Action.CREATE:
            return _("created the campaign")
        status = changes.get("status")
        if status:
            old, new = status[0], status[1]
            if new == Campaign.Status.OPEN and old == Campaign.Status.CLOSED:
                return _("reopened it: “%(reason)s”") % {"reason": data.get("reason", "")}
            if new == Campaign.Status.OPEN:
                return _("opened it for answers")
            if new == Campaign.Status.CLOSED:
                return _("closed it")
        return _("changed its settings: %(fields)s") % {"fields": _fields(changes)}
    if model == "invitation":
        team = data.get("team") or ""
        if action == LogEntry.Action.CREATE:
            kind = (changes.get("kind") or [None, ""])[1]
            if kind == Invitation.Kind.TEAM:
                return _("made a team join link for %(team)s") % {"team": team}
            return _("made a personal link") + (f" ({team})" if team else "")
        if "revoked_at" in changes:
            return _("revoked a link (#%(number)s)") % {"number": entry.object_pk}
        return _("changed a link (#%(number)s)") % {"number": entry.object_pk}
    if model == "agreedanswer":
        return _("recorded the agreed answer to %(question)s") % {
            "question": data.get("question", "")
        }
    if model == "initiative":
        title = entry.object_repr
        if action == LogEntry.Action.CREATE:
            return _("added the initiative “%(title)s” to the roadmap") % {"title": title}
        if action == LogEntry.Action.DELETE:
            return _("deleted the initiative “%(title)s”") % {"title": title}
        return _("changed the initiative “%(title)s”") % {"title": title}
    return entry.object_repr


def _access(data: dict[str, Any]) -> str:
    event = data.get("event")
    language = data.get("language")
    suffix = f" ({language})" if language else ""
    if event == "report":
        return _("downloaded the PDF report") + suffix
    if event == "deck":
        return _("downloaded the deck") + suffix
    if event == "word":
        return _("downloaded the Word report") + suffix
    count = int(data.get("count") or 0)
    if event == "invitations":
        return ngettext(
            "made %(count)s personal link from %(file)s",
            "made %(count)s personal links from %(file)s",
            count,
        ) % {"count": count, "file": data.get("file", "")}
    if event == "reminders" and data.get("scheduled"):
        return ngettext(
            "sent the scheduled reminder to %(count)s person",
            "sent the scheduled reminder to %(count)s people",
            count,
        ) % {"count": count}
    if event == "reminders":
        return ngettext(
            "sent a reminder to %(count)s person", "sent a reminder to %(count)s people", count
        ) % {"count": count}
    if event == "archive":
        return _("exported the campaign archive")
    if event == "export":
        return _("exported %(kind)s as %(fmt)s") % {
            "kind": data.get("kind", ""),
            "fmt": data.get("fmt", ""),
        }
    return _("opened it")
