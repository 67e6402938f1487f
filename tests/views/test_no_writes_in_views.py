"""Views load, hand over and render: every write goes through a service (assessments/services/).

This reads the source of every module of `assessments/views/` and fails on a call that
writes rows there: `.save()`, `.create()`, `.update()`, `.delete()` and their relatives, on
anything. A page that needs a write calls a service, so an audit log added to the services
sees every change.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import assessments.views

WRITES = {
    "save",
    "create",
    "update",
    "delete",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "set",
    "add",
    "remove",
    "clear",
    "create_user",
    "set_password",
    "set_unusable_password",
    "send_mail",
    "send",
}
VIEW_MODULES = sorted(Path(assessments.views.__file__).parent.glob("*.py"))


def writes_in(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            if isinstance(node.func, ast.Name):
                name = node.func.id
            if name in WRITES:
                found.append(f"line {node.lineno}: {ast.unparse(node.func)}()")
    return found


def test_the_check_finds_writes():
    source = (
        "def view(request):\n"
        "    form.save()\n"
        "    Team.objects.filter(pk=1).update(name='x')\n"
        "    campaign.teams.set([])\n"
        "    send_mail('s', 'b', 'f', ['t'])\n"
    )
    assert writes_in(source) == [
        "line 2: form.save()",
        "line 3: Team.objects.filter(pk=1).update()",
        "line 4: campaign.teams.set()",
        "line 5: send_mail()",
    ]


def test_every_area_has_its_module():
    names = {path.stem for path in VIEW_MODULES}
    assert {
        "organizations",
        "members",
        "campaigns",
        "invitations",
        "dashboard",
        "downloads",
        "consensus",
        "workshop_presenter",
        "workshop_audience",
        "survey",
        "api",
        "profile",
    } <= names


@pytest.mark.parametrize("module", VIEW_MODULES, ids=lambda path: path.name)
def test_no_view_writes_rows_itself(module):
    assert writes_in(module.read_text()) == [], f"{module.name} writes; call a service instead"
