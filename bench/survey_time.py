"""Benchmark: how long a respondent takes for the default bank, per function, on a phone.

    .venv/bin/python bench/survey_time.py [--bank fixtures/banks/itot-convergence.yaml]
                                          [--wpm 200] [--choose 2.0]

Two parts. *Read and tap* is counted from the bank: the words a respondent of each function
reads (question, help, answers; a decision row is its short text, the grid's legend once),
at `--wpm` words per minute (200: reading on a phone is slower than the 238 wpm adults read
non-fiction on paper, Brysbaert 2019), plus `--choose` seconds per answer to decide and tap
and one tap per page. *Server* is measured: a fresh SQLite database, one respondent per
function answering every question through the survey's own URLs with Django's test client
(each answer autosaved as the phone does, then Next on every page, then Submit), timed.
Prints one row per function; the slowest is the figure to promise.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ("it", "ot", "business", "leadership", "other")
LEGEND_WORDS = 24  # the decision grid's legend: IT / OT / jointly / the vendor / nobody, ...


def words(text: str | None) -> int:
    return len(re.findall(r"\S+", text or ""))


def reading(bank: dict, function: str, wpm: float, choose: float) -> dict[str, float]:
    asked = [q for q in bank["questions"] if not q.get("audience") or function in q["audience"]]
    scored = [q for q in asked if q.get("kind", "scored") == "scored"]
    decisions = [q for q in asked if q.get("kind") == "decision"]
    read = sum(
        words(q["text"]) + words(q.get("help")) + sum(words(c["text"]) for c in q["choices"])
        for q in scored
    )
    read += sum(words(q["text"]) for q in decisions) + (LEGEND_WORDS if decisions else 0)
    pages = len({q["dimension"] for q in asked})
    seconds = read / wpm * 60 + choose * (len(scored) + len(decisions)) + pages
    return {
        "scored": len(scored),
        "decisions": len(decisions),
        "words": read,
        "per_question": round(read / max(1, len(scored) + len(decisions)), 1),
        "read_tap_min": round(seconds / 60, 1),
    }


def server_walk(bank_file: Path) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'walk.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convergence.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from assessments.files.banks import bank_import
        from assessments.models import Campaign, Invitation, Organization, Team, Workspace
        from assessments.services.campaigns import campaign_create
        from assessments.services.survey import (
            answer_minutes,
            invitation_create,
            response_start,
            survey_pages,
        )
        from assessments.views.survey import SESSION_RESPONSES

        call_command("migrate", verbosity=0)
        version = bank_import(data=bank_file.read_bytes(), fmt="yaml").version
        workspace = Workspace.objects.create(slug="bench", name="Bench")
        org = Organization.objects.create(workspace=workspace, slug="walk", name="Walk")
        campaign = campaign_create(
            slug="walk-2026", organization=org, bank_version=version, status=Campaign.Status.OPEN
        )
        results = {}
        for function in FUNCTIONS:
            team = Team.objects.create(
                organization=org, slug=f"t-{function}", name=function, function=function
            )
            link = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=team)
            response = response_start(invitation=link.invitation)
            phone = Client(HTTP_HOST="127.0.0.1")
            session = phone.session
            session[SESSION_RESPONSES] = [str(response.public_id)]
            session.save()
            answer_url = reverse("assessments:survey-answer", args=[response.public_id])
            saves: list[float] = []
            pages_ms: list[float] = []
            for page in survey_pages(response):
                url = reverse("assessments:survey-page", args=[response.public_id, page.number])
                started = time.perf_counter()
                assert phone.get(url).status_code == 200
                pages_ms.append((time.perf_counter() - started) * 1000)
                for question in page.questions:
                    value = "joint" if question.is_decision else question.choices.all()[0].key
                    started = time.perf_counter()
                    saved = phone.post(
                        answer_url, {"question": question.key, f"q-{question.key}": value}
                    )
                    saves.append((time.perf_counter() - started) * 1000)
                    assert saved.status_code == 200, saved.content[:200]
                started = time.perf_counter()
                phone.post(url, {"move": "next"})
                pages_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            phone.post(reverse("assessments:survey-submit", args=[response.public_id]))
            pages_ms.append((time.perf_counter() - started) * 1000)
            response.refresh_from_db()
            assert response.submitted_at is not None
            results[function] = {
                "promised_min": answer_minutes(version.pk, (), function),
                "save_median_ms": round(statistics.median(saves), 1),
                "server_s": round((sum(saves) + sum(pages_ms)) / 1000, 2),
            }
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bank", default=str(ROOT / "fixtures/banks/itot-convergence.yaml"))
    parser.add_argument("--wpm", type=float, default=200)
    parser.add_argument("--choose", type=float, default=2.0)
    args = parser.parse_args()
    bank_file = Path(args.bank)
    bank = yaml.safe_load(bank_file.read_text())
    measured = server_walk(bank_file)
    header = (
        f"{'function':<11} {'scored':>6} {'decide':>6} {'words':>6} {'w/q':>5} "
        f"{'read+tap min':>12} {'save ms':>8} {'server s':>8} {'total min':>9} "
        f"{'start page says':>15}"
    )
    print(f"{bank['bank']} v{bank['version']}: {args.wpm:g} wpm, {args.choose:g} s per answer")
    print(header)
    print("-" * len(header))
    for function in FUNCTIONS:
        r = reading(bank, function, args.wpm, args.choose)
        m = measured[function]
        total = r["read_tap_min"] + m["server_s"] / 60
        print(
            f"{function:<11} {r['scored']:>6} {r['decisions']:>6} {r['words']:>6} "
            f"{r['per_question']:>5} {r['read_tap_min']:>12} {m['save_median_ms']:>8} "
            f"{m['server_s']:>8} {total:>9.1f} {m['promised_min']:>11} min",
            flush=True,
        )


if __name__ == "__main__":
    main()
