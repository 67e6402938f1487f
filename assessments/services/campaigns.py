"""Campaign services: create, change settings, open, close, agreed answers, notes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from assessments.errors import ProblemList, Refused
from assessments.models import (
    SLUG_RE,
    AgreedAnswer,
    BankVersion,
    Campaign,
    Organization,
    ParkingNote,
    Question,
    Team,
)
from assessments.selectors.scores import campaign_scores, find_baseline
from assessments.services.invitations import reminders_schedule
from assessments.services.survey import send_held_invitations
from assessments.tasks import prerender_report
from assessments.vocabulary import (
    CONTROL_CHARACTERS,
    DECISION_ANSWERS,
    DEFAULT_MIN_GROUP_SIZE,
    NA,
)

_SLUG = re.compile(SLUG_RE)


class Unchanged:
    """The value of an argument left out (where None is a value: no date)."""


UNCHANGED = Unchanged()


def parse_targets(values: list[str], problems: ProblemList) -> dict[str, int]:
    """`DIMENSION=STAGE` strings (command line) -> targets; bad ones go to `problems`."""
    targets: dict[str, int] = {}
    for value in values:
        key, sep, stage = value.partition("=")
        if not sep or stage.strip() not in {"0", "1", "2", "3"}:
            problems.add(f"--target {value}", _("write DIMENSION=STAGE with a stage from 0 to 3"))
            continue
        targets[key.strip()] = int(stage)
    return targets


def _languages(
    problems: ProblemList, version: BankVersion, languages: Iterable[str] | None
) -> list[str]:
    """The campaign's languages, checked: tags the interface or the bank has (docs/languages.md),
    each once; empty for the default (the interface's and the bank's, the bank's own first)."""
    tags = [tag.strip().lower() for tag in (languages or []) if tag.strip()]
    known = {code for code, _name in settings.LANGUAGES} | {version.language.lower()}
    known |= {tag.lower() for tag in (version.translations or {})}
    for tag in tags:
        if tag not in known:
            problems.add(
                "languages",
                _(
                    "%(tag)s: neither the interface nor the bank has it (it has %(known)s); "
                    "import a translation of the bank first"
                ),
                tag=tag,
                known=", ".join(sorted(known)),
            )
    if len(set(tags)) != len(tags):
        problems.add("languages", _("name each language once"))
    return tags


def _check_settings(
    problems: ProblemList,
    version: BankVersion,
    min_group_size: Any,
    gap_threshold: Any,
    targets: dict[str, Any],
) -> None:
    if (
        isinstance(min_group_size, bool)
        or not isinstance(min_group_size, int)
        or not (1 <= min_group_size <= 1000)
    ):
        problems.add("min_group_size", _("must be a whole number from 1 to 1000"))
    if (
        isinstance(gap_threshold, bool)
        or not isinstance(gap_threshold, int | float)
        or not (0 <= gap_threshold <= 3)
    ):
        problems.add("gap_threshold", _("must be a number from 0 to 3"))
    keys = set(version.dimensions.values_list("key", flat=True))
    for key, stage in targets.items():
        if key not in keys:
            problems.add(
                f"targets.{key}",
                _("is not a dimension of %(label)s (%(value)s)"),
                label=version.label,
                value=", ".join(sorted(keys)),
            )
        elif isinstance(stage, bool) or stage not in (0, 1, 2, 3):
            problems.add(f"targets.{key}", _("must be a stage from 0 to 3"))


def _check_dates(problems: ProblemList, opens_on: Any, closes_on: Any) -> None:
    """A campaign closes on or after the day it opens."""
    if isinstance(opens_on, date) and isinstance(closes_on, date) and closes_on < opens_on:
        problems.add(
            "closes_on",
            _("is before the opening date (%(opens)s): choose %(opens)s or later"),
            opens=formats.date_format(opens_on, "DATE_FORMAT"),
        )


def campaign_create(
    *,
    slug: str,
    organization: Organization,
    bank_version: BankVersion,
    name: str = "",
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    gap_threshold: float = 0.5,
    targets: dict[str, int] | None = None,
    shuffle_choices: bool = False,
    status: str = Campaign.Status.DRAFT,
    opens_on: date | None = None,
    closes_on: date | None = None,
    teams: Iterable[Team] = (),
    single_site: bool = False,
    left_out: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    report_language: str = "en",
    remind_days_before: int | None = None,
) -> Campaign:
    """Create a campaign on a published bank version; every problem reported at once.
    `teams` are the teams in scope (none: every team of the organisation). A `single_site`
    campaign leaves out `left_out` (by default `site_questions`)."""
    targets = targets or {}
    problems = ProblemList()
    if not _SLUG.fullmatch(slug or "") or len(slug) > 60:
        problems.add("slug", _("use lowercase letters, digits and hyphens (for example acme-2026)"))
    elif Campaign.objects.filter(slug=slug).exists():
        # Slugs are unique across workspaces: say nothing of whose campaign holds it.
        problems.add("slug", _("%(slug)s is not available; choose another"), slug=repr(slug))
    if not bank_version.is_published:
        problems.add(
            "bank", _("%(label)s is a draft; publish it before using it"), label=bank_version.label
        )
    _check_settings(problems, bank_version, min_group_size, gap_threshold, targets)
    _check_dates(problems, opens_on, closes_on)
    _check_reminder(problems, remind_days_before, closes_on)
    left_out = _left_out(problems, bank_version, single_site, left_out)
    chosen_languages = _languages(problems, bank_version, languages)
    _report_language(problems, report_language)
    problems.raise_if_any()
    with transaction.atomic():
        campaign = Campaign(
            languages=chosen_languages,
            report_language=report_language,
            slug=slug,
            organization=organization,
            bank_version=bank_version,
            name=name or slug,
            status=status,
            min_group_size=min_group_size,
            gap_threshold=gap_threshold,
            targets=targets,
            shuffle_choices=shuffle_choices,
            single_site=single_site,
            left_out=left_out,
            opens_on=opens_on,
            closes_on=closes_on,
            remind_days_before=remind_days_before,
        )
        try:
            campaign.full_clean()
        except ValidationError as error:
            raise Refused.from_validation(error) from None
        campaign.save()
        campaign.teams.set(_teams_of(organization, teams))
    return campaign


def _report_language(problems: ProblemList, language: str) -> None:
    """A report is written in a language the interface speaks whole (docs/languages.md)."""
    offered = [code for code, _name in settings.LANGUAGES]
    if language not in offered:
        problems.add(
            "report_language",
            _("%(language)s is not a report language; choose one of %(offered)s"),
            language=repr(language),
            offered=", ".join(offered),
        )


def site_questions(version: BankVersion) -> list[str]:
    """What a one-site campaign leaves out unless told otherwise: the bank's scored questions
    that allow N/A. In the default bank these are exactly the questions about several sites
    (docs/methodology.md, "One site"); another bank's author says so in its question help."""
    return list(
        Question.objects.filter(version=version, kind=Question.Kind.SCORED, allow_na=True)
        .in_survey_order()
        .values_list("key", flat=True)
    )


def _left_out(
    problems: ProblemList,
    version: BankVersion,
    single_site: bool,
    left_out: Iterable[str] | None,
) -> list[str]:
    """The keys a campaign leaves out, checked: only with one site, and only questions that
    allow N/A (leaving out a question is saying it does not apply to this organisation)."""
    if not single_site:
        return []
    allowed = site_questions(version)
    if left_out is None:
        return allowed
    chosen = list(dict.fromkeys(left_out))
    wrong = [key for key in chosen if key not in allowed]
    if wrong:
        problems.add(
            "left_out",
            _("%(keys)s cannot be left out: only questions that allow N/A (%(allowed)s)"),
            keys=", ".join(wrong),
            allowed=", ".join(allowed) or _("none in this bank"),
        )
    return [key for key in allowed if key in chosen]


def _teams_of(organization: Organization, teams: Iterable[Team]) -> list[Team]:
    teams = list(teams)
    if any(team.organization_id != organization.pk for team in teams):
        raise Refused.at(
            "teams", _("not all of them are teams of %(name)s"), name=organization.name
        )
    return teams


def campaign_update(
    *,
    campaign: Campaign,
    min_group_size: int,
    gap_threshold: float,
    targets: dict[str, int],
    name: str | None = None,
    opens_on: date | Unchanged | None = UNCHANGED,
    closes_on: date | Unchanged | None = UNCHANGED,
    teams: Iterable[Team] | None = None,
    shuffle_choices: bool | None = None,
    single_site: bool | None = None,
    left_out: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    report_language: str | None = None,
    remind_days_before: int | Unchanged | None = UNCHANGED,
    base_url: str | None = None,
) -> Campaign:
    """Change a campaign that is not closed: its scoring settings and, when given, its name,
    dates, the teams in scope and whether it has one site (the questions it leaves out stop
    changing once someone has answered: their answers would count for a question not asked).
    A changed reminder day is scheduled anew (with `base_url`, the site's address)."""
    problems = ProblemList()
    if campaign.is_closed:
        problems.add(
            "campaign", _("%(slug)s is closed; its settings no longer change"), slug=campaign.slug
        )
    if name is not None and CONTROL_CHARACTERS.search(name):
        problems.add("name", _("must not contain line breaks or other control characters"))
    _check_settings(problems, campaign.bank_version, min_group_size, gap_threshold, targets)
    _check_dates(
        problems,
        campaign.opens_on if isinstance(opens_on, Unchanged) else opens_on,
        campaign.closes_on if isinstance(closes_on, Unchanged) else closes_on,
    )
    if not isinstance(remind_days_before, Unchanged):
        _check_reminder(
            problems,
            remind_days_before,
            campaign.closes_on if isinstance(closes_on, Unchanged) else closes_on,
        )
    new_left_out = None
    if single_site is not None:
        new_left_out = _left_out(problems, campaign.bank_version, single_site, left_out)
        if new_left_out != campaign.left_out and campaign.responses.exists():
            problems.add(
                "single_site",
                _(
                    "the questions asked no longer change: %(n)s people have started "
                    "answering. Start a new campaign to ask other questions."
                ),
                n=campaign.responses.count(),
            )
    chosen_languages = (
        _languages(problems, campaign.bank_version, languages) if languages is not None else None
    )
    if report_language is not None:
        _report_language(problems, report_language)
    problems.raise_if_any()
    campaign.min_group_size = min_group_size
    campaign.gap_threshold = gap_threshold
    campaign.targets = targets
    fields = ["min_group_size", "gap_threshold", "targets"]
    if shuffle_choices is not None:
        campaign.shuffle_choices = shuffle_choices
        fields.append("shuffle_choices")
    if chosen_languages is not None:
        campaign.languages = chosen_languages
        fields.append("languages")
    if report_language is not None:
        campaign.report_language = report_language
        fields.append("report_language")
    if single_site is not None and new_left_out is not None:
        campaign.single_site = single_site
        campaign.left_out = new_left_out
        fields += ["single_site", "left_out"]
    if name is not None:
        campaign.name = name or campaign.slug
        fields.append("name")
    if not isinstance(opens_on, Unchanged):
        campaign.opens_on = opens_on
        fields.append("opens_on")
    if not isinstance(closes_on, Unchanged):
        campaign.closes_on = closes_on
        fields.append("closes_on")
    if not isinstance(remind_days_before, Unchanged):
        campaign.remind_days_before = remind_days_before
        fields.append("remind_days_before")
    # Read from the database, not the object: a ModelForm has already set the new values on
    # the instance it validated.
    day_before = Campaign.objects.filter(pk=campaign.pk).values_list(
        "closes_on", "remind_days_before"
    )[0]
    moved = day_before != (campaign.closes_on, campaign.remind_days_before)
    if moved:
        campaign.reminded_on = None  # a new reminder day: it is reminded again on that day
        fields.append("reminded_on")
    with transaction.atomic():
        campaign.save(update_fields=fields)
        if teams is not None:
            campaign.teams.set(_teams_of(campaign.organization, teams))
        if moved and base_url is not None:
            reminders_schedule(campaign=campaign, base_url=base_url)
    return campaign


def _check_reminder(problems: ProblemList, days: int | None, closes_on: date | None) -> None:
    if days is None:
        return
    if not 1 <= days <= MAX_REMIND_DAYS:
        problems.add(
            "remind_days_before",
            _("between 1 and %(most)s days, or empty for no reminder"),
            most=MAX_REMIND_DAYS,
        )
    elif closes_on is None:
        problems.add("remind_days_before", _("needs a closing date to count back from"))


def campaign_open(*, campaign: Campaign, base_url: str | None = None) -> int:
    """Open a draft for answers: the e-mails held while it was a draft, and its scheduled
    reminder, are queued when `base_url` (the site's address) is given. Returns how many
    held e-mails were queued."""
    if campaign.is_closed:
        raise Refused.at(
            "", _("%(slug)s is closed and cannot be opened again."), slug=campaign.slug
        )
    with transaction.atomic():
        campaign.status = Campaign.Status.OPEN
        campaign.save(update_fields=["status"])
        if base_url is None:
            return 0
        reminders_schedule(campaign=campaign, base_url=base_url)
        return send_held_invitations(campaign=campaign, base_url=base_url)


def campaign_close(*, campaign: Campaign) -> Campaign:
    """Close a campaign: no more answers, its baseline frozen, and its scores stored."""
    if campaign.is_closed:
        raise Refused.at("", _("%(slug)s is already closed."), slug=campaign.slug)
    with transaction.atomic():
        campaign.baseline = find_baseline(campaign)
        campaign.status = Campaign.Status.CLOSED
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["baseline", "status", "closed_at"])
        campaign_scores(campaign)  # computed now, so it is stored with the closed state
        # Its figures are final: the report is rendered now, by a job, so that the first
        # executive to download it does not wait for it (docs/performance.md, PDF report).
        job = (campaign.pk, campaign.report_language)
        transaction.on_commit(lambda: prerender_report.enqueue(*job))
    return campaign


MAX_REMIND_DAYS = 60
REOPEN_DAYS = 14  # a closed campaign can be reopened this long; then its scores are final
MAX_REASON = 500


def reopen_refusal(campaign: Campaign) -> Refused | None:
    """Why `campaign` cannot be reopened now, or None when it can."""
    if not campaign.is_closed:
        return Refused.at("", _("%(slug)s is not closed."), slug=campaign.slug)
    if campaign.closed_at and timezone.now() - campaign.closed_at > timedelta(days=REOPEN_DAYS):
        return Refused.at(
            "",
            _(
                "%(name)s was closed more than %(days)s days ago: its scores are final and it "
                "cannot be reopened."
            ),
            name=campaign.name,
            days=REOPEN_DAYS,
        )
    later = Campaign.objects.filter(baseline=campaign, status=Campaign.Status.CLOSED).first()
    if later is not None:
        return Refused.at(
            "",
            _(
                "%(name)s is the baseline of %(later)s, which is closed: reopening it would "
                "change that campaign's final progress figures."
            ),
            name=campaign.name,
            later=later.name,
        )
    return None


def campaign_reopen(*, campaign: Campaign, reason: str, base_url: str | None = None) -> Campaign:
    """Open a closed campaign again, within `REOPEN_DAYS` of its closing and with a reason,
    which the audit log keeps (assessments/audit.py). Its baseline is found again when it
    closes next."""
    reason = (reason or "").strip()
    refusal = reopen_refusal(campaign)
    if refusal is not None:
        raise refusal
    if not reason:
        raise Refused.at("reason", _("say why it is reopened (the history keeps it)"))
    if len(reason) > MAX_REASON or CONTROL_CHARACTERS.search(reason.replace("\n", " ")):
        raise Refused.at(
            "reason", _("one paragraph of at most %(limit)s characters"), limit=MAX_REASON
        )
    with transaction.atomic():
        campaign.status = Campaign.Status.OPEN
        campaign.closed_at = None
        campaign.baseline = None
        campaign.audit_note = {"reason": reason}  # type: ignore[attr-defined]
        campaign.save(update_fields=["status", "closed_at", "baseline"])
        if base_url is not None:
            reminders_schedule(campaign=campaign, base_url=base_url)
    return campaign


def agreed_answer_record(
    *,
    campaign: Campaign,
    question_key: str,
    answer: str,
    note: str = "",
    dissent: str = "",
) -> AgreedAnswer:
    """Record (or change) the answer a workshop agreed on: a choice key, or "NA"; for a
    decision question, who decides (it, ot, joint, vendor, nobody), never scored."""
    problems = ProblemList()
    if campaign.is_closed:
        problems.add(
            "campaign", _("%(slug)s is closed; agreed answers no longer change"), slug=campaign.slug
        )
    question = (
        Question.objects.filter(version_id=campaign.bank_version_id, key=question_key)
        .prefetch_related("choices")
        .first()
    )
    choice = None
    decision = ""
    if question is None:
        problems.add(
            "question",
            _("%(question_key)s is not a question of this campaign's bank"),
            question_key=repr(question_key),
        )
    elif question.key in campaign.left_out:
        problems.add(
            "question",
            _("%(question_key)s is left out of this campaign (one site)"),
            question_key=question_key,
        )
    elif answer == NA:
        if not question.allow_na:
            problems.add(
                "answer", _("%(question_key)s does not allow N/A"), question_key=question_key
            )
    else:
        if question.is_decision:
            decision = answer if answer in DECISION_ANSWERS else ""
            allowed, found = list(DECISION_ANSWERS), bool(decision)
            message = _('"%(answer)s" is not an answer to who decides %(question_key)s (%(value)s)')
        else:
            choice = next((c for c in question.choices.all() if c.key == answer), None)
            allowed, found = [c.key for c in question.choices.all()], choice is not None
            message = _('"%(answer)s" is not a choice of %(question_key)s (%(value)s)')
        if not found:
            problems.add(
                "answer",
                message,
                answer=answer,
                question_key=question_key,
                value=", ".join([*allowed, *([NA] if question.allow_na else [])]),
            )
    problems.raise_if_any()
    with transaction.atomic():
        agreed, _created = AgreedAnswer.objects.update_or_create(
            campaign=campaign,
            question=question,
            defaults={
                "choice": choice,
                "decision": decision,
                "is_na": choice is None and not decision,
                "note": note,
                "dissent": dissent,
            },
        )
    return agreed


def parking_note_add(*, campaign: Campaign, text: str, user: Any = None) -> ParkingNote:
    """A note for later, captured during a workshop; the report lists them."""
    text = (text or "").strip()
    problems = ProblemList()
    if campaign.is_closed:
        problems.add(
            "campaign", _("%(slug)s is closed; its notes no longer change"), slug=campaign.slug
        )
    if not text:
        problems.add("text", _("write the note first"))
    elif len(text) > 2000:
        problems.add("text", _("is longer than 2,000 characters"))
    problems.raise_if_any()
    return ParkingNote.objects.create(campaign=campaign, text=text, created_by=user)
