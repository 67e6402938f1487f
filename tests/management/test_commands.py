"""Command-line behaviour shared by every command: exit status, messages, output files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from assessments.models import BankVersion, Campaign, Membership, Organization, Team
from assessments.selectors.scores import find_baseline
from tests.builders import import_small_bank

pytestmark = pytest.mark.django_db


def test_export_bank_to_file_and_stdout(tmp_path, capsys):
    import_small_bank()
    call_command(
        "export_bank",
        "mini",
        "--version",
        "1",
        "--format",
        "json",
        "-o",
        str(tmp_path / "mini.json"),
    )
    assert '"bank": "mini"' in (tmp_path / "mini.json").read_text()
    call_command("export_bank", "mini")
    assert capsys.readouterr().out.startswith("bank: mini\nversion: 1\n")


def test_export_unknown_bank_fails():
    with pytest.raises(CommandError, match="nobank version 3: no such bank version"):
        call_command("export_bank", "nobank", "--version", "3")


def test_import_bank_missing_file():
    with pytest.raises(CommandError, match=r"nope\.yaml: no such file"):
        call_command("import_bank", "nope.yaml")


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Log in as consultant: consultant / convergence-demo" in out
    assert Organization.objects.get(slug="acme").sites.count() == 2
    assert Team.objects.filter(organization__slug="acme").count() == 7
    assert set(Team.objects.values_list("function", flat=True)) == {
        "it",
        "ot",
        "business",
        "leadership",
    }
    assert Membership.objects.filter(user__username="consultant").count() == 1
    assert BankVersion.objects.filter(bank__slug="itot-convergence", number=1).count() == 1
    current = Campaign.objects.get(slug="acme-2026")
    baseline = find_baseline(current)
    assert baseline is not None
    assert (current.bank_version.number, baseline.bank_version.number) == (3, 1)


def test_demo_login_works(client):
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/", {"username": "consultant", "password": "convergence-demo"}
    )
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "ACME Manufacturing" in page


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_bad_input_exits_1_with_problems_on_stderr(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("bank: Bad Slug\n")
    import os

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = run_manage("import_bank", str(bad), env=env)
    assert result.returncode == 1
    assert "refused, nothing was written" in result.stderr
    assert "bank: use lowercase letters, digits and hyphens" in result.stderr


def _row_counts() -> tuple[int, ...]:
    from assessments.models import Answer, Campaign, Response

    return tuple(
        model.objects.count()
        for model in (BankVersion, Organization, Team, Campaign, Response, Answer)
    )


def test_dry_runs_check_everything_and_write_nothing(tmp_path, capsys):
    """Every import command takes --dry-run: the real import runs, then rolls back."""
    from assessments.files.archive import campaign_archive
    from assessments.models import Campaign
    from tests.files.test_archive import _as_copy

    bank = settings.BASE_DIR / "fixtures" / "banks" / "itot-convergence.yaml"
    org = settings.BASE_DIR / "fixtures" / "demo" / "acme.yaml"
    before = _row_counts()
    call_command("import_bank", str(bank), "--dry-run")
    call_command("import_org", str(org), "--dry-run")
    out = capsys.readouterr().out
    assert out.count("Dry run, nothing was written. The import would say: ") == 2
    assert "Imported itot-convergence v3 (published)" in out
    assert _row_counts() == before

    call_command("seed_demo")
    campaign = Campaign.objects.get(slug="acme-2026")
    answers = tmp_path / "answers.csv"
    answers.write_text("respondent,function,COL-1\nnew-1,it,2\n")
    archive = tmp_path / "archive.json"
    archive.write_text(json.dumps(_as_copy(campaign_archive(campaign))))
    capsys.readouterr()
    before = _row_counts()
    call_command("import_responses", "acme-2026", str(answers), "--dry-run")
    call_command("import_campaign", str(archive), "--dry-run")
    out = capsys.readouterr().out
    assert "would say: Imported 1 response(s): 1 submitted" in out
    assert "acme-2026-copy" in out
    assert _row_counts() == before
    # A bad file is refused as without --dry-run.
    answers.write_text("respondent,function,COL-1\nnew-1,it,9\n")
    with pytest.raises(CommandError, match='"9" is not a choice of COL-1'):
        call_command("import_responses", "acme-2026", str(answers), "--dry-run")
