"""Benchmark: the executive PDF report, first after start, warm, and cached.

    .venv/bin/python bench/report.py                  # the demo campaign and 5,000 respondents
    .venv/bin/python bench/report.py --sizes 5000

First: a fresh process renders a report (kaleido's Chromium starts, WeasyPrint's child
process starts). Warm: the same process renders again after the stored PDF is deleted
(median of three). Cached: the stored PDF is served. SQLite; the database work is the dashboard's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import _setup, database_url, peak_mb, run_step


def report_run(slug: str) -> dict[str, object]:
    _setup()
    from assessments.models import Campaign, ReportFile
    from assessments.outputs.report import campaign_report_pdf, chromium_available

    campaign = Campaign.objects.select_related("organization__workspace", "bank_version__bank").get(
        slug=slug
    )
    timings = []
    for _ in range(4):  # the first, then three warm renders
        ReportFile.objects.all().delete()
        started = time.perf_counter()
        pdf = campaign_report_pdf(campaign)
        timings.append(time.perf_counter() - started)
    cached = []
    for _ in range(5):
        started = time.perf_counter()
        campaign_report_pdf(campaign)
        cached.append(time.perf_counter() - started)
    return {
        "first_s": round(timings[0], 2),
        "warm_s": round(statistics.median(timings[1:]), 2),
        "cached_ms": round(min(cached) * 1000, 1),
        "pdf_kb": round(len(pdf) / 1024),
        "charts": chromium_available(),
        "peak_mb": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="demo,5000")
    parser.add_argument("--report-one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.report_one:
        print(json.dumps(report_run(args.report_one)))
        return
    header = (
        f"{'campaign':<10} {'first s':>8} {'warm s':>7} {'cached ms':>9} {'PDF kB':>7} "
        f"{'charts':>6} {'peak MB':>7}"
    )
    print(header)
    print("-" * len(header))
    scoring = str(Path(__file__).resolve().parent / "scoring.py")
    root = Path(__file__).resolve().parent.parent
    for size in args.sizes.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "DATABASE_URL": database_url("sqlite", Path(tmp)), "DEBUG": "1"}
            if size == "demo":
                for command in (["migrate", "-v0"], ["seed_demo"]):
                    subprocess.run(  # nosec B603  # noqa: S603 - this project's manage.py
                        [sys.executable, str(root / "manage.py"), *command],
                        env=env,
                        check=True,
                        capture_output=True,
                    )
                slug = "acme-2026"
            else:
                run_step(env, "--import-one", "sqlite", size, script=scoring)
                slug = "bench"
            r = run_step(env, "--report-one", slug, script=__file__)
        print(
            f"{size:<10} {r['first_s']:>8} {r['warm_s']:>7} {r['cached_ms']:>9} "
            f"{r['pdf_kb']:>7} {r['charts']!s:>6} {r['peak_mb']:>7}",
            flush=True,
        )


if __name__ == "__main__":
    main()
