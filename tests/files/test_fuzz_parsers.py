"""Fuzzing the file parsers: whatever bytes or document arrive, the only exception that may
leave the bank, organisation and responses readers is Refused (our own validation
error, which the pages and commands print as a list). A KeyError or TypeError would be a 500
on the upload page and a traceback on the command line.

Three kinds of input: raw bytes, text, and a valid document with one part replaced by
arbitrary JSON-like data (the most productive: it reaches the validators' deep corners).
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assessments.errors import Refused
from assessments.files.banks import bank_import, validate_bank_document
from assessments.files.formats import load_document
from assessments.files.organizations import organization_import, validate_organization_document
from assessments.files.responses import _validate, read_table, responses_import
from tests import builders

# FUZZ_EXAMPLES=20000 for a long hunt; the suite's 300 per test take a few seconds.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "NA", "0", "3", "stage", "enabler", "it", "ot", "yes", "No", "-1"]),
    st.sampled_from(["a\x00b", "x" * 301, "\u202e", 2**31, 2**63, 10**30, -(2**31), 1e308]),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a document: keys of dicts and indexes of lists."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def replaced(doc: Any, path: tuple, new: Any, delete: bool) -> Any:
    doc = json.loads(json.dumps(doc))
    if not path:
        return new
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return doc


def mutations(valid: dict[str, Any]) -> st.SearchStrategy[Any]:
    places = paths(valid)
    return st.builds(
        replaced, st.just(valid), st.sampled_from(places), json_values, st.booleans()
    ) | st.builds(
        # An extra key somewhere: unknown fields must be named, not crash.
        lambda path, key, value: (
            replaced(valid, path, {**_at(valid, path), key: value}, False)
            if isinstance(_at(valid, path), dict)
            else valid
        ),
        st.sampled_from(places),
        st.text(max_size=10),
        json_values,
    )


def _at(doc: Any, path: tuple) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def only_our_error(call, *args: Any) -> None:
    try:
        call(*args)
    except Refused as exc:
        assert exc.lines and all(isinstance(p, str) and p for p in exc.lines)


def bank_parse(data: bytes, fmt: str) -> None:
    validate_bank_document(load_document(data, fmt))


def org_parse(data: bytes, fmt: str) -> None:
    validate_organization_document(load_document(data, fmt))


# --- Bank files ---------------------------------------------------------------------------

VALID_BANK = builders.small_bank_document()


@FUZZ
@given(doc=mutations(VALID_BANK), fmt=st.sampled_from(["json", "yaml"]))
def test_bank_documents_with_a_part_replaced(doc, fmt):
    data = json.dumps(doc).encode() if fmt == "json" else builders.as_yaml(doc)
    only_our_error(bank_parse, data, fmt)


@FUZZ
@given(data=st.binary(max_size=400), fmt=st.sampled_from(["json", "yaml"]))
@example(data=b"\xff\xfe{\x00}\x00", fmt="json")  # UTF-16
@example(data=b"!!python/object/apply:os.system ['true']", fmt="yaml")
@example(data=b"a: &x [1]\nb: *x", fmt="yaml")
@example(data=b"[" * 5000, fmt="json")
@example(data=b"- " * 5000, fmt="yaml")
@example(data=b"1e999999", fmt="json")
@example(data=b'{"bank": NaN}', fmt="json")
@example(data=b'{"version": 1' + b"0" * 5000 + b"}", fmt="json")  # over Python's digit limit
@example(data=b"version: 1" + b"0" * 5000, fmt="yaml")
@example(data=b'{"version": 1' + b"0" * 400 + b"}", fmt="json")  # too large for a float
@example(data=b"version: !!binary aGk=\nbank: !!set {a}\ntitle: !!timestamp 2001-1-1", fmt="yaml")
@example(data=b"? !!binary aGk=\n: x", fmt="yaml")
@example(data=b"!!omap [a: 1, a: 2]", fmt="yaml")
def test_bank_files_of_random_bytes(data, fmt):
    only_our_error(bank_parse, data, fmt)


@FUZZ
@given(text=st.text(max_size=300), fmt=st.sampled_from(["json", "yaml"]))
def test_bank_files_of_random_text(text, fmt):
    only_our_error(bank_parse, text.encode("utf-8", "surrogatepass"), fmt)


@pytest.mark.django_db
@FUZZ
@given(doc=mutations(VALID_BANK))
def test_bank_imports_with_a_part_replaced_write_or_refuse(doc):
    """All the way to the database: PostgreSQL refuses what SQLite stores (NUL characters,
    over-long text, integers beyond 64 bits), so this also runs on both."""
    only_our_error(lambda: bank_import(data=json.dumps(doc).encode(), fmt="json"))


def location(path: tuple) -> str:
    """("questions", 0, "key") -> "questions[0].key", as the importers name places."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def string_places(doc: Any) -> list[tuple]:
    return [path for path in paths(doc) if path and isinstance(_at(doc, path), str)]


NASTY_TEXT = {"nul": "a\x00b", "control": "a\x1bb", "overlong": "x" * 10_001}


@pytest.mark.django_db
@pytest.mark.parametrize("nasty", NASTY_TEXT)
def test_every_text_of_a_bank_refuses_nul_control_and_overlong_text(nasty):
    """Every string of the bank file, one at a time: refused with its place named, on both
    databases (PostgreSQL would otherwise fail on NUL with a server error)."""
    for path in string_places(VALID_BANK):
        doc = replaced(VALID_BANK, path, NASTY_TEXT[nasty], False)
        with pytest.raises(Refused) as refused:
            bank_import(data=json.dumps(doc).encode(), fmt="json")
        assert any(p.startswith(location(path) + ":") for p in refused.value.lines), (
            path,
            refused.value.lines,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("nasty", NASTY_TEXT)
def test_every_text_of_an_organization_refuses_nul_control_and_overlong_text(workspace, nasty):
    for path in string_places(VALID_ORG):
        doc = replaced(VALID_ORG, path, NASTY_TEXT[nasty], False)
        with pytest.raises(Refused) as refused:
            organization_import(data=json.dumps(doc).encode(), fmt="json", workspace=workspace)
        assert any(p.startswith(location(path) + ":") for p in refused.value.lines), (
            path,
            refused.value.lines,
        )


def test_the_documents_being_mutated_are_valid():
    assert validate_bank_document(load_document(json.dumps(VALID_BANK).encode(), "json"))
    assert validate_organization_document(load_document(json.dumps(VALID_ORG).encode(), "json"))


# --- Organisation files -------------------------------------------------------------------

VALID_ORG = {
    "organization": "acme",
    "name": "Acme",
    "sites": [{"slug": "north", "name": "North"}],
    "teams": [{"slug": "ot-north", "name": "OT North", "function": "ot", "site": "north"}],
}


@FUZZ
@given(doc=mutations(VALID_ORG), fmt=st.sampled_from(["json", "yaml"]))
def test_organization_documents_with_a_part_replaced(doc, fmt):
    data = json.dumps(doc).encode() if fmt == "json" else builders.as_yaml(doc)
    only_our_error(org_parse, data, fmt)


@pytest.mark.django_db
@FUZZ
@given(doc=mutations(VALID_ORG))
def test_organization_imports_with_a_part_replaced_write_or_refuse(workspace, doc):
    data = json.dumps(doc).encode()
    only_our_error(lambda: organization_import(data=data, fmt="json", workspace=workspace))


# --- Responses files ----------------------------------------------------------------------

HEADER = ["respondent", "function", "team", "site", "submitted", "C-1", "C-2", "S-1", "S-2", "I-1"]
cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "NA", "na", "0", "3", "4", "it", "ot", "business", "ot-north", "north"]),
    st.sampled_from(["2026-03-01T10:00:00Z", "2026-02-30", "yesterday", "1e9", "=1+1"]),
    st.sampled_from(["R\x00", "x" * 101, "x" * 201, "\u202e", "yes", "no", "\ud800"]),
)
tables = st.tuples(
    st.lists(st.sampled_from([*HEADER, "extra", ""]), min_size=0, max_size=12),
    st.lists(st.lists(cells, max_size=12), max_size=6),
)


def as_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


@pytest.fixture
def campaign(workspace):
    return builders.campaign(workspace)


@pytest.mark.django_db
@FUZZ
@given(table=tables)
def test_responses_tables_of_random_cells(campaign, table):
    header, rows = table
    data = as_csv(header, rows)
    only_our_error(lambda: _validate(campaign, read_table(data, "answers.csv")))


@pytest.mark.django_db
@FUZZ
@given(data=st.binary(max_size=400), name=st.sampled_from(["a.csv", "a.xlsx", "a.txt"]))
@example(data=b"PK\x03\x04" + b"\x00" * 40, name="a.xlsx")
@example(data=b"\x00\x00\x00", name="a.csv")
@example(data=b"\xef\xbb\xbfrespondent;function\r\nR1;it\r", name="a.csv")
def test_responses_files_of_random_bytes(campaign, data, name):
    only_our_error(lambda: _validate(campaign, read_table(data, name)))


@pytest.mark.django_db
@FUZZ
@given(table=tables)
def test_responses_imports_of_random_cells_write_or_refuse(campaign, table):
    header, rows = table
    data = as_csv(header, rows)
    only_our_error(lambda: responses_import(campaign=campaign, data=data, filename="a.csv"))
