"""The one domain error: what was refused, and where.

Every service and every import raises `Refused` with a list of `Problem(field, message)`:
`field` names the place (a form field such as `bank_version`, a file location such as
`questions[3].choices[1].key`, or "" for the request as a whole); `message` is marked for
translation (`gettext_lazy`) with named parameters filled in only when it is shown, so a form,
a flash message, the JSON API and the command line each render it in their reader's language
without parsing strings. docs/architecture.md shows where errors are raised and rendered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    StrOrPromise = Any


class Problem(NamedTuple):
    """One refusal: where (`field`) and what (`message`, with its parameters)."""

    field: str
    message: StrOrPromise
    params: Mapping[str, Any] = {}

    @property
    def text(self) -> str:
        """The message in the active language, its parameters filled in."""
        message = str(self.message)
        return message % dict(self.params) if self.params else message

    def __str__(self) -> str:
        return f"{self.field}: {self.text}" if self.field else self.text


class Refused(Exception):
    """A request, a form or a file was refused; `problems` lists every reason found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.lines))

    @classmethod
    def at(cls, field: str, message: StrOrPromise, **params: Any) -> Refused:
        """One problem: `raise Refused.at("team", _("not a team of %(org)s"), org=...)`."""
        return cls([Problem(field, message, params)])

    @classmethod
    def from_validation(cls, error: Any) -> Refused:
        """A model's `ValidationError` (from `full_clean`) as problems at its fields."""
        if hasattr(error, "error_dict"):
            return cls(
                Problem("" if field == "__all__" else field, message)
                for field, errors in error.error_dict.items()
                for item in errors
                for message in item.messages
            )
        return cls(Problem("", message) for message in error.messages)

    def under(self, location: str) -> Refused:
        """The same problems, placed inside `location` (a file read within another file)."""
        return Refused(
            Problem(_within(location, p.field), p.message, p.params) for p in self.problems
        )

    @property
    def lines(self) -> list[str]:
        """`field: message` lines, as the command line and the import pages list them."""
        return [str(problem) for problem in self.problems]

    @property
    def sentence(self) -> str:
        """All problems on one line, for a flash message or a JSON error."""
        return "; ".join(self.lines)

    def add_to_form(self, form: Any, fields: Mapping[str, str] | None = None) -> None:
        """Puts each problem on its form field (`fields` renames service fields to form
        fields); a problem with no such field goes to the form as a whole, with its place."""
        for problem in self.problems:
            name = (fields or {}).get(problem.field, problem.field)
            if name and name in form.fields:
                form.add_error(name, problem.text)
            else:
                form.add_error(None, str(problem))


def _within(location: str, field: str) -> str:
    if not field:
        return location
    return f"{location}{field}" if field.startswith("[") else f"{location}.{field}"


class ProblemList:
    """Collects problems while a document or a request is checked, then raises them together.

    One problem per place unless told otherwise: a missing field is "required", not also
    "must be text". With
    `limit`, only the first `limit` are kept and a last line says how many more there were.
    """

    def __init__(self, *, limit: int | None = None, one_per_field: bool = True) -> None:
        self.items: list[Problem] = []
        self._fields: set[str] = set()
        self._limit = limit
        self._one_per_field = one_per_field
        self.total = 0

    def add(self, field: str, message: StrOrPromise, **params: Any) -> None:
        if self._one_per_field and field in self._fields:
            return
        self._fields.add(field)
        self.total += 1
        if self._limit is None or len(self.items) < self._limit:
            self.items.append(Problem(field, message, params))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return self.total

    def refused(self) -> Refused:
        from django.utils.translation import gettext_lazy as _

        extra = self.total - len(self.items)
        more = [Problem("", _("... and %(count)s more problems"), {"count": f"{extra:,}"})]
        return Refused(self.items + (more if extra > 0 else []))

    def raise_if_any(self) -> None:
        if self.items:
            raise self.refused()
