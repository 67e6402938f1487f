"""Question banks: validate, import, export, publish and copy versions.

The file format is docs/file-formats.md. A parsed file is turned into a *canonical
document*: a plain dict with every default filled in, levels as ints and weights and scores as
floats. `bank_export_document(version)` builds the same canonical document from the database,
so "is this file identical to the stored version?" is a dict comparison, and
import(export(v)) == v holds by construction (tests check it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.files.formats import (
    ProblemList,
    Refused,
    Walker,
    enumerate_list,
    join,
    load_document,
)
from assessments.models import (
    FUNCTION_KEYS,
    SLUG_RE,
    BankVersion,
    Choice,
    Dimension,
    Question,
    QuestionBank,
    Stage,
)
from assessments.vocabulary import (
    DECISION,
    DECISION_ANSWERS,
    DK,
    LANGUAGE_TAG,
    NA,
    QUESTION_KINDS,
    SCORED,
)

MAX_QUESTIONS = 2000
MAX_DIMENSIONS = 100
MAX_CHOICES = 20
LEVELS = (0, 1, 2, 3)
RESERVED_COLUMNS = {"respondent", "function", "team", "site", "submitted"}

_SLUG = re.compile(SLUG_RE)
_KEY = re.compile(r"[^\s,]|[^\s,][^,\x00-\x1f]*[^\s,]")
_KEY_MESSAGE = "must not be empty, contain a comma, or start or end with a space"

MAX_VERSION = 1_000_000
TOP_FIELDS = ("bank", "version", "title", "language", "stages", "dimensions", "questions")
TOP_OPTIONAL = ("description", "translations")
QUESTION_OPTIONAL = ("kind", "help", "weight", "audience", "allow_na", "allow_dont_know", "choices")


# --- Validation: file -> canonical document -----------------------------------------------


def _level(value: Any) -> int | None:
    """Stage levels are ints in YAML and strings in JSON object keys; accept both."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value in LEVELS:
        return value
    if isinstance(value, str) and value in {"0", "1", "2", "3"}:
        return int(value)
    return None


def _choice_key(value: Any) -> Any:
    # `key: 0` in YAML is an int; a choice key is a string, so take its digits as written.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def validate_bank_document(raw: Any) -> dict[str, Any]:
    """Check a parsed bank file against docs/file-formats.md; return its canonical document.

    Raises Refused listing every problem found.
    """
    problems = ProblemList()
    walk = Walker(problems)
    top = walk.mapping(raw, "", required=TOP_FIELDS, optional=TOP_OPTIONAL)
    if top is None:
        problems.raise_if_any()
        raise AssertionError  # unreachable: a non-mapping always adds a problem

    doc: dict[str, Any] = {
        "bank": walk.text(
            top.get("bank"),
            "bank",
            max_length=60,
            pattern=_SLUG,
            pattern_message=_(
                "use lowercase letters, digits and hyphens (for example itot-convergence)"
            ),
        ),
        "version": None,
        "title": walk.text(top.get("title"), "title", max_length=300),
        "language": walk.text(
            top.get("language"),
            "language",
            max_length=35,
            pattern=LANGUAGE_TAG,
            pattern_message=_("must be a BCP 47 language tag such as en or de-AT"),
        ),
        "description": walk.text(top.get("description"), "description", required=False),
    }
    version = top.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        if "version" in top:
            problems.add("version", _("must be a whole number of 1 or more"))
    elif version > MAX_VERSION:  # the database column holds 32-bit integers
        problems.add(
            "version", _("must be at most %(MAX_VERSION)s"), MAX_VERSION=f"{MAX_VERSION:,}"
        )
    else:
        doc["version"] = version

    doc["stages"] = _validate_stages(walk, top.get("stages"))
    doc["dimensions"] = _validate_dimensions(walk, top.get("dimensions"))
    doc["questions"] = _validate_questions(walk, top.get("questions"), doc["dimensions"])
    doc["translations"] = _validate_translations(walk, top.get("translations"), doc)
    problems.raise_if_any()
    return doc


def _validate_stages(walk: Walker, raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    stages = walk.list(raw, "stages")
    if stages is None:
        return []
    result: dict[int, dict[str, Any]] = {}
    for location, item in enumerate_list(stages, "stages"):
        stage = walk.mapping(item, location, required=("level", "name"), optional=("summary",))
        if stage is None:
            continue
        level = _level(stage.get("level"))
        if level is None:
            if "level" in stage:
                walk.problems.add(join(location, "level"), _("must be 0, 1, 2 or 3"))
        elif level in result:
            walk.problems.add(
                join(location, "level"), _("stage %(level)s appears twice"), level=level
            )
        name = walk.text(stage.get("name"), join(location, "name"), max_length=200)
        summary = walk.text(stage.get("summary"), join(location, "summary"), required=False)
        if level is not None:
            result[level] = {"level": level, "name": name, "summary": summary}
    if len(stages) != 4 or sorted(result) != list(LEVELS):
        walk.problems.add("stages", _("must list exactly four stages, levels 0, 1, 2 and 3"))
    return [result[level] for level in sorted(result)]


def _validate_dimensions(walk: Walker, raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    dimensions = walk.list(raw, "dimensions")
    if dimensions is None:
        return []
    if len(dimensions) > MAX_DIMENSIONS:
        walk.problems.add(
            "dimensions",
            _("more than %(MAX_DIMENSIONS)s dimensions"),
            MAX_DIMENSIONS=MAX_DIMENSIONS,
        )
        return []
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for location, item in enumerate_list(dimensions, "dimensions"):
        dim = walk.mapping(
            item,
            location,
            required=("key", "name", "lens", "guidance"),
            optional=("weight", "description"),
        )
        if dim is None:
            continue
        key = walk.text(
            dim.get("key"),
            join(location, "key"),
            max_length=60,
            pattern=_KEY,
            pattern_message=_KEY_MESSAGE,
        )
        if key and key in seen:
            walk.problems.add(
                join(location, "key"), _("%(key)s is used by another dimension"), key=repr(key)
            )
        seen.add(key)
        lens = dim.get("lens")
        if "lens" in dim and lens not in ("stage", "enabler"):
            walk.problems.add(join(location, "lens"), _("must be stage or enabler"))
        weight = walk.number(
            dim.get("weight", 1),
            join(location, "weight"),
            exclusive_minimum=0,
            message=_("must be a number greater than 0"),
        )
        result.append(
            {
                "key": key,
                "name": walk.text(dim.get("name"), join(location, "name"), max_length=200),
                "lens": lens,
                "weight": weight,
                "description": walk.text(
                    dim.get("description"), join(location, "description"), required=False
                ),
                "guidance": _validate_guidance(walk, dim.get("guidance"), location, dim),
            }
        )
    if dimensions and not any(d["lens"] == "stage" for d in result):
        walk.problems.add("dimensions", _("at least one dimension must have lens: stage"))
    return result


def _validate_guidance(
    walk: Walker, raw: Any, location: str, dim: dict[str, Any]
) -> dict[int, str]:
    if "guidance" not in dim:
        return {}
    where = join(location, "guidance")
    if not isinstance(raw, dict):
        walk.problems.add(where, _("must map each stage 0, 1, 2 and 3 to a text"))
        return {}
    guidance: dict[int, str] = {}
    for raw_level, text in raw.items():
        level = _level(raw_level)
        if level is None:
            walk.problems.add(join(where, str(raw_level)), _("is not a stage; use 0, 1, 2 or 3"))
            continue
        guidance[level] = walk.text(text, join(where, str(level)))
    for level in LEVELS:
        if level not in guidance:
            walk.problems.add(join(where, str(level)), _("is required (guidance for every stage)"))
    return {level: guidance[level] for level in sorted(guidance)}


def _validate_questions(
    walk: Walker, raw: Any, dimensions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    if raw is None:
        return []
    questions = walk.list(raw, "questions")
    if questions is None:
        return []
    if len(questions) > MAX_QUESTIONS:
        walk.problems.add(
            "questions",
            _("%(size)s questions; the limit is %(MAX_QUESTIONS)s"),
            size=f"{len(questions):,}",
            MAX_QUESTIONS=f"{MAX_QUESTIONS:,}",
        )
        return []
    if not questions:
        walk.problems.add("questions", _("must list at least one question"))
    dimension_keys = {d["key"] for d in dimensions}
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for location, item in enumerate_list(questions, "questions"):
        question = walk.mapping(
            item,
            location,
            required=("key", "dimension", "text"),
            optional=QUESTION_OPTIONAL,
        )
        if question is None:
            continue
        kind = question.get("kind", SCORED)
        if kind not in QUESTION_KINDS:
            walk.problems.add(join(location, "kind"), _("must be scored or decision"))
            kind = SCORED
        if kind == SCORED and "choices" not in question:
            walk.problems.add(join(location, "choices"), _("is required"))
        if kind == DECISION:
            for name in ("choices", "weight"):
                if name in question:
                    walk.problems.add(
                        join(location, name),
                        _("a decision question has no %(name)s: its answers are always %(value)s"),
                        name=name,
                        value=", ".join(DECISION_ANSWERS),
                    )
        key = walk.text(
            question.get("key"),
            join(location, "key"),
            max_length=60,
            pattern=_KEY,
            pattern_message=_KEY_MESSAGE,
        )
        if key and key in seen:
            walk.problems.add(
                join(location, "key"), _("%(key)s is used by another question"), key=repr(key)
            )
        elif key.lower() in RESERVED_COLUMNS:
            walk.problems.add(
                join(location, "key"),
                _("%(key)s is reserved for a column of the responses file"),
                key=repr(key),
            )
        seen.add(key)
        dimension = walk.text(question.get("dimension"), join(location, "dimension"))
        if dimension and dimension not in dimension_keys:
            walk.problems.add(
                join(location, "dimension"),
                _("%(dimension)s is not a dimension of this bank"),
                dimension=repr(dimension),
            )
        result.append(
            {
                "key": key,
                "dimension": dimension,
                "text": walk.text(question.get("text"), join(location, "text")),
                "help": walk.text(question.get("help"), join(location, "help"), required=False),
                "weight": walk.number(
                    question.get("weight", 1),
                    join(location, "weight"),
                    exclusive_minimum=0,
                    message=_("must be a number greater than 0"),
                ),
                "audience": _validate_audience(walk, question, location),
                "allow_na": walk.boolean(
                    question.get("allow_na", False), join(location, "allow_na")
                ),
                "allow_dont_know": walk.boolean(
                    question.get("allow_dont_know", False), join(location, "allow_dont_know")
                ),
                "kind": kind,
                "choices": (
                    _validate_choices(walk, question.get("choices"), location)
                    if kind == SCORED
                    else []
                ),
            }
        )
    return result


def _validate_audience(walk: Walker, question: dict[str, Any], location: str) -> list[str]:
    if "audience" not in question:
        return []
    where = join(location, "audience")
    audience = question["audience"]
    if not isinstance(audience, list) or not audience:
        walk.problems.add(
            where, _("must be a list of functions from: %(value)s"), value=", ".join(FUNCTION_KEYS)
        )
        return []
    for index, function in enumerate(audience):
        if function not in FUNCTION_KEYS:
            walk.problems.add(
                join(where, index),
                _("%(function)s is not a function; use %(value)s"),
                function=repr(function),
                value=", ".join(FUNCTION_KEYS),
            )
    if len(set(map(str, audience))) != len(audience):
        walk.problems.add(where, _("names a function twice"))
    return [str(a) for a in audience]


def _validate_choices(walk: Walker, raw: Any, location: str) -> list[dict[str, Any]]:
    where = join(location, "choices")
    if raw is None:
        return []
    choices = walk.list(raw, where)
    if choices is None:
        return []
    if not 2 <= len(choices) <= MAX_CHOICES:
        walk.problems.add(
            where, _("must list between 2 and %(MAX_CHOICES)s choices"), MAX_CHOICES=MAX_CHOICES
        )
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for choice_location, item in enumerate_list(choices, where):
        choice = walk.mapping(item, choice_location, required=("key", "score", "text"))
        if choice is None:
            continue
        key = walk.text(
            _choice_key(choice.get("key")),
            join(choice_location, "key"),
            max_length=60,
            pattern=_KEY,
            pattern_message=_KEY_MESSAGE,
        )
        if key in (NA, DK):
            meaning = "not applicable" if key == NA else "Don't know"
            walk.problems.add(
                join(choice_location, "key"),
                _("%(key)s is reserved for '%(meaning)s'"),
                key=repr(key),
                meaning=meaning,
            )
        elif key and key in seen:
            walk.problems.add(
                join(choice_location, "key"), _("%(key)s is used twice"), key=repr(key)
            )
        seen.add(key)
        result.append(
            {
                "key": key,
                "score": walk.number(
                    choice.get("score"),
                    join(choice_location, "score"),
                    minimum=0,
                    maximum=3,
                    message=_("must be a number between 0 and 3"),
                ),
                "text": walk.text(choice.get("text"), join(choice_location, "text")),
            }
        )
    return result


def _validate_translations(walk: Walker, raw: Any, doc: dict[str, Any]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        walk.problems.add("translations", _("must map language tags to translated texts"))
        return {}
    dims = {d["key"]: d for d in doc["dimensions"]}
    questions = {q["key"]: q for q in doc["questions"]}
    result: dict[str, Any] = {}
    for language, texts in raw.items():
        where = join("translations", str(language))
        if not isinstance(language, str) or not LANGUAGE_TAG.fullmatch(language):
            walk.problems.add(where, _("is not a BCP 47 language tag"))
            continue
        if language == doc["language"]:
            walk.problems.add(where, _("is the bank's own language"))
        block = walk.mapping(
            texts, where, optional=("title", "description", "stages", "dimensions", "questions")
        )
        if block is None:
            continue
        out: dict[str, Any] = {}
        for field in ("title", "description"):
            if field in block:
                out[field] = walk.text(block[field], join(where, field))
        if "stages" in block:
            out["stages"] = _translate_keyed(
                walk,
                block["stages"],
                join(where, "stages"),
                {str(lv) for lv in LEVELS},
                ("name", "summary"),
                int_keys=True,
            )
        if "dimensions" in block:
            translated = _translate_keyed(
                walk,
                block["dimensions"],
                join(where, "dimensions"),
                set(dims),
                ("name", "description", "guidance"),
            )
            for key, entry in translated.items():
                if "guidance" in entry:
                    entry["guidance"] = _translate_keyed(
                        walk,
                        entry["guidance"],
                        join(where, f"dimensions.{key}.guidance"),
                        {str(lv) for lv in LEVELS},
                        None,
                        int_keys=True,
                    )
            out["dimensions"] = translated
        if "questions" in block:
            translated = _translate_keyed(
                walk,
                block["questions"],
                join(where, "questions"),
                set(questions),
                ("text", "help", "choices"),
            )
            for key, entry in translated.items():
                if "choices" in entry:
                    entry["choices"] = _translate_keyed(
                        walk,
                        entry["choices"],
                        join(where, f"questions.{key}.choices"),
                        {c["key"] for c in questions[key]["choices"]},
                        None,
                    )
            out["questions"] = translated
        result[language] = out
    return result


def _translate_keyed(
    walk: Walker,
    raw: Any,
    where: str,
    allowed_keys: set[str],
    fields: tuple[str, ...] | None,
    *,
    int_keys: bool = False,
) -> dict[Any, Any]:
    """A mapping of existing keys to texts (fields None) or to objects of `fields`."""
    if not isinstance(raw, dict):
        walk.problems.add(where, _("must be a mapping"))
        return {}
    out: dict[Any, Any] = {}
    for raw_key, value in raw.items():
        key = str(raw_key)  # YAML `0:` is an int; levels and choice keys are compared as text
        location = join(where, key)
        if key not in allowed_keys:
            walk.problems.add(location, _("does not exist in the bank"))
            continue
        if fields is None:
            out[int(key) if int_keys else key] = walk.text(value, location)
            continue
        entry = walk.mapping(value, location, optional=fields)
        if entry is None:
            continue
        texts: dict[str, Any] = {}
        for field in fields:
            if field in entry:
                nested = field in ("guidance", "choices")
                texts[field] = (
                    entry[field] if nested else walk.text(entry[field], join(location, field))
                )
        out[int(key) if int_keys else key] = texts
    return out


# --- Canonical document from the database --------------------------------------------------


def bank_export_document(version: BankVersion) -> dict[str, Any]:
    """The canonical document of a stored version (fixed number of queries)."""
    version = (
        BankVersion.objects.select_related("bank")
        .prefetch_related(
            "stages",
            "dimensions",
            Prefetch(
                "questions",
                queryset=Question.objects.select_related("dimension").prefetch_related("choices"),
            ),
        )
        .get(pk=version.pk)
    )
    return {
        "bank": version.bank.slug,
        "version": version.number,
        "title": version.title,
        "language": version.language,
        "description": version.description,
        "stages": [
            {"level": s.level, "name": s.name, "summary": s.summary} for s in version.stages.all()
        ],
        "dimensions": [
            {
                "key": d.key,
                "name": d.name,
                "lens": d.lens,
                "weight": float(d.weight),
                "description": d.description,
                "guidance": {level: d.guidance(level) for level in LEVELS},
            }
            for d in version.dimensions.all()
        ],
        "questions": [
            {
                "key": q.key,
                "dimension": q.dimension.key,
                "text": q.text,
                "help": q.help,
                "weight": float(q.weight),
                "audience": list(q.audience),
                "allow_na": q.allow_na,
                "allow_dont_know": q.allow_dont_know,
                "kind": q.kind,
                "choices": [
                    {"key": c.key, "score": float(c.score), "text": c.text} for c in q.choices.all()
                ],
            }
            for q in version.questions.all()
        ],
        "translations": _translations_from_storage(version.translations),
    }


def _translations_to_storage(translations: dict[str, Any]) -> dict[str, Any]:
    # JSON object keys are strings; the canonical form uses ints for levels.
    return json.loads(json.dumps(translations))


def _translations_from_storage(stored: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for language, block in (stored or {}).items():
        out = dict(block)
        if "stages" in out:
            out["stages"] = {int(k): v for k, v in out["stages"].items()}
        if "dimensions" in out:
            dims = {}
            for key, entry in out["dimensions"].items():
                entry = dict(entry)
                if "guidance" in entry:
                    entry["guidance"] = {int(k): v for k, v in entry["guidance"].items()}
                dims[key] = entry
            out["dimensions"] = dims
        result[language] = out
    return result


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def bank_document_for_file(doc: dict[str, Any]) -> dict[str, Any]:
    """The canonical document made pleasant to read: empty optional fields left out."""
    out: dict[str, Any] = {
        "bank": doc["bank"],
        "version": doc["version"],
        "title": doc["title"],
        "language": doc["language"],
    }
    if doc["description"]:
        out["description"] = doc["description"]
    out["stages"] = [{k: v for k, v in s.items() if k != "summary" or v} for s in doc["stages"]]
    out["dimensions"] = []
    for d in doc["dimensions"]:
        dim: dict[str, Any] = {
            "key": d["key"],
            "name": d["name"],
            "lens": d["lens"],
            "weight": _number(d["weight"]),
        }
        if d["description"]:
            dim["description"] = d["description"]
        dim["guidance"] = dict(d["guidance"])
        out["dimensions"].append(dim)
    out["questions"] = []
    for q in doc["questions"]:
        question: dict[str, Any] = {"key": q["key"]}
        if q["kind"] == DECISION:
            question["kind"] = DECISION
        question.update({"dimension": q["dimension"], "text": q["text"]})
        if q["help"]:
            question["help"] = q["help"]
        if q["kind"] != DECISION:
            question["weight"] = _number(q["weight"])
        if q["audience"]:
            question["audience"] = list(q["audience"])
        question["allow_na"] = q["allow_na"]
        if q["allow_dont_know"]:
            question["allow_dont_know"] = True
        if q["kind"] != DECISION:
            question["choices"] = [
                {"key": c["key"], "score": _number(c["score"]), "text": c["text"]}
                for c in q["choices"]
            ]
        out["questions"].append(question)
    if doc["translations"]:
        out["translations"] = doc["translations"]
    return out


class _BankDumper(yaml.SafeDumper):
    """Block style, long texts kept on one line, keys in the order the format shows."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BankDumper.add_representer(str, _str_representer)


def dump_bank(doc: dict[str, Any], fmt: str) -> str:
    data = bank_document_for_file(doc)
    if fmt == "json":
        # JSON keys are strings; the importer reads "0".."3" back as stage levels.
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=_BankDumper, sort_keys=False, allow_unicode=True, width=100_000)


def bank_export(*, version: BankVersion, fmt: str = "yaml") -> str:
    return dump_bank(bank_export_document(version), fmt)


# --- Import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankImportResult:
    version: BankVersion
    created: bool

    @property
    def message(self) -> str:
        version = self.version
        if self.created:
            return gettext("Imported %(label)s (%(status)s): %(title)s") % {
                "label": version.label,
                "status": version.status,
                "title": version.title,
            }
        return gettext("%(label)s already exists with identical content; nothing changed.") % {
            "label": version.label
        }


def next_free_version(bank_slug: str) -> int:
    highest = BankVersion.objects.filter(bank__slug=bank_slug).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


def bank_import(*, data: bytes, fmt: str, draft: bool = False) -> BankImportResult:
    """Import a bank file: every problem reported at once, nothing written unless all is well.

    Importing a version that exists is a no-op when its content is identical, and refused
    (suggesting the next free number) when it differs.
    """
    doc = validate_bank_document(load_document(data, fmt))
    try:
        with transaction.atomic():
            return _bank_write(doc, draft=draft)
    except IntegrityError:
        # Another import of the same version won the race: judge against what it stored.
        with transaction.atomic():
            return _bank_write(doc, draft=draft)


def _bank_write(doc: dict[str, Any], *, draft: bool) -> BankImportResult:
    existing = (
        BankVersion.objects.select_related("bank")
        .filter(bank__slug=doc["bank"], number=doc["version"])
        .first()
    )
    if existing is not None:
        if bank_export_document(existing) == doc:
            return BankImportResult(version=existing, created=False)
        raise Refused.at(
            "version",
            _(
                "%(bank)s version %(version)s already exists with different content; a "
                "published version never changes. Import the changed bank as version %(free)s."
            ),
            bank=doc["bank"],
            version=doc["version"],
            free=next_free_version(doc["bank"]),
        )
    return BankImportResult(version=_create_version(doc, draft=draft), created=True)


def _create_version(doc: dict[str, Any], *, draft: bool) -> BankVersion:
    bank, _created = QuestionBank.objects.get_or_create(slug=doc["bank"])
    version = BankVersion.objects.create(
        bank=bank,
        number=doc["version"],
        status=BankVersion.Status.DRAFT,
        title=doc["title"],
        language=doc["language"],
        description=doc["description"],
        translations=_translations_to_storage(doc["translations"]),
    )
    write_version_content(version, doc, fresh=True)
    if not draft:
        _mark_published(version)
    return version


def write_version_content(
    version: BankVersion, doc: dict[str, Any], *, fresh: bool = False
) -> None:
    """Write a valid document's stages, dimensions, questions and choices under a draft that
    holds none (a new version, or one the editor has just emptied), and its texts."""
    if not fresh:
        version.title = doc["title"]
        version.language = doc["language"]
        version.description = doc["description"]
        version.translations = _translations_to_storage(doc["translations"])
        version.save(update_fields=["title", "language", "description", "translations"])
    Stage.objects.bulk_create(
        Stage(version=version, level=s["level"], name=s["name"], summary=s["summary"])
        for s in doc["stages"]
    )
    dimensions = Dimension.objects.bulk_create(
        Dimension(
            version=version,
            key=d["key"],
            name=d["name"],
            lens=d["lens"],
            weight=d["weight"],
            description=d["description"],
            order=index,
            **{f"guidance_{level}": d["guidance"][level] for level in LEVELS},
        )
        for index, d in enumerate(doc["dimensions"])
    )
    by_key = {d.key: d for d in dimensions}
    questions = Question.objects.bulk_create(
        Question(
            version=version,
            dimension=by_key[q["dimension"]],
            key=q["key"],
            text=q["text"],
            help=q["help"],
            weight=q["weight"],
            audience=q["audience"],
            allow_na=q["allow_na"],
            allow_dont_know=q["allow_dont_know"],
            kind=q["kind"],
            order=index,
        )
        for index, q in enumerate(doc["questions"])
    )
    Choice.objects.bulk_create(
        Choice(question=question, key=c["key"], score=c["score"], text=c["text"], order=index)
        for question, q in zip(questions, doc["questions"], strict=True)
        for index, c in enumerate(q["choices"])
    )


def _mark_published(version: BankVersion) -> None:
    now = timezone.now()
    BankVersion.objects.filter(pk=version.pk, status=BankVersion.Status.DRAFT).update(
        status=BankVersion.Status.PUBLISHED, published_at=now
    )
    version.status = BankVersion.Status.PUBLISHED
    version.published_at = now


# --- Publishing and drafting ---------------------------------------------------------------


def bank_version_publish(*, version: BankVersion) -> BankVersion:
    """Publish a draft after checking it against every rule of the file format."""
    if version.is_published:
        raise Refused.at("", _("%(label)s is already published."), label=version.label)
    # The same rules as a file: a draft edited in the admin must be a valid bank.
    validate_bank_document(_as_raw(bank_export_document(version)))
    with transaction.atomic():
        _mark_published(version)
    return version


def _as_raw(doc: dict[str, Any]) -> Any:
    # Through JSON, as a file would arrive: levels become strings, which the validator accepts.
    return json.loads(json.dumps(bank_document_for_file(doc)))


def bank_version_new_draft(*, version: BankVersion) -> BankVersion:
    """Copy a version (usually a published one) into a new draft with the next free number."""
    doc = bank_export_document(version)
    with transaction.atomic():
        doc["version"] = next_free_version(doc["bank"])
        return _create_version(doc, draft=True)
