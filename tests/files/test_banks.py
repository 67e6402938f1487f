"""Bank import (docs/file-formats.md): every rule refuses the whole file with `location: message`,
all problems at once, and writes nothing."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from assessments.errors import Refused
from assessments.files.banks import (
    bank_export,
    bank_export_document,
    bank_import,
    validate_bank_document,
)
from assessments.models import BankVersion, Choice, Dimension, Question, QuestionBank, Stage
from tests.builders import (
    DEFAULT_BANK_FILE,
    as_yaml,
    default_bank,
    import_small_bank,
    small_bank_document,
)

pytestmark = pytest.mark.django_db


def refused(data: bytes, fmt: str = "yaml") -> list[str]:
    """Import `data`, expect a refusal, and check that nothing at all was written."""
    before = [m.objects.count() for m in (QuestionBank, BankVersion, Dimension, Question, Choice)]
    with pytest.raises(Refused) as exc:
        bank_import(data=data, fmt=fmt)
    after = [m.objects.count() for m in (QuestionBank, BankVersion, Dimension, Question, Choice)]
    assert after == before
    return exc.value.lines


def refused_doc(**overrides) -> list[str]:
    return refused(as_yaml(small_bank_document(**overrides)))


def test_valid_bank_is_imported_and_published():
    version = import_small_bank()
    assert version.label == "mini v1"
    assert version.is_published and version.published_at is not None
    assert list(version.dimensions.values_list("key", "lens", "weight")) == [
        ("collab", "stage", 1.0),
        ("scale", "stage", 2.0),
        ("infra", "enabler", 1.0),
    ]
    question = version.questions.get(key="S-2")
    assert question.audience == ["it", "ot"]
    assert list(question.choices.values_list("key", "score")) == [
        ("0", 0.0),
        ("1", 1.0),
        ("2", 2.0),
        ("3", 3.0),
    ]
    assert version.stages.count() == 4


def test_draft_flag_keeps_version_editable():
    version = bank_import(data=as_yaml(small_bank_document()), fmt="yaml", draft=True).version
    assert version.status == "draft"


# --- One test per rule, asserting the exact message -----------------------------------------


def test_slug_must_be_lowercase_letters_digits_hyphens():
    assert refused_doc(bank="Mini Bank") == [
        "bank: use lowercase letters, digits and hyphens (for example itot-convergence)"
    ]


def test_version_must_be_positive_integer():
    assert refused_doc(version="one") == ["version: must be a whole number of 1 or more"]
    assert refused_doc(version=0) == ["version: must be a whole number of 1 or more"]
    assert refused_doc(version=True) == ["version: must be a whole number of 1 or more"]


def test_required_and_unknown_top_level_fields():
    doc = small_bank_document()
    del doc["title"]
    doc["colour"] = "blue"
    assert refused(as_yaml(doc)) == ["colour: unknown field", "title: is required"]


def test_exactly_four_stages():
    doc = small_bank_document()
    doc["stages"] = doc["stages"][:3]
    assert refused(as_yaml(doc)) == ["stages: must list exactly four stages, levels 0, 1, 2 and 3"]
    doc = small_bank_document()
    doc["stages"][3]["level"] = 2
    assert refused(as_yaml(doc)) == [
        "stages[3].level: stage 2 appears twice",
        "stages: must list exactly four stages, levels 0, 1, 2 and 3",
    ]
    doc = small_bank_document()
    doc["stages"][0]["level"] = 7
    assert refused(as_yaml(doc))[0] == "stages[0].level: must be 0, 1, 2 or 3"


def test_choice_score_between_0_and_3():
    doc = small_bank_document()
    doc["questions"][1]["choices"][2]["score"] = 5
    doc["questions"][4]["choices"][0]["score"] = "high"
    assert refused(as_yaml(doc)) == [
        "questions[1].choices[2].score: must be a number between 0 and 3",
        "questions[4].choices[0].score: must be a number between 0 and 3",
    ]


def test_choice_keys_unique_and_without_comma():
    doc = small_bank_document()
    doc["questions"][0]["choices"][1]["key"] = "0"
    doc["questions"][2]["choices"][3]["key"] = "a,b"
    assert refused(as_yaml(doc)) == [
        "questions[0].choices[1].key: '0' is used twice",
        "questions[2].choices[3].key: must not be empty, contain a comma, or start or end "
        "with a space",
    ]


def test_choice_key_na_is_reserved():
    doc = small_bank_document()
    doc["questions"][0]["choices"][0]["key"] = "NA"
    assert refused(as_yaml(doc)) == [
        "questions[0].choices[0].key: 'NA' is reserved for 'not applicable'"
    ]


def test_choice_key_dk_is_reserved():
    doc = small_bank_document()
    doc["questions"][0]["choices"][0]["key"] = "DK"
    assert refused(as_yaml(doc)) == [
        "questions[0].choices[0].key: 'DK' is reserved for 'Don't know'"
    ]


def test_decision_questions_and_dont_know():
    doc = small_bank_document()
    doc["questions"][0]["allow_dont_know"] = True
    doc["questions"].append(
        {"key": "D-1", "kind": "decision", "dimension": "collab", "text": "Who decides?"}
    )
    version = bank_import(data=as_yaml(doc), fmt="yaml").version
    decision = version.questions.get(key="D-1")
    assert (decision.kind, decision.is_decision, decision.choices.count()) == ("decision", True, 0)
    assert version.questions.get(key="C-1").allow_dont_know is True
    exported = yaml.safe_load(bank_export(version=version, fmt="yaml"))
    assert exported["questions"][-1] == {
        "key": "D-1",
        "kind": "decision",
        "dimension": "collab",
        "text": "Who decides?",
        "allow_na": False,
    }
    assert exported["questions"][0]["allow_dont_know"] is True
    assert "allow_dont_know" not in exported["questions"][1]  # a version 1 file stays as it was


def test_decision_questions_have_no_choices_or_weight_and_scored_ones_need_choices():
    doc = small_bank_document()
    doc["questions"][0]["kind"] = "decision"
    doc["questions"][0]["weight"] = 2
    del doc["questions"][1]["choices"]
    doc["questions"][2]["kind"] = "vote"
    assert refused(as_yaml(doc)) == [
        "questions[0].choices: a decision question has no choices: its answers are always "
        "it, ot, joint, vendor, nobody",
        "questions[0].weight: a decision question has no weight: its answers are always "
        "it, ot, joint, vendor, nobody",
        "questions[1].choices: is required",
        "questions[2].kind: must be scored or decision",
    ]


def test_at_least_two_choices():
    doc = small_bank_document()
    doc["questions"][0]["choices"] = doc["questions"][0]["choices"][:1]
    assert refused(as_yaml(doc)) == ["questions[0].choices: must list between 2 and 20 choices"]


def test_question_dimension_must_exist():
    doc = small_bank_document()
    doc["questions"][3]["dimension"] = "culture"
    assert refused(as_yaml(doc)) == [
        "questions[3].dimension: 'culture' is not a dimension of this bank"
    ]


def test_keys_unique_within_bank():
    doc = small_bank_document()
    doc["questions"][1]["key"] = "C-1"
    doc["dimensions"][1]["key"] = "collab"
    problems = refused(as_yaml(doc))
    assert "dimensions[1].key: 'collab' is used by another dimension" in problems
    assert "questions[1].key: 'C-1' is used by another question" in problems


def test_question_key_may_not_shadow_a_responses_column():
    doc = small_bank_document()
    doc["questions"][0]["key"] = "team"
    assert refused(as_yaml(doc)) == [
        "questions[0].key: 'team' is reserved for a column of the responses file"
    ]


def test_at_least_one_stage_lens_dimension():
    doc = small_bank_document()
    for dim in doc["dimensions"]:
        dim["lens"] = "enabler"
    assert refused(as_yaml(doc)) == ["dimensions: at least one dimension must have lens: stage"]


def test_lens_must_be_stage_or_enabler():
    doc = small_bank_document()
    doc["dimensions"][2]["lens"] = "culture"
    assert refused(as_yaml(doc)) == ["dimensions[2].lens: must be stage or enabler"]


def test_weights_must_be_positive():
    doc = small_bank_document()
    doc["dimensions"][0]["weight"] = 0
    doc["questions"][0]["weight"] = -1
    assert refused(as_yaml(doc)) == [
        "dimensions[0].weight: must be a number greater than 0",
        "questions[0].weight: must be a number greater than 0",
    ]


def test_every_guidance_level_present():
    doc = small_bank_document()
    del doc["dimensions"][1]["guidance"]["3"]
    doc["dimensions"][2]["guidance"]["4"] = "Beyond"
    assert refused(as_yaml(doc)) == [
        "dimensions[1].guidance.3: is required (guidance for every stage)",
        "dimensions[2].guidance.4: is not a stage; use 0, 1, 2 or 3",
    ]


def test_audience_must_name_functions():
    doc = small_bank_document()
    doc["questions"][0]["audience"] = ["it", "finance"]
    assert refused(as_yaml(doc)) == [
        "questions[0].audience[1]: 'finance' is not a function; use it, ot, business, "
        "leadership, other"
    ]


def test_allow_na_must_be_boolean():
    doc = small_bank_document()
    doc["questions"][0]["allow_na"] = "sometimes"
    assert refused(as_yaml(doc)) == ["questions[0].allow_na: must be true or false"]


def test_unknown_fields_anywhere_are_errors():
    doc = small_bank_document()
    doc["questions"][0]["choices"][0]["colour"] = "red"
    doc["dimensions"][0]["owner"] = "cio"
    assert refused(as_yaml(doc)) == [
        "dimensions[0].owner: unknown field",
        "questions[0].choices[0].colour: unknown field",
    ]


def test_language_must_be_a_language_tag():
    assert refused_doc(language="english!") == [
        "language: must be a BCP 47 language tag such as en or de-AT"
    ]


def test_translation_may_not_name_missing_keys():
    translations = {
        "de": {
            "title": "Mini-Katalog",
            "questions": {
                "C-1": {"text": "F1", "choices": {"0": "Nie", "9": "?"}},
                "X-9": {"text": "?"},
            },
            "dimensions": {"collab": {"name": "Zusammenarbeit", "guidance": {0: "Los"}}},
            "stages": {0: {"name": "Silos"}, 5: {"name": "?"}},
        }
    }
    assert refused_doc(translations=translations) == [
        "translations.de.stages.5: does not exist in the bank",
        "translations.de.questions.X-9: does not exist in the bank",
        "translations.de.questions.C-1.choices.9: does not exist in the bank",
    ]


def test_every_problem_is_reported_at_once():
    doc = small_bank_document(bank="BAD", version=0)
    doc["questions"][0]["choices"][0]["score"] = 4
    doc["questions"][1]["dimension"] = "nope"
    assert len(refused(as_yaml(doc))) == 4


# --- Safety ---------------------------------------------------------------------------------


def test_yaml_alias_bomb_fails_fast():
    bomb = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
    started = time.perf_counter()
    problems = refused(bomb)
    assert time.perf_counter() - started < 5  # generous: the bomb would take minutes or OOM
    assert problems == ["file: line 1: YAML anchors (&name) are not allowed"]


def test_plain_alias_is_refused():
    assert refused(b"bank: *x\n") == ["file: line 1: YAML aliases (*name) are not allowed"]


def test_yes_no_choice_keys_stay_strings():
    doc = small_bank_document()
    text = as_yaml(doc).decode()
    # Write the keys unquoted, as a person would: No/yes/on/off are not booleans here.
    for old, new in (("'0'", "No"), ("'1'", "yes"), ("'2'", "on"), ("'3'", "off")):
        text = text.replace(f"key: {old}", f"key: {new}", 1)
    version = bank_import(data=text.encode(), fmt="yaml").version
    assert list(version.questions.get(key="C-1").choices.values_list("key", flat=True)) == [
        "No",
        "yes",
        "on",
        "off",
    ]


def test_unquoted_numeric_choice_keys_are_read_as_text():
    text = as_yaml(small_bank_document()).decode().replace("key: '2'", "key: 2")
    version = bank_import(data=text.encode(), fmt="yaml").version
    assert version.questions.get(key="I-1").choices.filter(key="2").exists()


def test_file_over_2_mb_is_refused():
    data = as_yaml(small_bank_document()) + b"#" * (2 * 1024 * 1024)
    assert refused(data) == [
        f"file: {len(data):,} bytes is larger than the limit of 2,097,152 bytes"
    ]


def test_deep_nesting_is_refused_in_yaml_and_json():
    assert refused(b"bank: " + b"[" * 50 + b"]" * 50) == [
        "file: line 1: nested deeper than the format allows (8 levels)"
    ]
    assert refused(b'{"bank": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "json") == [
        "file: nested deeper than the format allows (8 levels)"
    ]


def test_more_than_2000_questions_is_refused():
    doc = small_bank_document()
    template = doc["questions"][0]
    doc["questions"] = [dict(template, key=f"Q-{i}") for i in range(2001)]
    data = json.dumps(doc).encode()
    assert refused(data, "json") == ["questions: 2,001 questions; the limit is 2,000"]


def test_broken_yaml_and_encoding_and_types():
    assert refused(b"bank: [unclosed\n")[0].startswith("file: not valid YAML (line 2:")
    assert refused(b"\xff\xfe\x00b") == ["file: not UTF-8 text (byte 0)"]
    assert refused(b"- just\n- a list\n") == ["must be a mapping of fields"]
    assert refused(b"{bad json", "json")[0].startswith("file: not valid JSON (line 1:")
    assert refused(b"bank: x\nbank: y\n")[0] == "file: line 2: the key 'bank' appears twice"


def test_python_tags_are_refused():
    problems = refused(b"bank: !!python/object/apply:os.system ['echo pwned']\n")
    assert problems[0].startswith("file: not valid YAML")


# --- Versions ------------------------------------------------------------------------------


def test_identical_reimport_is_a_noop_that_says_so():
    import_small_bank()
    result = bank_import(data=as_yaml(small_bank_document()), fmt="yaml")
    assert not result.created
    assert result.message == "mini v1 already exists with identical content; nothing changed."
    assert BankVersion.objects.count() == 1


def test_changed_bank_under_same_version_is_refused_with_next_number():
    import_small_bank()
    import_small_bank(version=2, title="Mini bank, second edition")
    problems = refused_doc(title="Mini bank, changed")
    assert problems == [
        "version: mini version 1 already exists with different content; a published version "
        "never changes. Import the changed bank as version 3."
    ]


def test_changed_bank_under_new_version_is_imported():
    import_small_bank()
    second = import_small_bank(version=2, title="Changed")
    assert second.title == "Changed"
    assert BankVersion.objects.filter(bank__slug="mini").count() == 2


# --- Round trips ----------------------------------------------------------------------------


def every_field_document():
    doc = small_bank_document(
        description="A bank that uses every field.\nOn two lines.",
        translations={
            "de": {
                "title": "Mini-Katalog",
                "description": "Ein Katalog.",
                "stages": {0: {"name": "Silos", "summary": "Getrennt."}, 3: {"name": "Eins"}},
                "dimensions": {
                    "collab": {
                        "name": "Zusammenarbeit",
                        "description": "Wie",
                        "guidance": {0: "Anfangen", 3: "Halten"},
                    },
                },
                "questions": {
                    "C-1": {"text": "Frage 1", "help": "Hilfe", "choices": {"0": "Nie"}},
                },
            },
            "fr": {"title": "Mini-banque"},
        },
    )
    doc["dimensions"][0]["description"] = "How teams work together"
    doc["dimensions"][1]["weight"] = 0.5
    doc["questions"][0]["help"] = "Think of last month."
    doc["questions"][1]["weight"] = 1.25
    doc["questions"][2]["choices"] = [
        {"key": "No", "score": 0, "text": "No"},
        {"key": "partly", "score": 1.5, "text": "Partly"},
        {"key": "yes", "score": 3, "text": "Yes"},
    ]
    doc["questions"][4]["audience"] = ["it", "ot", "business", "leadership", "other"]
    doc["questions"][4]["allow_dont_know"] = True
    doc["questions"].append(
        {
            "key": "D-1",
            "kind": "decision",
            "dimension": "infra",
            "text": "Who decides on remote access for a vendor?",
            "help": "The person who can say yes.",
            "audience": ["it", "ot"],
            "allow_na": True,
            "allow_dont_know": True,
        }
    )
    return doc


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip_of_a_bank_using_every_field(fmt):
    original = bank_import(data=as_yaml(every_field_document()), fmt="yaml").version
    exported = bank_export(version=original, fmt=fmt)
    document = bank_export_document(original)
    # Re-import under another slug: it must recreate exactly the same version.
    renamed = exported.replace("mini", "mini-copy", 1)
    copy = bank_import(data=renamed.encode(), fmt=fmt).version
    copied = bank_export_document(copy)
    assert copied == {**document, "bank": "mini-copy"}
    assert bank_export(version=copy, fmt=fmt) == renamed
    # And re-importing the export under the same slug is the identical no-op.
    assert not bank_import(data=exported.encode(), fmt=fmt).created


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip_of_the_default_bank(fmt):
    version = default_bank()
    exported = bank_export(version=version, fmt=fmt)
    assert not bank_import(data=exported.encode(), fmt=fmt).created
    doc = validate_bank_document(
        json.loads(exported) if fmt == "json" else yaml.safe_load(exported)
    )
    assert doc == bank_export_document(version)


def test_default_bank_meets_the_brief():
    """Version 2 of the default bank, against the content rules in docs/methodology.md."""
    version = default_bank()
    doc = bank_export_document(version)
    assert doc["version"] == 3  # version 2's questions, with German texts
    scored = [q for q in doc["questions"] if q["kind"] == "scored"]
    decisions = [q for q in doc["questions"] if q["kind"] == "decision"]
    assert 45 <= len(scored) <= 60
    assert 8 <= len(decisions) <= 12
    lenses = {d["key"]: d["lens"] for d in doc["dimensions"]}
    assert lenses == {
        "collaboration": "stage",
        "decisions": "stage",
        "data": "stage",
        "scaling": "stage",
        "strategy": "enabler",
        "skills": "enabler",
        "infrastructure": "enabler",
    }
    for question in scored:
        assert [c["score"] for c in question["choices"]] == [0, 1, 2, 3], question["key"]
        words = question["text"].split() + [
            w for c in question["choices"] for w in c["text"].split()
        ]
        assert len(words) <= 60, question["key"]  # a phone screen, read in about 15 s
    # Don't know wherever one may honestly not know: most questions; never on one's own work.
    assert sum(q["allow_dont_know"] for q in scored) >= 40
    own_experience = {q["key"] for q in scored if not q["allow_dont_know"]}
    assert own_experience <= {"COL-2", "COL-5", "STR-5", "SKL-1", "SKL-7", "INF-1"}
    # No budget or hiring questions to technicians (OT staff) or to "other" staff.
    by_key = {q["key"]: q for q in doc["questions"]}
    for key in ("STR-3", "STR-6", "SKL-6"):
        assert set(by_key[key]["audience"]).isdisjoint({"ot", "other"}), key
    # A single-site firm has an answer everywhere: the questions about several sites allow N/A.
    for key in ("SCA-7", "SCA-8", "INF-10"):
        assert by_key[key]["allow_na"] and "only one site" in by_key[key]["help"], key
    # Not one story of convergence: few answers name a central team or lighthouse plants.
    stories = [
        c["text"]
        for q in scored
        for c in q["choices"]
        if "central team" in c["text"].lower() or "lighthouse" in c["text"].lower()
    ]
    assert len(stories) <= 3, stories
    assert all(q["allow_na"] and q["allow_dont_know"] for q in decisions)
    assert Stage.objects.filter(version=version).count() == 4
    assert DEFAULT_BANK_FILE.exists()


def test_every_question_of_the_default_bank_measures_a_named_source_idea():
    """docs/methodology.md maps each idea of the source model to question keys: every key of
    the bank is in that table, and the table names no key the bank lacks."""
    text = (Path(settings.BASE_DIR) / "docs" / "methodology.md").read_text()
    table = text.split("### Which question measures which idea")[1].split("###")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    named: set[str] = set()
    for row in rows[1:]:  # the first is the header
        cell = row.split("|")[3]
        named |= set(re.findall(r"\b[A-Z]{2,3}-\d+\b", cell))
        span = re.search(r"DR-(\d+) to DR-(\d+)", cell)
        if span:
            named |= {f"DR-{n}" for n in range(int(span[1]), int(span[2]) + 1)}
    keys = {q["key"] for q in bank_export_document(default_bank())["questions"]}
    assert named == keys
    assert len(rows) - 1 >= 30  # the source ideas, one row each


def test_earlier_versions_of_the_default_bank_stay_importable():
    """Campaigns scored with version 1 or 2 keep their bank: the files import as those
    versions; version 3 asks version 2's questions, with its texts in German too."""
    old = bank_import(
        data=DEFAULT_BANK_FILE.with_name("itot-convergence-v1.yaml").read_bytes(), fmt="yaml"
    ).version
    assert (old.number, old.questions.count()) == (1, 49)
    two = bank_import(
        data=DEFAULT_BANK_FILE.with_name("itot-convergence-v2.yaml").read_bytes(), fmt="yaml"
    ).version
    three = default_bank()
    assert (two.number, three.number) == (2, 3)
    before, after = bank_export_document(two), bank_export_document(three)
    for field in ("stages", "dimensions", "questions", "language", "title"):
        assert before[field] == after[field]  # the same questions: the same scores
    assert (before["translations"], list(after["translations"])) == ({}, ["de"])
