"""Benchmark: import and score campaigns of 500, 5,000 and 50,000 submitted respondents.

    .venv/bin/python bench/scoring.py                      # all sizes, SQLite and PostgreSQL
    .venv/bin/python bench/scoring.py --sizes 500,5000 --databases sqlite

Each (database, size) runs in a fresh process on a fresh database (a temporary SQLite file,
or the PostgreSQL database `convergence_bench`, dropped and created), with the default bank
and the demo generator's answers imported through the same CSV import a consultant uses.
It prints, per run: import time and the import process's peak memory (max RSS); then, in a
fresh process, cold scoring time (nothing cached), cached scoring time, the queries a cold
score issues, and the scoring process's peak memory.
Figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = "convergence_bench"


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convergence.settings")
    import django

    django.setup()


def peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def demo_campaign(slug: str) -> tuple[Any, Any, Any, Any]:
    """A fresh, migrated database with the default bank, the Northwind workspace, the demo
    organisation and an open campaign `slug` on it: (version, workspace, org, campaign)."""
    from django.core.management import call_command

    from assessments.files.banks import bank_import
    from assessments.files.organizations import organization_import
    from assessments.models import Campaign, Workspace
    from assessments.services.campaigns import campaign_create

    call_command("migrate", verbosity=0)
    version = bank_import(
        data=(ROOT / "fixtures/banks/itot-convergence.yaml").read_bytes(), fmt="yaml"
    ).version
    workspace = Workspace.objects.create(slug="northwind-consulting", name="Northwind")
    org = organization_import(
        data=(ROOT / "fixtures/demo/acme.yaml").read_bytes(), fmt="yaml"
    ).organization
    campaign = campaign_create(
        slug=slug, organization=org, bank_version=version, status=Campaign.Status.OPEN
    )
    return version, workspace, org, campaign


def import_run(database: str, size: int) -> dict[str, object]:
    """Fresh database, default bank, demo organisation, `size` generated respondents."""
    _setup()
    from assessments import demo
    from assessments.files.responses import responses_import

    version, _workspace, _org, campaign = demo_campaign("bench")
    questions = demo.question_infos(version)
    plants = ("plant-north", "plant-south")
    shares = [
        ("it-ops", "it", 0.18, plants),
        ("it-apps", "it", 0.12, plants),
        ("maintenance-north", "ot", 0.22, ()),
        ("automation-south", "ot", 0.2, ()),
        ("production-north", "business", 0.2, ()),
        ("plant-management", "leadership", 0.08, plants),
    ]
    plans = [
        demo.TeamPlan(slug, fn, round(size * share), sites) for slug, fn, share, sites in shares
    ]
    rows = demo.generate_rows(questions, plans, levels=demo.CURRENT_LEVELS, seed=size, prefix="b")
    data = demo.rows_to_csv(rows, questions)

    started = time.perf_counter()
    responses_import(campaign=campaign, data=data, filename="bench.csv")
    return {
        "database": database,
        "csv_mb": round(len(data) / 1e6, 1),
        "import_s": round(time.perf_counter() - started, 2),
        "import_peak_mb": peak_mb(),
    }


def score_run() -> dict[str, object]:
    """In a fresh process: cold score (nothing cached), then cached reads."""
    _setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.models import Campaign, ScoreSnapshot
    from assessments.selectors.scores import campaign_scores

    campaign = Campaign.objects.select_related("bank_version__bank").get(slug="bench")
    ScoreSnapshot.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        document = campaign_scores(campaign)
        cold = time.perf_counter() - started
    cached_times = []
    for _ in range(5):
        started = time.perf_counter()
        campaign_scores(campaign)
        cached_times.append(time.perf_counter() - started)
    # A filtered view (the dashboard's ?site=), cold too: the same queries, another view.
    from assessments.scoring import View

    started = time.perf_counter()
    campaign_scores(campaign, View(site="plant-north"))
    view_cold = time.perf_counter() - started
    return {
        "respondents": document["respondents"]["submitted"],
        "answers": sum(q["n"] + q["na"] + q["dk"] for q in document["questions"].values()),
        "cold_s": round(cold, 3),
        "view_cold_s": round(view_cold, 3),
        "cached_ms": round(min(cached_times) * 1000, 1),
        "queries_cold": len(queries.captured_queries),
        "score_peak_mb": peak_mb(),
    }


def database_url(database: str, workdir: Path, name: str = PG_BENCH_DB) -> str:
    """A fresh database: an SQLite file in workdir, or the PostgreSQL database `name`,
    dropped and created."""
    if database == "sqlite":
        return f"sqlite:///{workdir / (name + '.sqlite3')}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,5000,50000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--import-one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--score-one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_one:
        print(json.dumps(import_run(args.import_one[0], int(args.import_one[1]))))
        return
    if args.score_one:
        print(json.dumps(score_run()))
        return
    header = (
        f"{'database':<9} {'respondents':>11} {'answers':>9} {'csv MB':>6} {'import s':>8} "
        f"{'import MB':>9} {'cold s':>7} {'view s':>7} {'cached ms':>9} {'queries':>7} "
        f"{'score MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for database in args.databases.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                env = {
                    **os.environ,
                    "DATABASE_URL": database_url(database, Path(tmp)),
                    "DEBUG": "1",
                }
                r = run_step(env, "--import-one", database, str(size))
                r.update(run_step(env, "--score-one"))
            print(
                f"{r['database']:<9} {r['respondents']:>11,} {r['answers']:>9,} "
                f"{r['csv_mb']:>6} {r['import_s']:>8} {r['import_peak_mb']:>9} "
                f"{r['cold_s']:>7} {r['view_cold_s']:>7} {r['cached_ms']:>9} "
                f"{r['queries_cold']:>7} {r['score_peak_mb']:>8}",
                flush=True,
            )


def run_step(env: dict[str, str], *args: str, script: str = __file__) -> dict[str, object]:
    result = subprocess.run(  # nosec B603  # noqa: S603 - runs a script of this folder
        [sys.executable, script, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        print(result.stderr, file=sys.stderr)
        raise SystemExit(f"{' '.join(args)}: failed")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
