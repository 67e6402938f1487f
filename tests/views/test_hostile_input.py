"""Hostile input, everywhere: every import (web upload and command line) and every form.

Each case asserts two things: a clear message that says what is wrong (and where), and a
database exactly as it was (every row of every table compared, sessions and login records
aside). Fuzzing of the parsers themselves is in test_fuzz_parsers.py.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from assessments.models import ClientViewer, Membership
from tests import builders
from tests.views.test_permissions import app_patterns, url_for

pytestmark = pytest.mark.django_db

SKIPPED_TABLES = {"sessions.session", "axes.accessattempt", "axes.accesslog", "admin.logentry"}


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIPPED_TABLES:
            continue
        state[label] = list(model.objects.order_by("pk").values_list())
    return state


def assert_unchanged(before: dict[str, list[tuple[Any, ...]]]) -> None:
    after = database_state()
    changed = [label for label in before if before[label] != after[label]]
    assert changed == [], changed


# --- Hostile files ----------------------------------------------------------------------------

ALIAS_BOMB = b"""a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]
"""
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
LATIN1 = "bank: m\xfcnchen\n".encode("latin-1")
UTF16 = '{"bank": "mini"}'.encode("utf-16")
BINARY = bytes(range(256)) * 4


def oversized(limit: int) -> bytes:
    return b"# " + b"x" * limit + b"\n"


def zip_bomb() -> bytes:
    """An XLSX-named zip whose sheet unpacks to 300 MB from about 300 kB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                sheet.write(chunk)
    return buffer.getvalue()


# (file name, bytes, what the message must say); YAML and JSON readers share them.
DOCUMENT_CASES = {
    "oversized": ("f.yaml", lambda limit: oversized(limit), "is larger than the limit"),
    "alias bomb": ("f.yaml", lambda _: ALIAS_BOMB, "YAML anchors (&name) are not allowed"),
    "deep json": ("f.json", lambda _: DEEP_JSON, "nested deeper than the format allows"),
    "latin-1": ("f.yaml", lambda _: LATIN1, "not UTF-8 text (byte 7)"),
    "utf-16": ("f.json", lambda _: UTF16, "not UTF-8 text"),
    "binary": ("f.json", lambda _: BINARY, "not UTF-8 text"),
    "wrong type": ("f.json", lambda _: b'["a", "list"]', "must be a mapping of fields"),
    "wrong field types": (
        "f.json",
        lambda _: b'{"bank": 7, "organization": ["x"], "version": "one", "title": {}}',
        "must be text",
    ),
    "python tag": ("f.yaml", lambda _: b"!!python/object/apply:os.system ['id']", "not valid YAML"),
    "nul character": (
        "f.json",
        lambda _: b'{"bank": "a\\u0000b", "organization": "a\\u0000b"}',
        "contains a NUL character (U+0000)",
    ),
}


@pytest.fixture
def admin(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.parametrize("case", DOCUMENT_CASES)
def test_bank_upload_in_the_admin(admin, case):
    from assessments.files.formats import MAX_FILE_BYTES

    name, make, message = DOCUMENT_CASES[case]
    before = database_state()
    page = admin.post(
        reverse("admin:assessments_bankversion_upload"),
        {"file": SimpleUploadedFile(name, make(MAX_FILE_BYTES))},
    )
    assert page.status_code == 200
    assert message in html.unescape(page.content.decode())
    assert_unchanged(before)


@pytest.mark.parametrize("case", DOCUMENT_CASES)
def test_organization_upload_by_a_consultant(client, owner, case):
    from assessments.files.organizations import MAX_FILE_BYTES

    client.force_login(owner)
    name, make, message = DOCUMENT_CASES[case]
    before = database_state()
    page = client.post(
        reverse("assessments:organization-upload"),
        {"file": SimpleUploadedFile(name, make(MAX_FILE_BYTES))},
    )
    assert page.status_code == 200
    assert message in html.unescape(page.content.decode())
    assert_unchanged(before)


# What a campaign archive says instead (it is a different document).
ARCHIVE_SAYS = {
    "wrong type": "an archive is a JSON object",
    "wrong field types": "refused, nothing was written",
}


@pytest.mark.parametrize("command", ["import_bank", "import_org", "import_campaign"])
@pytest.mark.parametrize("case", DOCUMENT_CASES)
def test_document_imports_on_the_command_line(tmp_path, monkeypatch, workspace, command, case):
    name, make, message = DOCUMENT_CASES[case]
    if command == "import_campaign":
        if name.endswith(".yaml"):
            name = name.replace(".yaml", ".json")  # archives are JSON
        message = ARCHIVE_SAYS.get(case, message)
        if case in ("alias bomb", "python tag"):
            message = "not valid JSON"
        # 200 MB by default; a smaller limit keeps the test's file small.
        for where in (
            "assessments.files.archive",
            "assessments.management.commands.import_campaign",
        ):
            monkeypatch.setattr(f"{where}.MAX_ARCHIVE_BYTES", 1024 * 1024)
    path = tmp_path / name
    path.write_bytes(make(2 * 1024 * 1024))
    before = database_state()
    with pytest.raises(CommandError) as refused:
        call_command(command, str(path))
    assert message in str(refused.value), str(refused.value)
    assert_unchanged(before)


def test_an_organisation_file_cannot_land_in_another_workspace(client, owner, other_workspace):
    """Mass assignment through a file: the consultant's upload names the rival workspace."""
    client.force_login(owner)
    before = database_state()
    doc = b"organization: implant\nname: Implant\nworkspace: rival\nsites: []\nteams: []\n"
    page = client.post(
        reverse("assessments:organization-upload"),
        {"file": SimpleUploadedFile("org.yaml", doc)},
    )
    assert "workspace" in page.content.decode() and "rival" in page.content.decode()
    assert_unchanged(before)


# Responses files: command line (the consultant's import).
RESPONSES_CASES = {
    "oversized": ("a.csv", lambda: oversized(20 * 1024 * 1024), "is larger than the limit"),
    "zip bomb": ("a.xlsx", zip_bomb, "unpacks to"),
    "broken xlsx": ("a.xlsx", lambda: b"PK\x03\x04 not really", "not a valid XLSX file"),
    "latin-1": (
        "a.csv",
        lambda: "respondent,function\nM\xfcller,it\n".encode("latin-1"),
        "not UTF-8",
    ),
    "nul": ("a.csv", lambda: b"respondent,function\nR\x001,it\n", "contains a NUL character"),
    "no header": ("a.csv", lambda: b"\n\n", "the file is empty"),
    "wrong type": ("a.pdf", lambda: b"%PDF-1.7", "use a .csv or .xlsx file"),
    "wrong cells": (
        "a.csv",
        lambda: b"respondent,function,C-1,submitted\nR1,robot,9,maybe\n",
        '"robot" is not a function',
    ),
    "formula": ("a.csv", lambda: b"respondent,function,C-1\n=cmd|'/c calc'!A1,it,=1+1\n", '"=1+1"'),
}


@pytest.mark.parametrize("case", RESPONSES_CASES)
def test_responses_imports(tmp_path, workspace, case):
    campaign = builders.campaign(workspace)
    name, make, message = RESPONSES_CASES[case]
    path = tmp_path / name
    path.write_bytes(make())
    before = database_state()
    with pytest.raises(CommandError) as refused:
        call_command("import_responses", campaign.slug, str(path))
    assert message in str(refused.value), str(refused.value)
    assert_unchanged(before)


# --- Hostile forms ----------------------------------------------------------------------------


@pytest.fixture
def world(workspace, other_workspace, owner, outsider):
    """Northwind, where the owner works, and Rival, whose objects the forms must never reach."""
    rival_org = builders.organization(other_workspace, slug="rival-co")
    return {
        **builders.url_world(workspace, owner),
        "rival": {
            "workspace": other_workspace,
            "organization": rival_org,
            "campaign": builders.campaign(other_workspace, slug="rival-2026", org=rival_org),
            "team": rival_org.teams.first(),
            "site": rival_org.sites.first(),
            "user": outsider,
        },
    }


def rival_state(rival: dict[str, Any]) -> list[Any]:
    from assessments.models import Campaign, Organization, Site, Team

    ws = rival["workspace"]
    return [
        list(Organization.objects.filter(workspace=ws).order_by("pk").values_list()),
        list(Campaign.objects.filter(organization__workspace=ws).order_by("pk").values_list()),
        list(Team.objects.filter(organization__workspace=ws).order_by("pk").values_list()),
        list(Site.objects.filter(organization__workspace=ws).order_by("pk").values_list()),
        list(Membership.objects.filter(workspace=ws).order_by("pk").values_list()),
        list(ClientViewer.objects.filter(organization__workspace=ws).values_list()),
        list(
            rival["campaign"].responses.order_by("pk").values_list()
            if hasattr(rival["campaign"], "responses")
            else []
        ),
    ]


FIELD = re.compile(r'name="([a-z_][a-z0-9_-]*)"', re.IGNORECASE)
COMMON_FIELDS = [
    "name", "slug", "text", "note", "dissent", "answer", "question", "action", "mode", "team",
    "function", "code", "email", "move", "file", "industry", "country", "site", "bank_version",
    "teams", "min_group_size", "gap_threshold", "opens_on", "closes_on", "role", "username",
]  # fmt: skip


def hostile_payloads(fields: list[str], rival: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ids = {
        "workspace": rival["workspace"].pk,
        "organization": rival["organization"].pk,
        "campaign": rival["campaign"].pk,
        "team": rival["team"].pk,
        "teams": rival["team"].pk,
        "site": rival["site"].pk,
        "user": rival["user"].pk,
        "bank_version": rival["campaign"].bank_version_id,
    }
    mass = {
        **{f"{name}": value for name, value in ids.items()},
        **{f"{name}_id": value for name, value in ids.items()},
        "is_staff": "on",
        "is_superuser": "on",
        "role": "owner",
        "pk": rival["organization"].pk,
        "id": rival["organization"].pk,
    }
    return {
        "huge": {field: "x" * 200_000 for field in fields},
        "wrong types": {field: ["1", "two", "-3", "2026-02-30", "NaN"] for field in fields},
        "mass assignment": {**{field: "legit" for field in fields}, **mass},
        "unicode": {field: "\u202e\ufeff\U0001f600<script>alert(1)</script>" for field in fields},
    }


def test_every_form_survives_hostile_posts(client, world, owner):
    """Every URL of the app, as its owner, with hostile bodies: never a server error, never a
    change to another workspace, and nothing of the rival's shown back."""
    client.force_login(owner)
    rival = world["rival"]
    rival_before = rival_state(rival)
    survey = Client()
    survey.get(reverse("assessments:link-open", args=[world["token"]]))  # the respondent
    tried = 0
    for pattern in app_patterns():
        url = url_for(pattern, world)
        browser = survey if pattern.name.startswith(("survey-", "link-", "workshop-")) else client
        page = browser.get(url)
        fields = sorted(
            set(FIELD.findall(page.content.decode(errors="replace"))) | set(COMMON_FIELDS)
        )
        fields = [f for f in fields if f != "csrfmiddlewaretoken"]
        for name, body in hostile_payloads(fields, rival).items():
            response = browser.post(url, body)
            tried += 1
            assert response.status_code < 500, (pattern.name, name, response.status_code)
            shown = response.content.decode(errors="replace")
            assert "rival-co" not in shown and "Rival-Co" not in shown, (pattern.name, name)
    assert tried >= 4 * len(app_patterns())
    assert rival_state(rival) == rival_before


def test_nul_characters_anywhere_are_refused_with_400(client, world, owner):
    client.force_login(owner)
    before = database_state()
    org_url = reverse("assessments:organization-create")
    for response in (
        client.post(org_url, {"name": "Nul\x00Corp", "slug": "nul"}),
        client.get(reverse("assessments:workshop-join", args=["AB\x00CD"])),
        client.get(reverse("assessments:home"), {"q": "\x00"}),
        Client(headers={"cookie": "sessionid=a\x00b"}).get(reverse("assessments:home")),
    ):
        assert response.status_code == 400
        assert "This request could not be understood" in response.content.decode()
    assert_unchanged(before)


def test_survey_answers_with_hostile_values_are_refused_with_a_message(world):
    phone = Client()
    phone.get(reverse("assessments:link-open", args=[world["token"]]))
    url = reverse("assessments:survey-answer", args=[world["public_id"]])
    before = database_state()
    cases = {
        (
            "C-1",
            "9",
        ): "C-1: &quot;9&quot; is not one of its answers",  # escaped: htmx puts it in the page
        ("C-1", "x" * 100_000): "is not one of its answers",
        ("NOPE", "1"): "This question is not part of the survey.",
        ("C-1", "NA"): "N/A is not an answer to this question",
    }
    for (key, value), message in cases.items():
        response = phone.post(url, {"question": key, f"q-{key}": value})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert_unchanged(before)


def test_team_form_refuses_a_site_of_another_organisation(client, world, owner):
    client.force_login(owner)
    before = database_state()
    page = client.post(
        reverse("assessments:team-create", args=["acme"]),
        {"name": "Implant", "slug": "implant", "function": "it", "site": world["rival"]["site"].pk},
    )
    assert "Select a valid choice" in page.content.decode()
    assert_unchanged(before)


def test_campaign_form_refuses_another_workspaces_teams(client, world, owner):
    client.force_login(owner)
    before = database_state()
    page = client.post(
        reverse("assessments:campaign-create", args=["acme"]),
        {
            "name": "Implant",
            "slug": "implant-2026",
            "bank_version": world["rival"]["campaign"].bank_version_id,
            "teams": [world["rival"]["team"].pk],
            "min_group_size": 3,
            "gap_threshold": 0.75,
        },
    )
    assert "Select a valid choice" in page.content.decode()
    assert_unchanged(before)


def test_workshop_join_refuses_a_team_of_another_organisation(world):
    from assessments.services.workshops import workshop_for

    workshop = workshop_for(world["response"].campaign)
    phone = Client()
    before = database_state()
    page = phone.post(
        reverse("assessments:workshop-join", args=[workshop.join_code]),
        {"team": world["rival"]["team"].pk},
    )
    assert "Choose your team to join." in page.content.decode()
    before.pop("assessments.workshop")
    after = database_state()
    after.pop("assessments.workshop")
    assert after == before


def test_archive_cannot_import_into_an_existing_campaign_or_workspace_by_id(tmp_path, world):
    """An archive naming the rival's campaign slug is refused, whatever else it holds."""
    from assessments.files.archive import campaign_archive, dump_archive

    document = json.loads(dump_archive(campaign_archive(world["rival"]["campaign"])))
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(document))
    before = database_state()
    with pytest.raises(CommandError) as refused:
        call_command("import_campaign", str(path))
    assert "already exists" in str(refused.value)
    assert_unchanged(before)


def test_an_archive_with_a_nul_in_a_note_is_refused(tmp_path, world):
    """Deep inside an archive (a parking-lot note), where no field validator looks."""
    from assessments.files.archive import campaign_archive, dump_archive

    document = json.loads(dump_archive(campaign_archive(world["campaign"])))
    document["campaigns"][-1]["slug"] = "copy-2026"
    document["campaigns"][-1]["notes"] = [{"text": "a\x00b", "created": None}]
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(document))
    before = database_state()
    with pytest.raises(CommandError) as refused:
        call_command("import_campaign", str(path))
    assert "notes[0].text: contains a NUL character (U+0000)" in str(refused.value)
    assert_unchanged(before)
