"""Campaign services: create, change settings, open, close, agreed answers, notes."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from .fileformats import ImportProblems, Problems
from .models import (
    SLUG_RE,
    AgreedAnswer,
    BankVersion,
    Campaign,
    Organization,
    ParkingNote,
    Question,
)
from .selectors import campaign_scores, find_baseline
from .vocabulary import DEFAULT_MIN_GROUP_SIZE

_SLUG = re.compile(SLUG_RE)


def parse_targets(values: list[str]) -> tuple[dict[str, int], list[str]]:
    """`DIMENSION=STAGE` strings (command line) -> targets and problems."""
    targets: dict[str, int] = {}
    problems = []
    for value in values:
        key, sep, stage = value.partition("=")
        if not sep or stage.strip() not in {"0", "1", "2", "3"}:
            problems.append(f"--target {value}: write DIMENSION=STAGE with a stage from 0 to 3")
            continue
        targets[key.strip()] = int(stage)
    return targets, problems


def _check_settings(
    problems: Problems,
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
        problems.add("min_group_size", "must be a whole number from 1 to 1000")
    if (
        isinstance(gap_threshold, bool)
        or not isinstance(gap_threshold, int | float)
        or not (0 <= gap_threshold <= 3)
    ):
        problems.add("gap_threshold", "must be a number from 0 to 3")
    keys = set(version.dimensions.values_list("key", flat=True))
    for key, stage in targets.items():
        if key not in keys:
            problems.add(
                f"targets.{key}",
                f"is not a dimension of {version.label} ({', '.join(sorted(keys))})",
            )
        elif isinstance(stage, bool) or stage not in (0, 1, 2, 3):
            problems.add(f"targets.{key}", "must be a stage from 0 to 3")


def campaign_create(
    *,
    slug: str,
    organization: Organization,
    bank_version: BankVersion,
    name: str = "",
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    gap_threshold: float = 0.5,
    targets: dict[str, int] | None = None,
    status: str = Campaign.Status.DRAFT,
) -> Campaign:
    """Create a campaign on a published bank version; every problem reported at once."""
    targets = targets or {}
    problems = Problems()
    if not _SLUG.fullmatch(slug or "") or len(slug) > 60:
        problems.add("slug", "use lowercase letters, digits and hyphens (for example acme-2026)")
    elif Campaign.objects.filter(slug=slug).exists():
        problems.add("slug", f"{slug!r} is already used by another campaign")
    if not bank_version.is_published:
        problems.add("bank", f"{bank_version.label} is a draft; publish it before using it")
    _check_settings(problems, bank_version, min_group_size, gap_threshold, targets)
    problems.raise_if_any()
    with transaction.atomic():
        campaign = Campaign(
            slug=slug,
            organization=organization,
            bank_version=bank_version,
            name=name or slug,
            status=status,
            min_group_size=min_group_size,
            gap_threshold=gap_threshold,
            targets=targets,
        )
        campaign.full_clean()
        campaign.save()
    return campaign


def campaign_update_settings(
    *,
    campaign: Campaign,
    min_group_size: int,
    gap_threshold: float,
    targets: dict[str, int],
) -> Campaign:
    """Change the scoring settings of a campaign that is not closed."""
    problems = Problems()
    if campaign.is_closed:
        problems.add("campaign", f"{campaign.slug} is closed; its settings no longer change")
    _check_settings(problems, campaign.bank_version, min_group_size, gap_threshold, targets)
    problems.raise_if_any()
    campaign.min_group_size = min_group_size
    campaign.gap_threshold = gap_threshold
    campaign.targets = targets
    campaign.save(update_fields=["min_group_size", "gap_threshold", "targets"])
    return campaign


def campaign_open(*, campaign: Campaign) -> Campaign:
    if campaign.is_closed:
        raise ImportProblems([f"{campaign.slug} is closed and cannot be opened again."])
    campaign.status = Campaign.Status.OPEN
    campaign.save(update_fields=["status"])
    return campaign


def campaign_close(*, campaign: Campaign) -> Campaign:
    """Close a campaign: no more answers, its baseline frozen, and its scores stored."""
    if campaign.is_closed:
        raise ImportProblems([f"{campaign.slug} is already closed."])
    with transaction.atomic():
        campaign.baseline = find_baseline(campaign)
        campaign.status = Campaign.Status.CLOSED
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["baseline", "status", "closed_at"])
        campaign_scores(campaign)  # computed now, so it is stored with the closed state
    return campaign


def agreed_answer_record(
    *,
    campaign: Campaign,
    question_key: str,
    answer: str,
    note: str = "",
    dissent: str = "",
) -> AgreedAnswer:
    """Record (or change) the answer a workshop agreed on: a choice key, or "NA"."""
    problems = Problems()
    if campaign.is_closed:
        problems.add("campaign", f"{campaign.slug} is closed; agreed answers no longer change")
    question = (
        Question.objects.filter(version_id=campaign.bank_version_id, key=question_key)
        .prefetch_related("choices")
        .first()
    )
    choice = None
    if question is None:
        problems.add("question", f"{question_key!r} is not a question of this campaign's bank")
    elif answer == "NA":
        if not question.allow_na:
            problems.add("answer", f"{question_key} does not allow N/A")
    else:
        choice = next((c for c in question.choices.all() if c.key == answer), None)
        if choice is None:
            keys = [c.key for c in question.choices.all()] + (["NA"] if question.allow_na else [])
            problems.add(
                "answer", f'"{answer}" is not a choice of {question_key} ({", ".join(keys)})'
            )
    problems.raise_if_any()
    with transaction.atomic():
        agreed, _ = AgreedAnswer.objects.update_or_create(
            campaign=campaign,
            question=question,
            defaults={"choice": choice, "is_na": choice is None, "note": note, "dissent": dissent},
        )
    return agreed


def parking_note_add(*, campaign: Campaign, text: str, user: Any = None) -> ParkingNote:
    """A note for later, captured during a workshop; the report lists them."""
    text = (text or "").strip()
    problems = Problems()
    if campaign.is_closed:
        problems.add("campaign", f"{campaign.slug} is closed; its notes no longer change")
    if not text:
        problems.add("text", "write the note first")
    elif len(text) > 2000:
        problems.add("text", "is longer than 2,000 characters")
    problems.raise_if_any()
    return ParkingNote.objects.create(campaign=campaign, text=text, created_by=user)
