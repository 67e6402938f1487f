"""Campaign archives: everything a campaign needs to move to another deployment.

An archive is one JSON document (docs/file-formats.md, "Campaign archive"): the organisation
(its file format), the bank versions (their file format), and the campaign with the chain of
baselines it is compared against, oldest first, each with its settings, responses, agreed
answers, parking-lot notes, roadmap initiatives and the `score --json` document it had when
exported.

Import goes through the same validation as the files it is made of (organisation, bank,
responses, campaign settings), in one transaction: a problem anywhere writes nothing. The
scores are computed again from the imported answers and must equal the archive's; a
campaign that already exists is refused, never duplicated (a baseline that already exists
in the same organisation is used as it is).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.errors import ProblemList, Refused
from assessments.files.banks import bank_document_for_file, bank_export_document, bank_import
from assessments.files.formats import load_document
from assessments.files.organizations import organization_import
from assessments.files.responses import FIXED_COLUMNS, _validate, _write_rows, answer_cells
from assessments.models import (
    AgreedAnswer,
    Answer,
    BankVersion,
    Campaign,
    Initiative,
    ParkingNote,
    Question,
    Response,
)
from assessments.selectors.scores import campaign_scores, find_baseline
from assessments.services.campaigns import agreed_answer_record, campaign_create
from assessments.services.initiatives import FIELDS as INITIATIVE_KEYS
from assessments.services.initiatives import initiative_save
from assessments.vocabulary import CONTROL_CHARACTERS

FORMAT = "convergence-campaign-archive"
FORMAT_VERSION = 1
MAX_ARCHIVE_BYTES = 200 * 1024 * 1024
MAX_DEPTH = 12
CAMPAIGN_FIELDS = {
    "slug",
    "name",
    "status",
    "bank",
    "opens_on",
    "closes_on",
    "closed_at",
    "min_group_size",
    "gap_threshold",
    "targets",
    "shuffle_choices",
    "left_out",
    "languages",
    "report_language",
    "teams",
    "baseline",
    "responses",
    "agreed_answers",
    "notes",
    "initiatives",
    "scores",
}
# Left out when false or empty (and absent from older archives).
OPTIONAL_CAMPAIGN_FIELDS = {
    "shuffle_choices",
    "left_out",
    "languages",
    "report_language",
    "initiatives",
}
INITIATIVE_FIELDS = set(INITIATIVE_KEYS)
RESPONSE_FIELDS = {
    "respondent",
    "name",
    "function",
    "team",
    "site",
    "submitted_at",
    "answers",
    "comments",
    "discarded_at",
    "discard_reason",
}


# --- Export ----------------------------------------------------------------------------------


def _chain(campaign: Campaign) -> list[Campaign]:
    """The campaign and its baselines, oldest first (a cycle cannot happen, but is cut)."""
    chain: list[Campaign] = []
    current: Campaign | None = campaign
    while current is not None and current not in chain:
        chain.insert(0, current)
        current = find_baseline(current)
    return chain


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _campaign_entry(campaign: Campaign) -> dict[str, Any]:
    answers = answer_cells(campaign)
    comments: dict[int, dict[str, str]] = {}
    for response_id, key, text in (
        Answer.objects.filter(response__campaign=campaign)
        .exclude(comment="")
        .values_list("response_id", "question__key", "comment")
    ):
        comments.setdefault(response_id, {})[key] = text
    responses = [
        {
            "respondent": r.respondent,
            "name": r.name,
            "function": r.function,
            "team": r.team.slug if r.team else None,
            "site": r.site.slug if r.site else None,
            "submitted_at": _iso(r.submitted_at),
            "answers": answers.get(r.pk, {}),
            "comments": comments.get(r.pk, {}),
            # Only on responses a consultant set aside (docs/file-formats.md).
            **(
                {"discarded_at": _iso(r.discarded_at), "discard_reason": r.discard_reason}
                if r.discarded_at
                else {}
            ),
        }
        for r in Response.objects.filter(campaign=campaign)
        .select_related("team", "site")
        .order_by("created", "id")
    ]
    baseline = find_baseline(campaign)
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "status": campaign.status,
        "bank": {"slug": campaign.bank_version.bank.slug, "version": campaign.bank_version.number},
        "opens_on": _iso(campaign.opens_on),
        "closes_on": _iso(campaign.closes_on),
        "closed_at": _iso(campaign.closed_at),
        "min_group_size": campaign.min_group_size,
        "gap_threshold": campaign.gap_threshold,
        "targets": campaign.targets,
        **({"shuffle_choices": True} if campaign.shuffle_choices else {}),
        # One site: the questions not asked ([] with one site means none was left out).
        **({"left_out": list(campaign.left_out)} if campaign.single_site else {}),
        # The languages offered and the report's (docs/languages.md), when not the defaults.
        **({"languages": list(campaign.languages)} if campaign.languages else {}),
        **(
            {"report_language": campaign.report_language}
            if campaign.report_language != "en"
            else {}
        ),
        "teams": sorted(campaign.teams.values_list("slug", flat=True)),
        "baseline": baseline.slug if baseline else None,
        "responses": responses,
        "agreed_answers": [
            {
                "question": a.question.key,
                "answer": a.answer,
                "note": a.note,
                "dissent": a.dissent,
            }
            for a in AgreedAnswer.objects.filter(campaign=campaign)
            .select_related("question", "choice")
            .order_by("question__key")
        ],
        "notes": [
            {"text": n.text, "created": _iso(n.created)}
            for n in ParkingNote.objects.filter(campaign=campaign, hidden=False).order_by(
                "created", "id"
            )
        ],
        # The roadmap (docs/file-formats.md): left out when there is none.
        **({"initiatives": initiatives} if (initiatives := _initiatives(campaign)) else {}),
        "scores": campaign_scores(campaign),
    }


def _initiatives(campaign: Campaign) -> list[dict[str, Any]]:
    return [
        {field: getattr(i, field) for field in INITIATIVE_KEYS}
        for i in Initiative.objects.filter(campaign=campaign)
    ]


def campaign_archive(campaign: Campaign) -> dict[str, Any]:
    chain = _chain(campaign)
    organization = campaign.organization
    versions: list[BankVersion] = []
    for member in chain:
        if member.bank_version not in versions:
            versions.append(member.bank_version)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "organization": {
            "organization": organization.slug,
            "name": organization.name,
            "workspace": organization.workspace.slug,
            "industry": organization.industry,
            "sites": [
                {"slug": s.slug, "name": s.name, "country": s.country}
                for s in organization.sites.order_by("slug")
            ],
            "teams": [
                {
                    "slug": t.slug,
                    "name": t.name,
                    "function": t.function,
                    "site": t.site.slug if t.site else None,
                    "headcount": t.headcount,
                }
                for t in organization.teams.select_related("site").order_by("slug")
            ],
        },
        "banks": [bank_document_for_file(bank_export_document(v)) for v in versions],
        "campaigns": [_campaign_entry(member) for member in chain],
    }


def dump_archive(archive: dict[str, Any]) -> str:
    return json.dumps(archive, indent=1, ensure_ascii=False) + "\n"


# --- Import ----------------------------------------------------------------------------------


@dataclass
class ArchiveImportResult:
    campaign: Campaign
    imported: list[str]
    reused: list[str]

    @property
    def message(self) -> str:
        names = {"campaigns": ", ".join(self.imported), "slug": self.campaign.organization.slug}
        if self.reused:
            return gettext(
                "Imported %(campaigns)s into %(slug)s (already here, used as they are: %(reused)s)."
            ) % {**names, "reused": ", ".join(self.reused)}
        return gettext("Imported %(campaigns)s into %(slug)s.") % names


def _check_shape(raw: Any) -> dict[str, Any]:
    problems = ProblemList()
    if not isinstance(raw, dict):
        raise Refused.at("file", _("an archive is a JSON object"))
    if raw.get("format") != FORMAT:
        problems.add(
            "format", _('must be "%(FORMAT)s" (is this a campaign archive?)'), FORMAT=FORMAT
        )
    elif raw.get("format_version") != FORMAT_VERSION:
        problems.add(
            "format_version",
            _("%(value)s is not supported (only 1)"),
            value=repr(raw.get("format_version")),
        )
    for key, kind in (("organization", dict), ("banks", list), ("campaigns", list)):
        if not isinstance(raw.get(key), kind):
            problems.add(
                key, _("is missing or not a %(value)s"), value="mapping" if kind is dict else "list"
            )
    unknown = set(raw) - {"format", "format_version", "exported_at", "organization", "banks"}
    unknown -= {"campaigns"}
    for key in sorted(unknown):
        problems.add(key, _("is not a field of a campaign archive"))
    problems.raise_if_any()
    if not raw["campaigns"]:
        raise Refused.at("campaigns", _("the archive holds no campaign"))
    for number, entry in enumerate(raw["campaigns"]):
        location = f"campaigns[{number}]"
        if not isinstance(entry, dict):
            problems.add(location, _("must be a mapping"))
            continue
        for key in sorted(set(entry) - CAMPAIGN_FIELDS):
            problems.add(f"{location}.{key}", _("is not a field of a campaign"))
        for key in sorted(CAMPAIGN_FIELDS - set(entry) - OPTIONAL_CAMPAIGN_FIELDS):
            problems.add(f"{location}.{key}", _("is missing"))
        if not isinstance(entry.get("slug"), str):
            problems.add(f"{location}.slug", _("must be text"))
        if entry.get("status") not in Campaign.Status.values:
            problems.add(f"{location}.status", _("must be draft, open or closed"))
        bank = entry.get("bank")
        if not (
            isinstance(bank, dict)
            and isinstance(bank.get("slug"), str)
            and isinstance(bank.get("version"), int)
        ):
            problems.add(f"{location}.bank", _("must be {slug: text, version: number}"))
        for key, kind in (
            ("responses", list),
            ("agreed_answers", list),
            ("notes", list),
            ("teams", list),
            ("targets", dict),
            ("scores", dict),
            ("left_out", list),
            ("initiatives", list),
        ):
            if key in entry and not isinstance(entry[key], kind):
                what = "list" if kind is list else "mapping"
                problems.add(f"{location}.{key}", _("must be a %(what)s"), what=what)
        for field in ("opens_on", "closes_on"):
            value = entry.get(field)
            if value is not None and not (isinstance(value, str) and _date(value)):
                problems.add(f"{location}.{field}", _("must be a date (YYYY-MM-DD) or null"))
        if entry.get("status") == "closed" and not _moment(entry.get("closed_at")):
            problems.add(f"{location}.closed_at", _("a closed campaign needs its closing time"))
    problems.raise_if_any()
    return raw


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def archive_import(*, data: bytes, workspace: str | None = None) -> ArchiveImportResult:
    raw = _check_shape(
        load_document(data, "json", max_bytes=MAX_ARCHIVE_BYTES, max_depth=MAX_DEPTH)
    )
    entries: list[dict[str, Any]] = raw["campaigns"]
    main = entries[-1]
    if Campaign.objects.filter(slug=main["slug"]).exists():
        raise Refused.at(
            f"campaigns[{len(entries) - 1}].slug",
            _(
                "campaign %(slug)s already exists in this deployment; nothing was imported "
                "(delete it first to replace it)"
            ),
            slug=repr(main["slug"]),
        )
    org_doc = dict(raw["organization"])
    if workspace:
        org_doc["workspace"] = workspace
    with transaction.atomic():
        organization = organization_import(
            data=json.dumps(org_doc).encode(), fmt="json"
        ).organization
        for number, bank in enumerate(raw["banks"]):
            try:
                bank_import(data=json.dumps(bank).encode(), fmt="json")
            except Refused as exc:
                raise exc.under(f"banks[{number}]") from None
        imported: list[str] = []
        reused: list[str] = []
        by_slug: dict[str, Campaign] = {}
        for number, entry in enumerate(entries):
            location = f"campaigns[{number}]"
            existing = Campaign.objects.filter(slug=entry["slug"]).first()
            if existing is not None:
                if existing.organization_id != organization.pk:
                    raise Refused.at(
                        f"{location}.slug",
                        _("%(slug)s is another organisation's campaign"),
                        slug=repr(entry["slug"]),
                    )
                by_slug[existing.slug] = existing
                reused.append(existing.slug)
                continue
            by_slug[entry["slug"]] = _import_campaign(entry, location, organization, by_slug)
            imported.append(entry["slug"])
        return ArchiveImportResult(by_slug[main["slug"]], imported, reused)


def _import_campaign(
    entry: dict[str, Any], location: str, organization: Any, earlier: dict[str, Campaign]
) -> Campaign:
    version = BankVersion.objects.filter(
        bank__slug=entry["bank"]["slug"], number=entry["bank"]["version"]
    ).first()
    if version is None:
        raise Refused.at(f"{location}.bank", _("the archive does not hold this bank version"))
    try:
        campaign = campaign_create(
            slug=entry["slug"],
            organization=organization,
            bank_version=version,
            name=entry["name"] if isinstance(entry["name"], str) else "",
            min_group_size=entry["min_group_size"],
            gap_threshold=entry["gap_threshold"],
            targets=entry["targets"],
            shuffle_choices=entry.get("shuffle_choices") is True,
            single_site="left_out" in entry,
            left_out=entry.get("left_out"),
            languages=_tags(entry.get("languages"), f"{location}.languages"),
            report_language=_report_language(entry, location),
            status=Campaign.Status.OPEN,
        )
    except Refused as exc:
        raise exc.under(location) from None
    teams = {t.slug: t for t in organization.teams.all()}
    unknown = [slug for slug in entry["teams"] if slug not in teams]
    if unknown:
        names = ", ".join(map(str, unknown))
        raise Refused.at(f"{location}.teams", _("%(names)s not in the organisation"), names=names)
    campaign.teams.set([teams[slug] for slug in entry["teams"]])
    _import_responses(campaign, entry["responses"], f"{location}.responses")
    for number, agreed in enumerate(entry["agreed_answers"]):
        try:
            agreed_answer_record(
                campaign=campaign,
                question_key=str(agreed.get("question")),
                answer=str(agreed.get("answer")),
                note=str(agreed.get("note") or ""),
                dissent=str(agreed.get("dissent") or ""),
            )
        except AttributeError:
            raise Refused.at(
                f"{location}.agreed_answers[{number}]", _("must be a mapping")
            ) from None
        except Refused as exc:
            raise exc.under(f"{location}.agreed_answers[{number}]") from None
    for number, note in enumerate(entry["notes"]):
        if not isinstance(note, dict) or not isinstance(note.get("text"), str):
            raise Refused.at(f"{location}.notes[{number}]", _("must have a text"))
        created = ParkingNote.objects.create(campaign=campaign, text=note["text"][:2000])
        moment = _moment(note.get("created"))
        if moment is not None:
            ParkingNote.objects.filter(pk=created.pk).update(created=moment)
    for number, initiative in enumerate(entry.get("initiatives") or []):
        where = f"{location}.initiatives[{number}]"
        if not isinstance(initiative, dict):
            raise Refused.at(where, _("must be a mapping"))
        unknown = sorted(set(initiative) - INITIATIVE_FIELDS)
        if unknown:
            raise Refused.at(f"{where}.{unknown[0]}", _("is not a field of an initiative"))
        try:
            initiative_save(
                campaign=campaign,
                title=initiative.get("title"),
                owner=initiative.get("owner"),
                dimensions=initiative.get("dimensions"),
                questions=initiative.get("questions", []),
                horizon=initiative.get("horizon", Initiative.Horizon.NOW),
                effort=initiative.get("effort", 2),
                impact=initiative.get("impact", 2),
                status=initiative.get("status", Initiative.Status.PLANNED),
            )
        except Refused as exc:
            raise exc.under(where) from None
    campaign.opens_on = _date(entry["opens_on"]) if entry["opens_on"] else None
    campaign.closes_on = _date(entry["closes_on"]) if entry["closes_on"] else None
    campaign.status = entry["status"]
    if entry["status"] == Campaign.Status.CLOSED:
        campaign.closed_at = _moment(entry["closed_at"])
        campaign.baseline = earlier.get(entry["baseline"]) if entry["baseline"] else None
        if entry["baseline"] and campaign.baseline is None:
            missing = entry["baseline"]
            raise Refused.at(
                f"{location}.baseline", _("%(slug)s is not in the archive"), slug=repr(missing)
            )
    campaign.save()
    computed = json.loads(json.dumps(campaign_scores(campaign)))
    if computed != entry["scores"]:
        differing = sorted(
            key
            for key in set(computed) | set(entry["scores"])
            if computed.get(key) != entry["scores"].get(key)
        )
        raise Refused.at(
            f"{location}.scores",
            _(
                "the scores computed from the archive's answers differ from the scores it "
                "carries (in %(fields)s); was it edited by hand?"
            ),
            fields=", ".join(differing),
        )
    return campaign


def _import_responses(campaign: Campaign, responses: list[Any], location: str) -> None:
    """Through the responses file's own validation: the same rules, the same messages."""
    problems = ProblemList()
    keys: list[str] = []
    for number, item in enumerate(responses):
        where = f"{location}[{number}]"
        if not isinstance(item, dict):
            problems.add(where, _("must be a mapping"))
            continue
        for key in sorted(set(item) - RESPONSE_FIELDS):
            problems.add(f"{where}.{key}", _("is not a field of a response"))
        if not isinstance(item.get("answers", {}), dict):
            problems.add(f"{where}.answers", _("must be a mapping of question to choice"))
            continue
        _check_comments(problems, campaign, item.get("comments", {}), f"{where}.comments")
        if item.get("submitted_at") is not None and _moment(item["submitted_at"]) is None:
            problems.add(f"{where}.submitted_at", _("must be a date and time, or null"))
        if item.get("discarded_at") is not None and _moment(item["discarded_at"]) is None:
            problems.add(f"{where}.discarded_at", _("must be a date and time, or null"))
        reason = item.get("discard_reason") or ""
        if not isinstance(reason, str) or len(reason) > 200 or CONTROL_CHARACTERS.search(reason):
            problems.add(f"{where}.discard_reason", _("must be one line of at most 200 characters"))
        if not isinstance(item.get("name") or "", str) or len(item.get("name") or "") > 200:
            problems.add(f"{where}.name", _("must be text of at most 200 characters"))
        keys += [str(k) for k in item.get("answers", {}) if str(k) not in keys]
    problems.raise_if_any()
    header = [*FIXED_COLUMNS, *keys]
    rows = [header] + [
        [
            _text(item.get("respondent")),
            _text(item.get("function")),
            _text(item.get("team")),
            _text(item.get("site")),
            "yes" if item.get("submitted_at") else "no",
            *(_text(item.get("answers", {}).get(key)) for key in keys),
        ]
        for item in responses
    ]
    parsed = _validate(campaign, rows, locate=partial(_archive_place, location))
    _write_rows(
        campaign,
        parsed,
        submitted_at=[_moment(item.get("submitted_at")) for item in responses],
        names=[item.get("name") or "" for item in responses],
    )
    _write_comments(campaign, {item["respondent"]: item.get("comments", {}) for item in responses})
    for item in responses:
        if item.get("discarded_at"):
            Response.objects.filter(campaign=campaign, respondent=item["respondent"]).update(
                discarded_at=_moment(item["discarded_at"]),
                discard_reason=item.get("discard_reason") or "",
            )


def _check_comments(problems: ProblemList, campaign: Campaign, comments: Any, where: str) -> None:
    if not isinstance(comments, dict):
        problems.add(where, _("must be a mapping of question to comment"))
        return
    keys = set(
        Question.objects.filter(version_id=campaign.bank_version_id).values_list("key", flat=True)
    )
    for key, text in comments.items():
        if key not in keys:
            problems.add(f"{where}.{key}", _("is not a question of the campaign's bank"))
        elif not isinstance(text, str) or len(text) > 2000:
            problems.add(f"{where}.{key}", _("must be text of at most 2,000 characters"))


def _write_comments(campaign: Campaign, comments: dict[str, dict[str, str]]) -> None:
    """Respondents' comments, on the answers just written (or on answers of their own when
    the respondent only commented): three queries and two bulk writes."""
    wanted = {(ref, key): text for ref, items in comments.items() for key, text in items.items()}
    if not wanted:
        return
    responses = dict(
        Response.objects.filter(
            campaign=campaign, respondent__in={r for r, _ in wanted}
        ).values_list("respondent", "id")
    )
    questions = dict(
        Question.objects.filter(version_id=campaign.bank_version_id).values_list("key", "id")
    )
    existing = {
        (a.response_id, a.question_id): a
        for a in Answer.objects.filter(response_id__in=responses.values())
    }
    changed, created = [], []
    for (ref, key), text in wanted.items():
        place = (responses[ref], questions[key])
        if place in existing:
            existing[place].comment = text
            changed.append(existing[place])
        else:
            created.append(Answer(response_id=place[0], question_id=place[1], comment=text))
    Answer.objects.bulk_update(changed, ["comment"])
    Answer.objects.bulk_create(created)


def _tags(value: Any, where: str) -> list[str] | None:
    """The campaign's languages: a list of language tags (checked by `campaign_create`)."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise Refused.at(where, _("must be a list of language tags such as de or cs"))
    return value


def _report_language(entry: dict[str, Any], location: str) -> str:
    value = entry.get("report_language", "en")
    if not isinstance(value, str):
        raise Refused.at(f"{location}.report_language", _("must be text"))
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _archive_place(location: str, row: int, column: str | None) -> str:
    """Row 5, column COL-3 of the responses table built from an archive -> where that is in
    the archive: `campaigns[0].responses[3].answers.COL-3`."""
    if row == 1:
        return f"{location}.answers{'.' + column if column else ''}"
    where = f"{location}[{row - 2}]"
    if column:
        where += f".answers.{column}" if column not in FIXED_COLUMNS else f".{column}"
    return where
