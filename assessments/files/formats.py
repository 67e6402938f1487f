"""Reading exchanged files safely, and reporting every problem in them at once.

Files come from consultants' laptops and clients' spreadsheets, so they are read defensively:
a size cap before parsing, YAML without aliases (an alias bomb fails at the first `*`), only
the scalar types the formats use (`No`, `yes`, `on` and dates stay strings), and a nesting
limit checked before anything is built. ProblemList are collected with their location and
raised together as one `errors.Refused`, so the command line and the web pages list the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml
from django.utils.translation import gettext_lazy as _
from yaml.nodes import MappingNode, Node

from assessments.errors import ProblemList, Refused, StrOrPromise
from assessments.vocabulary import CONTROL_CHARACTERS

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 8


# --- YAML -----------------------------------------------------------------------------------


class _StrictResolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema scalars only: null, true/false, ints, floats; all else a string."""


_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _FileError(Exception):
    pass


class SafeLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _StrictResolver,
):
    """A safe loader that refuses aliases and deep nesting while composing, before building."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _StrictResolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise _FileError(
                f"line {event.start_mark.line + 1}: YAML aliases (*name) are not allowed"
            )
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise _FileError(
                f"line {event.start_mark.line + 1}: YAML anchors (&name) are not allowed"
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _FileError(
                    f"line {event.start_mark.line + 1}: nested deeper than the format allows "
                    f"({MAX_DEPTH} levels)"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise _FileError(
                    f"line {key_node.start_mark.line + 1}: a mapping key must be a plain value"
                ) from None
            if duplicate:
                raise _FileError(
                    f"line {key_node.start_mark.line + 1}: the key {key!r} appears twice"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _json_depth_ok(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """Scan brackets outside strings; True when the nesting stays within max_depth."""
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return False
        elif char in "]}":
            depth -= 1
    return True


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _FileError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _without_nul(document: Any) -> Any:
    """Refuses a NUL character in any text of the document, naming where (PostgreSQL cannot
    store one; JSON writes it as an escape, so only the parsed values show it)."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        value, location = stack.pop()
        if isinstance(value, str) and "\x00" in value:
            raise Refused.at(
                location or "file", _("contains a NUL character (U+0000); damaged file?")
            )
        if isinstance(value, dict):
            for key, child in value.items():
                stack.append((key, location or "file"))
                stack.append((child, join(location, str(key))))
        elif isinstance(value, list):
            stack.extend((child, join(location, index)) for index, child in enumerate(value))
    return document


def read_upload(upload: Any, max_bytes: int) -> bytes:
    """The bytes of an uploaded file, refused before reading when it is over the limit."""
    if upload.size > max_bytes:
        raise Refused.at(
            "file",
            _("%(size)s bytes is larger than the limit of %(max_bytes)s bytes"),
            size=f"{upload.size:,}",
            max_bytes=f"{max_bytes:,}",
        )
    return bytes(upload.read())


def guess_format(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    raise Refused.at(filename, _("use a .yaml, .yml or .json file"))


def load_document(
    data: bytes, fmt: str, *, max_bytes: int = MAX_FILE_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    """Parse a YAML or JSON document, refusing what could hurt the server."""
    if len(data) > max_bytes:
        raise Refused.at(
            "file",
            _("%(size)s bytes is larger than the limit of %(max_bytes)s bytes"),
            size=f"{len(data):,}",
            max_bytes=f"{max_bytes:,}",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused.at("file", _("not UTF-8 text (byte %(start)s)"), start=exc.start) from None
    try:
        if fmt == "json":
            if not _json_depth_ok(text, max_depth):
                raise _FileError(f"nested deeper than the format allows ({max_depth} levels)")
            return _without_nul(json.loads(text, object_pairs_hook=_reject_duplicate_keys))
        if fmt == "yaml":
            loader = SafeLoader(text)
            try:
                return _without_nul(loader.get_single_data())
            finally:
                loader.dispose()
    except _FileError as exc:
        raise Refused.at("file", _("%(exc)s"), exc=exc) from None
    except json.JSONDecodeError as exc:
        raise Refused.at(
            "file", _("not valid JSON (line %(lineno)s: %(msg)s)"), lineno=exc.lineno, msg=exc.msg
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise Refused.at(
            "file", _("not valid YAML (%(where)s%(problem)s)"), where=where, problem=problem
        ) from None
    except ValueError as exc:
        # Python refuses to read integers of more than 4,300 digits (a denial-of-service
        # guard); no field of these formats needs one.
        if "digits" in str(exc):
            raise Refused.at("file", _("a number has more digits than any field allows")) from None
        raise Refused.at(
            "file", _("not valid %(value)s (%(exc)s)"), value=fmt.upper(), exc=exc
        ) from None
    raise Refused.at("file", _("unknown format %(fmt)s; use yaml or json"), fmt=repr(fmt))


# --- Walking a document --------------------------------------------------------------------


# Control characters have no place in names and texts; PostgreSQL refuses NUL outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Walker:
    """Typed field access on a parsed mapping that records problems instead of raising."""

    def __init__(self, problems: ProblemList) -> None:
        self.problems = problems

    def mapping(
        self,
        value: Any,
        location: str,
        *,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problems.add(location, _("must be a mapping of fields"))
            return None
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                self.problems.add(_join(location, str(key)), _("unknown field"))
        for key in required:
            if key not in value:
                self.problems.add(_join(location, key), _("is required"))
        return value

    def list(self, value: Any, location: str) -> list[Any] | None:
        if not isinstance(value, list):
            self.problems.add(location, _("must be a list"))
            return None
        return value

    def text(
        self,
        value: Any,
        location: str,
        *,
        required: bool = True,
        max_length: int = 10_000,
        pattern: re.Pattern[str] | None = None,
        pattern_message: StrOrPromise = "",
        single_line: bool = False,
    ) -> str:
        """Text at `location`; `single_line` for names, which also refuse tabs and line
        breaks (they end up in e-mail headers and table cells)."""
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.problems.add(location, _("must be text"))
            return ""
        control = (CONTROL_CHARACTERS if single_line else _CONTROL).search(value)
        if control:
            self.problems.add(
                location,
                _("contains the control character U+%(value)s"),
                value=f"{ord(control.group()):04X}",
            )
        elif required and not value.strip():
            self.problems.add(location, _("must not be empty"))
        elif len(value) > max_length:
            self.problems.add(
                location,
                _("is longer than %(max_length)s characters"),
                max_length=f"{max_length:,}",
            )
        elif pattern is not None and value and not pattern.fullmatch(value):
            self.problems.add(location, pattern_message)
        return value

    def number(
        self,
        value: Any,
        location: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        exclusive_minimum: float | None = None,
        message: StrOrPromise,
    ) -> float | None:
        if not is_number(value) or value != value or value in (float("inf"), float("-inf")):
            self.problems.add(location, message)
            return None
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float
            self.problems.add(location, message)
            return None
        if (
            (minimum is not None and number < minimum)
            or (maximum is not None and number > maximum)
            or (exclusive_minimum is not None and number <= exclusive_minimum)
        ):
            self.problems.add(location, message)
            return None
        return number

    def boolean(self, value: Any, location: str) -> bool:
        if not isinstance(value, bool):
            self.problems.add(location, _("must be true or false"))
            return False
        return value


def _join(location: str, key: str) -> str:
    return f"{location}.{key}" if location else key


def join(location: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{location}[{key}]"
    return _join(location, key)


def enumerate_list(values: list[Any], location: str) -> Iterator[tuple[str, Any]]:
    for index, value in enumerate(values):
        yield f"{location}[{index}]", value
