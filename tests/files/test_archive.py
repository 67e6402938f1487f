"""Campaign archives: a campaign moves to an empty deployment with identical scores; what
exists already is refused; a bad archive writes nothing and says where it is wrong."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.errors import Refused
from assessments.files.archive import archive_import, campaign_archive
from assessments.models import Campaign, ParkingNote, Response

ROOT = Path(__file__).resolve().parents[2]


def _manage(database: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    result = subprocess.run(  # noqa: S603 - this project's manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return result.stdout


def test_archive_into_an_empty_database_gives_identical_scores(tmp_path):
    source, target = tmp_path / "source.sqlite3", tmp_path / "target.sqlite3"
    archive = tmp_path / "acme-2026.json"
    _manage(source, "migrate", "-v0")
    _manage(source, "seed_demo")
    _manage(source, "export_campaign", "acme-2026", "-o", str(archive))
    _manage(target, "migrate", "-v0")
    message = _manage(target, "import_campaign", str(archive))
    assert "Imported acme-2025, acme-2026 into acme" in message
    for slug in ("acme-2026", "acme-2025"):
        assert _manage(target, "score", slug, "--json") == _manage(source, "score", slug, "--json")
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _manage(target, "import_campaign", str(archive))
    assert "campaign 'acme-2026' already exists" in refused.value.stderr


def _as_copy(archive: dict, slug: str = "acme-2026-copy") -> dict:
    """The demo archive under a new slug: its baseline (acme-2025) is already here."""
    archive = copy.deepcopy(archive)
    archive["campaigns"][-1]["slug"] = slug
    archive["campaigns"][-1]["scores"]["campaign"] = slug
    return archive


def _import(archive: dict):
    return archive_import(data=json.dumps(archive).encode())


def test_archive_carries_what_a_campaign_needs(demo):
    archive = campaign_archive(demo)
    assert [c["slug"] for c in archive["campaigns"]] == ["acme-2025", "acme-2026"]
    entry = archive["campaigns"][-1]
    assert entry["baseline"] == "acme-2025" and entry["status"] == "open"
    assert len(entry["responses"]) == 63
    assert {a["question"]: a["answer"] for a in entry["agreed_answers"]} == {
        "INF-2": "1",
        "COL-3": "1",
        "DEC-2": "1",
        "DR-2": "joint",
    }
    assert len(entry["notes"]) == ParkingNote.objects.filter(campaign=demo).count()
    assert archive["organization"]["organization"] == "acme"
    assert [(b["bank"], b["version"]) for b in archive["banks"]] == [
        ("itot-convergence", 1),
        ("itot-convergence", 3),
    ]


def test_import_beside_an_existing_baseline(demo):
    from assessments.models import Answer

    commented = Answer.objects.filter(response__campaign=demo).select_related("response").first()
    commented.comment = "Firewall rules change weekly."
    commented.save()
    result = _import(_as_copy(campaign_archive(demo)))
    assert result.reused == ["acme-2025"] and result.imported == ["acme-2026-copy"]
    copy_ = Campaign.objects.get(slug="acme-2026-copy")
    assert Response.objects.filter(campaign=copy_).count() == 63
    assert Response.objects.filter(campaign=copy_, submitted_at__isnull=False).count() == 59
    # Comments travel with their answers.
    copied = Answer.objects.get(response__campaign=copy_, comment__startswith="Firewall")
    assert copied.response.respondent == commented.response.respondent
    assert copied.question_id == commented.question_id and copied.cell == commented.cell


def _unchanged(check):
    counts = (Campaign.objects.count(), Response.objects.count(), ParkingNote.objects.count())
    check()
    assert (
        Campaign.objects.count(),
        Response.objects.count(),
        ParkingNote.objects.count(),
    ) == counts


def test_existing_campaign_is_refused(demo):
    archive = campaign_archive(demo)

    def check():
        with pytest.raises(Refused, match="'acme-2026' already exists"):
            _import(archive)

    _unchanged(check)


def test_edited_answers_are_caught_by_the_scores(demo):
    archive = _as_copy(campaign_archive(demo))
    responses = archive["campaigns"][-1]["responses"]
    first = next(r for r in responses if r["submitted_at"] and r["answers"].get("COL-1") != "3")
    first["answers"]["COL-1"] = "3"

    def check():
        with pytest.raises(Refused, match=r"campaigns\[1\]\.scores: .*differ"):
            _import(archive)

    _unchanged(check)


def test_bad_answers_say_where(demo):
    archive = _as_copy(campaign_archive(demo))
    archive["campaigns"][-1]["responses"][3]["answers"]["COL-1"] = "7"
    archive["campaigns"][-1]["responses"][5]["team"] = "nowhere"

    def check():
        with pytest.raises(Refused) as refused:
            _import(archive)
        problems = refused.value.lines
        assert any(p.startswith("campaigns[1].responses[3].answers.COL-1: ") for p in problems)
        assert any(p.startswith("campaigns[1].responses[5].team: ") for p in problems)

    _unchanged(check)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda a: a.update(format="something-else"), "format: must be"),
        (lambda a: a.update(format_version=9), "format_version: 9 is not supported"),
        (lambda a: a.pop("banks"), "banks: is missing"),
        (lambda a: a.update(extra=1), "extra: is not a field"),
        (lambda a: a["campaigns"][-1].update(status="paused"), "status: must be draft"),
        (lambda a: a["campaigns"][-1].update(responses="lots"), "responses: must be a list"),
        (lambda a: a["campaigns"][-1].update(min_group_size=0), "min_group_size: must be"),
        (lambda a: a["campaigns"][-1].update(opens_on="soon"), "opens_on: must be a date"),
    ],
)
def test_malformed_archives_are_refused(demo, mutate, message):
    archive = _as_copy(campaign_archive(demo))
    mutate(archive)

    def check():
        with pytest.raises(Refused) as refused:
            _import(archive)
        assert any(message in p for p in refused.value.lines), refused.value.lines

    _unchanged(check)


def test_not_json_is_refused_by_the_command(tmp_path, db):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_campaign", str(bad))


def test_responses_set_aside_stay_set_aside(demo):
    from django.utils import timezone

    waiting = Response.objects.filter(campaign=demo, submitted_at__isnull=True)
    assert waiting.update(discarded_at=timezone.now(), discard_reason="made up") == 4
    archive = campaign_archive(demo)
    entries = archive["campaigns"][-1]["responses"]
    assert len(entries) == 63  # kept, like the database keeps them
    assert sum("discarded_at" in e for e in entries) == 4
    _import(_as_copy(archive))  # the scores, without them, match
    copy_ = Campaign.objects.get(slug="acme-2026-copy")
    assert set(
        Response.objects.filter(campaign=copy_, discarded_at__isnull=False).values_list(
            "discard_reason", flat=True
        )
    ) == {"made up"}
    assert Response.objects.counted().filter(campaign=copy_).count() == 59


def test_languages_and_the_report_language_travel_and_are_checked(demo):
    Campaign.objects.filter(pk=demo.pk).update(languages=["de", "en"], report_language="de")
    demo.refresh_from_db()
    entry = campaign_archive(demo)["campaigns"][-1]
    assert entry["languages"] == ["de", "en"] and entry["report_language"] == "de"
    copied = _import(_as_copy(campaign_archive(demo))).campaign
    assert copied.languages == ["de", "en"] and copied.report_language == "de"

    wrong = _as_copy(campaign_archive(demo), "acme-2026-french")
    wrong["campaigns"][-1]["report_language"] = "fr"
    with pytest.raises(Refused) as refused:
        _import(wrong)
    assert "campaigns[1].report_language: 'fr' is not a report language; choose one of en, de" in (
        str(refused.value)
    )
    assert not Campaign.objects.filter(slug="acme-2026-french").exists()


def test_default_languages_leave_the_fields_out(demo):
    entry = campaign_archive(demo)["campaigns"][-1]
    assert "report_language" not in entry


def test_the_roadmap_travels_and_is_checked(demo):
    """Initiatives go out with their campaign and come back the same; a wrong one is refused
    at its place and nothing is written."""
    from assessments.models import Initiative

    archive = campaign_archive(demo)
    baseline, current = archive["campaigns"]
    assert [i["title"] for i in baseline["initiatives"]] == [
        "One OT/IT change board for both plants",  # the roadmap's order: soonest first,
        "Plant network segmentation and a remote-access gateway for vendors",  # then impact
        "Hybrid IT/OT training for shift engineers",
    ]
    assert len(current["initiatives"]) == Initiative.objects.filter(campaign=demo).count() == 4
    joint = next(i for i in current["initiatives"] if i["title"].startswith("Joint"))
    assert joint == {
        "title": "Joint IT/OT targets in next year's objectives",
        "owner": "COO and CIO",
        "dimensions": ["decisions"],
        "questions": ["DEC-3"],
        "horizon": 3,
        "effort": 1,
        "impact": 3,
        "status": "planned",
    }
    copied = _import(_as_copy(archive)).campaign
    fields = ("title", "owner", "dimensions", "questions", "horizon", "effort", "impact", "status")
    assert list(Initiative.objects.filter(campaign=copied).values_list(*fields)) == list(
        Initiative.objects.filter(campaign=demo).values_list(*fields)
    )
    assert campaign_archive(copied)["campaigns"][-1]["initiatives"] == current["initiatives"]

    wrong = _as_copy(archive, "acme-2026-wrong")
    wrong["campaigns"][-1]["initiatives"][1]["dimensions"] = ["skills", "plumbing"]
    wrong["campaigns"][-1]["initiatives"][1]["effort"] = 5
    refusals = []

    def check():
        with pytest.raises(Refused) as refused:
            _import(wrong)
        refusals.append(str(refused.value))

    _unchanged(check)
    text = refusals[0]
    assert "campaigns[1].initiatives[1].dimensions: plumbing: not a dimension of this" in text
    assert "campaigns[1].initiatives[1].effort: 5 is not one of 1, 2, 3" in text
    assert not Campaign.objects.filter(slug="acme-2026-wrong").exists()
    assert Initiative.objects.count() == 3 + 4 + 4


def test_no_roadmap_leaves_the_field_out(demo):
    from assessments.models import Initiative

    Initiative.objects.filter(campaign=demo).delete()
    assert "initiatives" not in campaign_archive(demo)["campaigns"][-1]
