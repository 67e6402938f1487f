"""The one domain error: problems at their fields, messages filled in when shown."""

from __future__ import annotations

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessments.errors import Problem, ProblemList, Refused


class _Form(forms.Form):
    slug = forms.CharField(required=False)
    bank_version = forms.CharField(required=False)


def test_a_message_is_translatable_and_filled_in_when_shown():
    refused = Refused.at("slug", _("%(slug)s is already used"), slug="'acme-2026'")
    problem = refused.problems[0]
    assert isinstance(problem.message, Promise)  # translated in the reader's language
    assert problem.text == "'acme-2026' is already used"
    assert refused.lines == ["slug: 'acme-2026' is already used"]
    assert str(Problem("", _("closed"))) == "closed"


def test_problems_go_to_their_form_fields_without_parsing_strings():
    form = _Form({})
    assert form.is_valid()
    Refused(
        [
            Problem("slug", _("use lowercase letters")),
            Problem("bank", _("is a draft")),
            Problem("targets.collab", _("must be a stage from 0 to 3")),
        ]
    ).add_to_form(form, {"bank": "bank_version"})
    assert form.errors["slug"] == ["use lowercase letters"]
    assert form.errors["bank_version"] == ["is a draft"]
    # No such field: on the form as a whole, with its place.
    assert form.non_field_errors() == ["targets.collab: must be a stage from 0 to 3"]


def test_a_file_read_inside_another_keeps_its_places():
    inner = Refused([Problem("questions[2].key", _("is required")), Problem("", _("empty"))])
    assert inner.under("banks[0]").lines == [
        "banks[0].questions[2].key: is required",
        "banks[0]: empty",
    ]
    assert Refused([Problem("[3].name", _("too long"))]).under("responses").lines == [
        "responses[3].name: too long"
    ]


def test_a_problem_list_keeps_one_problem_per_place_and_counts_the_rest():
    problems = ProblemList()
    problems.add("name", _("is required"))
    problems.add("name", _("must be text"))
    assert [p.text for p in problems.items] == ["is required"]
    capped = ProblemList(limit=2, one_per_field=False)
    for row in range(5):
        capped.add(f"row {row}", _("bad"))
    assert capped.refused().lines == ["row 0: bad", "row 1: bad", "... and 3 more problems"]
