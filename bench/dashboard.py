"""Benchmark: server time of the campaign dashboard, cold (no cached scores) and warm.

    .venv/bin/python bench/dashboard.py                    # 500 and 5,000, SQLite and PostgreSQL
    .venv/bin/python bench/dashboard.py --sizes 5000 --databases sqlite

Builds the campaign as bench/scoring.py does (fresh database, default bank, generated
respondents through the CSV import), then in a fresh process renders the dashboard through
Django's test client: server time is the whole request (view, scoring if cold, charts,
template). Cold: every stored score snapshot deleted first. Warm: best of ten.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import _setup, database_url, peak_mb, run_step


def render_run() -> dict[str, object]:
    _setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from assessments.models import Campaign, Membership, ScoreSnapshot, Workspace

    user = get_user_model().objects.create_user("bench")
    Membership.objects.create(user=user, workspace=Workspace.objects.get(), role="owner")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = f"/campaigns/{Campaign.objects.get(slug='bench').slug}/dashboard/"
    ScoreSnapshot.objects.all().delete()
    started = time.perf_counter()
    response = client.get(url)
    cold = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    warm = []
    for _ in range(10):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(url)
            warm.append(time.perf_counter() - started)
    return {
        "cold_ms": round(cold * 1000),
        "warm_ms": round(min(warm) * 1000),
        "warm_median_ms": round(statistics.median(warm) * 1000),
        "queries_warm": len(queries.captured_queries),
        "html_kb": round(len(response.content) / 1024),
        "peak_mb": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,5000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--render-one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_one:
        print(json.dumps(render_run()))
        return
    header = (
        f"{'database':<9} {'respondents':>11} {'cold ms':>8} {'warm ms':>8} "
        f"{'median ms':>9} {'queries':>7} {'HTML kB':>7} {'peak MB':>7}"
    )
    print(header)
    print("-" * len(header))
    here = str(Path(__file__).resolve().parent / "scoring.py")
    for database in args.databases.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                env = {
                    **os.environ,
                    "DATABASE_URL": database_url(database, Path(tmp)),
                    "DEBUG": "1",
                }
                run_step(env, "--import-one", database, str(size), script=here)
                r = run_step(env, "--render-one", script=__file__)
            print(
                f"{database:<9} {size:>11,} {r['cold_ms']:>8} {r['warm_ms']:>8} "
                f"{r['warm_median_ms']:>9} {r['queries_warm']:>7} {r['html_kb']:>7} "
                f"{r['peak_mb']:>7}",
                flush=True,
            )


if __name__ == "__main__":
    main()
