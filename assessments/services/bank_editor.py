"""The question-bank editor's model: a draft version as one page of fields, and back.

The page is the bank document (docs/file-formats.md) laid out as a form: dimensions, each
with its questions and their choices, every text beside its translations. A POST is read
back into a document, which is checked by the very rules a bank file is checked by
(`validate_bank_document`); a valid one replaces the draft's rows at once, and every problem
of an invalid one is shown at the field it names. Adding or removing a dimension, question,
choice or language re-renders the page from what was posted, so nothing typed is lost and
it works without JavaScript; drag-to-reorder (static/js/bank_editor.js) only rewrites the
position fields that the page also shows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from assessments.errors import Problem, Refused
from assessments.files.banks import (
    LEVELS,
    QUESTION_OPTIONAL,
    bank_export_document,
    validate_bank_document,
    write_version_content,
)
from assessments.models import BankVersion, Choice, Dimension, Question, Stage
from assessments.vocabulary import DECISION, FUNCTIONS, LANGUAGE_TAG, SCORED

QUESTION_TEXTS = ("text", "help")
DIMENSION_TEXTS = ("name", "description")


# --- The page's model -----------------------------------------------------------------------


@dataclass
class ChoiceRow:
    key: str
    score: Any
    text: str
    translations: dict[str, str] = field(default_factory=dict)


@dataclass
class QuestionRow:
    form: int  # the number its fields carry on the page (q3-text)
    key: str
    dimension: int  # the form number of its dimension
    text: str
    help: str = ""
    kind: str = SCORED
    weight: Any = 1
    audience: list[str] = field(default_factory=list)
    allow_na: bool = False
    allow_dont_know: bool = False
    choices: list[ChoiceRow] = field(default_factory=list)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)  # lang: text, help
    position: float = 0


@dataclass
class DimensionRow:
    form: int
    key: str
    name: str
    lens: str = "stage"
    weight: Any = 1
    description: str = ""
    guidance: dict[int, str] = field(default_factory=dict)
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    position: float = 0
    questions: list[QuestionRow] = field(default_factory=list)


@dataclass
class Editor:
    version: BankVersion
    title: str
    language: str
    description: str
    stages: list[dict[str, Any]]
    dimensions: list[DimensionRow]
    languages: list[str]
    translations: dict[str, dict[str, Any]]  # lang: title, description, stages {level: ...}
    notice: str = ""

    @property
    def question_count(self) -> int:
        return sum(len(d.questions) for d in self.dimensions)


def editor_for(version: BankVersion) -> Editor:
    """The page's model of a stored version."""
    doc = bank_export_document(version)
    translations = doc["translations"]
    languages = sorted(translations)
    dimensions: list[DimensionRow] = []
    by_key: dict[str, DimensionRow] = {}
    for index, d in enumerate(doc["dimensions"]):
        row = DimensionRow(
            form=index,
            key=d["key"],
            name=d["name"],
            lens=d["lens"],
            weight=_plain(d["weight"]),
            description=d["description"],
            guidance=dict(d["guidance"]),
            translations={
                lang: translations[lang].get("dimensions", {}).get(d["key"], {})
                for lang in languages
            },
            position=index + 1,
        )
        dimensions.append(row)
        by_key[row.key] = row
    for index, q in enumerate(doc["questions"]):
        owner = by_key[q["dimension"]]
        texts = {
            lang: translations[lang].get("questions", {}).get(q["key"], {}) for lang in languages
        }
        owner.questions.append(
            QuestionRow(
                form=index,
                key=q["key"],
                dimension=owner.form,
                text=q["text"],
                help=q["help"],
                kind=q["kind"],
                weight=_plain(q["weight"]),
                audience=list(q["audience"]),
                allow_na=q["allow_na"],
                allow_dont_know=q["allow_dont_know"],
                choices=[
                    ChoiceRow(
                        c["key"],
                        _plain(c["score"]),
                        c["text"],
                        {
                            lang: texts[lang].get("choices", {}).get(c["key"], "")
                            for lang in languages
                        },
                    )
                    for c in q["choices"]
                ],
                translations={
                    lang: {name: texts[lang].get(name, "") for name in QUESTION_TEXTS}
                    for lang in languages
                },
                position=len(owner.questions) + 1,
            )
        )
    return Editor(
        version=version,
        title=doc["title"],
        language=doc["language"],
        description=doc["description"],
        stages=[dict(s) for s in doc["stages"]],
        dimensions=dimensions,
        languages=languages,
        translations={
            lang: {
                "title": translations[lang].get("title", ""),
                "description": translations[lang].get("description", ""),
                "stages": translations[lang].get("stages", {}),
            }
            for lang in languages
        },
    )


def _plain(number: Any) -> Any:
    return int(number) if isinstance(number, float) and number.is_integer() else number


# --- Reading a POST back --------------------------------------------------------------------


_DIM = re.compile(r"d(\d+)-key")
_QUESTION = re.compile(r"q(\d+)-key")
_CHOICE = re.compile(r"q(\d+)-c(\d+)-key")


def _number(text: str) -> Any:
    try:
        return _plain(float(text.replace(",", "."))) if text.strip() else text
    except ValueError:
        return text  # the validator says "must be a number" where it stands


def _position(text: str | None, default: float) -> float:
    """A posted position (or form number): a finite number, else `default`."""
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) else default


def editor_from_post(version: BankVersion, post: Any) -> Editor:
    """The page's model of what was posted (removals applied, the requested addition made,
    the order the position fields give)."""
    action = post.get("action", "save")
    languages = [
        tag for tag in dict.fromkeys(post.getlist("languages")) if LANGUAGE_TAG.fullmatch(tag)
    ]
    notice = ""
    if action == "add-language":
        tag = post.get("new_language", "").strip()
        if not LANGUAGE_TAG.fullmatch(tag):
            notice = str(_("%(tag)s is not a language tag such as de or fr-CA.") % {"tag": tag})
        elif tag == post.get("language", "").strip() or tag in languages:
            notice = str(_("%(tag)s is already on the page.") % {"tag": tag})
        else:
            languages.append(tag)
    forms_d = sorted(int(m.group(1)) for k in post if (m := _DIM.fullmatch(k)))
    forms_q = sorted(int(m.group(1)) for k in post if (m := _QUESTION.fullmatch(k)))
    dims: dict[int, DimensionRow] = {}
    for number in forms_d:
        p = f"d{number}-"
        if post.get(p + "delete") or action == f"remove-dimension:{number}":
            continue
        dims[number] = DimensionRow(
            form=number,
            key=post.get(p + "key", "").strip(),
            name=post.get(p + "name", ""),
            lens=post.get(p + "lens", "stage"),
            weight=_number(post.get(p + "weight", "1")),
            description=post.get(p + "description", ""),
            guidance={level: post.get(f"{p}guidance-{level}", "") for level in LEVELS},
            translations={
                lang: {
                    **{name: post.get(f"t-{lang}-{p}{name}", "") for name in DIMENSION_TEXTS},
                    "guidance": {
                        level: post.get(f"t-{lang}-{p}guidance-{level}", "") for level in LEVELS
                    },
                }
                for lang in languages
            },
            position=_position(post.get(p + "position"), number + 1),
        )
    next_q = max(forms_q, default=-1) + 1
    for number in forms_q:
        p = f"q{number}-"
        owner = dims.get(int(_position(post.get(p + "dimension"), -1)))
        if owner is None or post.get(p + "delete") or action == f"remove-question:{number}":
            continue
        choice_numbers = sorted(
            int(m.group(2))
            for k in post
            if (m := _CHOICE.fullmatch(k)) and int(m.group(1)) == number
        )
        choices = [
            ChoiceRow(
                key=post.get(f"{p}c{j}-key", "").strip(),
                score=_number(post.get(f"{p}c{j}-score", "")),
                text=post.get(f"{p}c{j}-text", ""),
                translations={lang: post.get(f"t-{lang}-{p}c{j}-text", "") for lang in languages},
            )
            for j in choice_numbers
            if not post.get(f"{p}c{j}-delete") and action != f"remove-choice:{number}:{j}"
        ]
        if action == f"add-choice:{number}":
            choices.append(ChoiceRow(key=str(len(choices)), score=min(len(choices), 3), text=""))
        owner.questions.append(
            QuestionRow(
                form=number,
                key=post.get(p + "key", "").strip(),
                dimension=owner.form,
                text=post.get(p + "text", ""),
                help=post.get(p + "help", ""),
                kind=post.get(p + "kind", SCORED),
                weight=_number(post.get(p + "weight", "1")),
                audience=[f for f in FUNCTIONS if f in post.getlist(p + "audience")],
                allow_na=bool(post.get(p + "allow_na")),
                allow_dont_know=bool(post.get(p + "allow_dont_know")),
                choices=choices,
                translations={
                    lang: {name: post.get(f"t-{lang}-{p}{name}", "") for name in QUESTION_TEXTS}
                    for lang in languages
                },
                position=_position(post.get(p + "position"), number + 1),
            )
        )
    if action.startswith("add-question:"):
        owner = dims.get(int(_position(action.split(":")[1], -1)))
        if owner is not None:
            owner.questions.append(
                QuestionRow(
                    form=next_q,
                    key="",
                    dimension=owner.form,
                    text="",
                    choices=[ChoiceRow(str(n), n, "") for n in LEVELS],
                    translations={lang: {} for lang in languages},
                    position=max((q.position for q in owner.questions), default=0) + 1,
                )
            )
    if action == "add-dimension":
        number = max(forms_d, default=-1) + 1
        dims[number] = DimensionRow(
            form=number,
            key="",
            name="",
            lens="enabler",
            guidance={level: "" for level in LEVELS},
            translations={lang: {} for lang in languages},
            position=max((d.position for d in dims.values()), default=0) + 1,
        )
    dimensions = sorted(dims.values(), key=lambda d: (d.position, d.form))
    for dim in dimensions:
        dim.questions.sort(key=lambda q: (q.position, q.form))
    stages = [
        {
            "level": level,
            "name": post.get(f"s{level}-name", ""),
            "summary": post.get(f"s{level}-summary", ""),
        }
        for level in LEVELS
    ]
    return Editor(
        version=version,
        title=post.get("title", ""),
        language=post.get("language", "").strip(),
        description=post.get("description", ""),
        stages=stages,
        dimensions=dimensions,
        languages=languages,
        translations={
            lang: {
                "title": post.get(f"t-{lang}-title", ""),
                "description": post.get(f"t-{lang}-description", ""),
                "stages": {
                    level: {
                        "name": post.get(f"t-{lang}-s{level}-name", ""),
                        "summary": post.get(f"t-{lang}-s{level}-summary", ""),
                    }
                    for level in LEVELS
                },
            }
            for lang in languages
        },
        notice=notice,
    )


# --- From the page to a bank document -------------------------------------------------------


def _filled(mapping: dict[Any, Any]) -> dict[Any, Any]:
    return {k: v for k, v in mapping.items() if v not in ("", None, {}, [])}


def raw_document(editor: Editor) -> tuple[dict[str, Any], dict[str, str]]:
    """The bank document the page holds, as a file would arrive, and where each of its
    places is on the page (a document location -> the field or block id)."""
    version = editor.version
    places: dict[str, str] = {}
    stages = []
    for s in editor.stages:
        stages.append({"level": s["level"], "name": s["name"], "summary": s["summary"]})
        places[f"stages[{s['level']}].name"] = f"s{s['level']}-name"
    dimensions: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    for i, d in enumerate(editor.dimensions):
        dimensions.append(
            {
                "key": d.key,
                "name": d.name,
                "lens": d.lens,
                "weight": d.weight,
                "description": d.description,
                "guidance": {str(level): d.guidance.get(level, "") for level in LEVELS},
            }
        )
        places[f"dimensions[{i}]"] = f"d{d.form}"
        for name in ("key", "name", "lens", "weight", "description"):
            places[f"dimensions[{i}].{name}"] = f"d{d.form}-{name}"
        for level in LEVELS:
            places[f"dimensions[{i}].guidance.{level}"] = f"d{d.form}-guidance-{level}"
        for q in d.questions:
            k = len(questions)
            entry: dict[str, Any] = {
                "key": q.key,
                "dimension": d.key,
                "text": q.text,
                "help": q.help,
                "kind": q.kind,
                "allow_na": q.allow_na,
                "allow_dont_know": q.allow_dont_know,
            }
            if q.audience:  # none ticked: asked of everyone, as a file says by leaving it out
                entry["audience"] = list(q.audience)
            if q.kind != DECISION:
                entry["weight"] = q.weight
                entry["choices"] = [
                    {"key": c.key, "score": c.score, "text": c.text} for c in q.choices
                ]
            questions.append(entry)
            places[f"questions[{k}]"] = f"q{q.form}"
            for name in ("key", "text", "help", "kind", "weight", "audience", "choices"):
                places[f"questions[{k}].{name}"] = f"q{q.form}-{name}"
            for j, _c in enumerate(q.choices):
                for name in ("key", "score", "text"):
                    places[f"questions[{k}].choices[{j}].{name}"] = f"q{q.form}-c{j}-{name}"
                places[f"questions[{k}].choices[{j}]"] = f"q{q.form}-c{j}-key"
    translations: dict[str, Any] = {}
    for lang in editor.languages:
        top = editor.translations.get(lang, {})
        block: dict[str, Any] = _filled(
            {"title": top.get("title", ""), "description": top.get("description", "")}
        )
        staged = {
            str(level): _filled(texts)
            for level, texts in (top.get("stages") or {}).items()
            if _filled(texts)
        }
        if staged:
            block["stages"] = staged
        dims: dict[str, Any] = {}
        qs: dict[str, Any] = {}
        for d in editor.dimensions:
            texts = d.translations.get(lang, {})
            entry = _filled({name: texts.get(name, "") for name in DIMENSION_TEXTS})
            guidance = _filled({str(lv): v for lv, v in (texts.get("guidance") or {}).items()})
            if guidance:
                entry["guidance"] = guidance
            if entry:
                dims[d.key] = entry
            for q in d.questions:
                qt = q.translations.get(lang, {})
                entry = _filled({name: qt.get(name, "") for name in QUESTION_TEXTS})
                choices = _filled({c.key: c.translations.get(lang, "") for c in q.choices})
                if choices and q.kind != DECISION:
                    entry["choices"] = choices
                if entry:
                    qs[q.key] = entry
                where = f"translations.{lang}.questions.{q.key}"
                places[where] = f"q{q.form}"
                for name in QUESTION_TEXTS:
                    places[f"{where}.{name}"] = f"t-{lang}-q{q.form}-{name}"
                for j, c in enumerate(q.choices):
                    places[f"{where}.choices.{c.key}"] = f"t-{lang}-q{q.form}-c{j}-text"
        if dims:
            block["dimensions"] = dims
        if qs:
            block["questions"] = qs
        if block:  # a language whose every text is cleared is dropped
            translations[lang] = block
        places[f"translations.{lang}"] = f"lang-{lang}"
    raw: dict[str, Any] = {
        "bank": version.bank.slug,
        "version": version.number,
        "title": editor.title,
        "language": editor.language,
        "description": editor.description,
        "stages": stages,
        "dimensions": dimensions,
        "questions": questions,
    }
    if translations:
        raw["translations"] = {lang: block for lang, block in translations.items()}
    return raw, places


@dataclass(frozen=True)
class PlacedProblems:
    """Problems of a posted page, each where it belongs: a field, a block, or the top."""

    at: dict[str, list[str]]  # field or block id -> messages
    top: list[str]  # problems with no place on the page (said at the top, with their path)
    count: int
    links: tuple[tuple[str, str], ...] = ()  # (the block's anchor, the problem) for the top

    @property
    def in_stages(self) -> bool:
        return any(re.match(r"(t-[^-]+-)?s\d", key) for key in self.at)


def place_problems(refused: Refused, places: dict[str, str]) -> PlacedProblems:
    at: dict[str, list[str]] = {}
    top: list[str] = []
    links: list[tuple[str, str]] = []
    items: list[Problem] = refused.problems
    for problem in items:
        location = problem.field
        target = places.get(location)
        probe = location
        while target is None and ("." in probe or "[" in probe):
            probe = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", probe)
            target = places.get(probe)
        message = problem.text
        if target is None:
            top.append(f"{location}: {message}" if location else message)
        else:
            at.setdefault(target, []).append(message)
            block = re.match(r"(?:t-[^-]+-)?([qd]\d+|s\d+|lang-.+|title|language)", target)
            anchor = block.group(1) if block else target
            links.append(("stages" if re.fullmatch(r"s\d+", anchor) else anchor, str(problem)))
    return PlacedProblems(at=at, top=top, count=len(items), links=tuple(links))


# --- Saving ---------------------------------------------------------------------------------


def bank_draft_save(*, version: BankVersion, editor: Editor) -> BankVersion:
    """Replace a draft's content with the page's, if it is a valid bank; raises Refused with
    every problem otherwise (and changes nothing)."""
    if version.is_published:
        raise Refused.at(
            "",
            _("%(label)s is published: it never changes. Make a new draft from it."),
            label=version.label,
        )
    raw, _places = raw_document(editor)
    doc = validate_bank_document(raw)
    with transaction.atomic():
        locked = BankVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise Refused.at("", _("%(label)s was published meanwhile."), label=version.label)
        Choice.objects.filter(question__version=version).delete()
        Question.objects.filter(version=version).delete()
        Dimension.objects.filter(version=version).delete()
        Stage.objects.filter(version=version).delete()
        write_version_content(version, doc)
    return version


# --- What changed since the previous version ------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, changed, moved
    what: str  # "question C-1", "dimension collab", "German"
    details: tuple[str, ...] = ()


def previous_version(version: BankVersion) -> BankVersion | None:
    """The version a draft is compared with: the highest-numbered one below it."""
    return (
        BankVersion.objects.select_related("bank")
        .filter(bank=version.bank, number__lt=version.number)
        .order_by("-number")
        .first()
    )


FIELD_LABELS = {
    "dimension": _("dimension"),
    "kind": _("kind"),
    "text": _("text"),
    "help": _("help text"),
    "weight": _("weight"),
    "audience": _("asked of"),
    "allow_na": _("N/A allowed"),
    "allow_dont_know": _("Don't know allowed"),
    "name": _("name"),
    "lens": _("lens"),
    "description": _("description"),
    "summary": _("summary"),
}


def _was(label: Any, old: Any, new: Any) -> str:
    def show(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(map(str, value)) or str(_("everyone"))
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if isinstance(value, float):
            value = _plain(value)
        text = str(value) if value not in ("", None) else "—"
        return text if len(text) <= 140 else text[:139] + "…"

    return f"{label}: {show(old)} → {show(new)}"


def bank_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What publishing `new` changes against `old` (both canonical documents), in the order
    a reader checks it: the version's texts, stages, dimensions, questions, translations."""
    changes: list[Change] = []
    top = tuple(
        _was(label, old[name], new[name])
        for name, label in (
            ("title", _("title")),
            ("language", _("language")),
            ("description", _("description")),
        )
        if old[name] != new[name]
    )
    if top:
        changes.append(Change("changed", str(_("the version")), top))
    old_stages = {s["level"]: s for s in old["stages"]}
    for stage in new["stages"]:
        before = old_stages.get(stage["level"], {})
        details = tuple(
            _was(FIELD_LABELS[name], before.get(name, ""), stage[name])
            for name in ("name", "summary")
            if before.get(name, "") != stage[name]
        )
        if details:
            changes.append(
                Change("changed", str(_("stage %(n)s") % {"n": stage["level"]}), details)
            )
    changes += _keyed_changes(
        [d for d in old["dimensions"]],
        [d for d in new["dimensions"]],
        str(_("dimension")),
        ("name", "lens", "weight", "description", "guidance"),
        _("the order of the dimensions"),
    )
    changes += _keyed_changes(
        old["questions"],
        new["questions"],
        str(_("question")),
        ("dimension", "text", *QUESTION_OPTIONAL),
        _("the order of the questions"),
    )
    for lang in sorted(set(old["translations"]) | set(new["translations"])):
        before = _flatten(old["translations"].get(lang, {}))
        after = _flatten(new["translations"].get(lang, {}))
        if lang not in old["translations"]:
            changes.append(
                Change(
                    "added",
                    str(_("translation %(tag)s") % {"tag": lang}),
                    (str(_("%(n)s texts") % {"n": len(after)}),),
                )
            )
            continue
        if lang not in new["translations"]:
            changes.append(Change("removed", str(_("translation %(tag)s") % {"tag": lang})))
            continue
        details = tuple(
            _was(path, before.get(path, ""), after.get(path, ""))  # a path: question key, field
            for path in sorted(set(before) | set(after))
            if before.get(path, "") != after.get(path, "")
        )
        if details:
            changes.append(
                Change("changed", str(_("translation %(tag)s") % {"tag": lang}), details)
            )
    return changes


def _flatten(block: Any, prefix: str = "") -> dict[str, str]:
    if not isinstance(block, dict):
        return {prefix: str(block)}
    out: dict[str, str] = {}
    for key, value in block.items():
        out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def _keyed_changes(
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    noun: str,
    fields: tuple[str, ...],
    order: Any,
) -> list[Change]:
    before = {item["key"]: item for item in old}
    after = {item["key"]: item for item in new}
    changes: list[Change] = []
    for item in new:
        key = item["key"]
        if key not in before:
            changes.append(Change("added", f"{noun} {key}", (_summary(item),)))
            continue
        was = before[key]
        details: list[str] = []
        for name in fields:
            if name == "choices":
                details += _choice_changes(was.get("choices", []), item.get("choices", []))
            elif name == "guidance":
                details += [
                    _was(
                        _("guidance at stage %(n)s") % {"n": level},
                        was["guidance"][level],
                        item["guidance"][level],
                    )
                    for level in LEVELS
                    if was["guidance"][level] != item["guidance"][level]
                ]
            elif was.get(name) != item.get(name):
                details.append(_was(FIELD_LABELS[name], was.get(name), item.get(name)))
        if details:
            changes.append(Change("changed", f"{noun} {key}", tuple(details)))
    for key in before:
        if key not in after:
            changes.append(Change("removed", f"{noun} {key}", (_summary(before[key]),)))
    kept_old = [k for k in before if k in after]
    kept_new = [k for k in after if k in before]
    if kept_old != kept_new:
        changes.append(Change("moved", str(order), (" · ".join(kept_new),)))
    return changes


def _summary(item: dict[str, Any]) -> str:
    text = item.get("text") or item.get("name") or ""
    return text if len(text) <= 140 else text[:139] + "…"


def _choice_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    before = {c["key"]: c for c in old}
    after = {c["key"]: c for c in new}
    out: list[str] = []
    for key, choice in after.items():
        was = before.get(key)
        if was is None:
            out.append(
                str(_("answer %(key)s added: %(score)s “%(text)s”"))
                % {"key": key, "score": f"{choice['score']:g}", "text": _summary(choice)}
            )
            continue
        if was["score"] != choice["score"]:
            out.append(
                _was(_("answer %(key)s, score") % {"key": key}, was["score"], choice["score"])
            )
        if was["text"] != choice["text"]:
            out.append(_was(_("answer %(key)s, text") % {"key": key}, was["text"], choice["text"]))
    out += [str(_("answer %(key)s removed") % {"key": key}) for key in before if key not in after]
    if [k for k in before if k in after] != [k for k in after if k in before]:
        out.append(str(_("answers reordered: %(keys)s") % {"keys": ", ".join(after)}))
    return out
