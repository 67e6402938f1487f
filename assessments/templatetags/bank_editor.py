"""Template tags of the question-bank editor (templates/banks/edit.html): a field's name is
made of parts (`q`, 3, `-text`), and its problems are shown under it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _name(parts: tuple[Any, ...]) -> str:
    return "".join(str(part) for part in parts)


@register.simple_tag
def fname(*parts: Any) -> str:
    """A field's name from its parts: {% fname "q" question.form "-text" %} is q3-text."""
    return _name(parts)


@register.simple_tag
def problems_at(problems: Any, *parts: Any) -> str:
    """The problems found at one field (or block), as the lines under it; nothing if none."""
    if not problems:
        return ""
    found = problems.at.get(_name(parts), [])
    if not found:
        return ""
    return format_html(
        '<div class="invalid-feedback d-block" role="alert">{}</div>',
        format_html_join("", "<div>{}</div>", ((message,) for message in found)),
    )


@register.simple_tag
def block_has_problems(problems: Any, *parts: Any) -> bool:
    """Whether a block (a question, a dimension) or any field in it has a problem."""
    if not problems:
        return False
    name = _name(parts)
    return any(key == name or key.startswith(name + "-") for key in problems.at)


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """mapping[key], or "" (translations by language, guidance by level)."""
    if not isinstance(mapping, dict):
        return ""
    return mapping.get(key, mapping.get(str(key), ""))
