"""Benchmark: inviting people in bulk, and the background jobs that mail them.

    .venv/bin/python bench/invitations.py [--sizes 500,5000] [--databases sqlite,postgres]

Fresh database with the default bank and the demo organisation, an open campaign. For each
size, a CSV of that many people (name, email, team) is read and checked (`read_invitees`)
and the links are made (`invitations_bulk_create`, one transaction, as the upload page does),
then a worker runs every queued e-mail job (`db_worker`'s loop, e-mails to Django's
in-memory outbox, so the figure is the app's cost, not a mail server's). Then a reminder to
everyone. Prints milliseconds and queries for each step.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import _setup, database_url, demo_campaign, run_step


def one(size: int) -> dict[str, object]:
    _setup()
    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.services.invitations import (
        invitations_bulk_create,
        read_invitees,
        reminders_send,
    )
    from assessments.tasks import run_due_jobs

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    _version, _workspace, org, campaign = demo_campaign("bench-invitations")
    teams = list(org.teams.values_list("slug", flat=True))
    lines = ["name,email,team"] + [
        f"Person {n},person{n}@bench.example,{teams[n % len(teams)]}" for n in range(size)
    ]
    data = ("\r\n".join(lines) + "\r\n").encode()
    result: dict[str, object] = {"size": size, "file_kb": round(len(data) / 1024)}

    def worker() -> None:
        run_due_jobs("bench")

    steps = {
        "read_ms": lambda: read_invitees(data, "people.csv", campaign=campaign),
    }
    people = None
    for name, step in steps.items():
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            people = step()
            result[name] = round((time.perf_counter() - start) * 1000)
        result[name.replace("_ms", "_queries")] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        invitations_bulk_create(
            campaign=campaign,
            people=people,
            created_by=None,
            base_url="https://convergence.example/",
            source="people.csv",
        )
        result["create_ms"] = round((time.perf_counter() - start) * 1000)
    result["create_queries"] = len(queries)
    start = time.perf_counter()
    worker()
    result["mail_jobs_ms"] = round((time.perf_counter() - start) * 1000)
    result["mails"] = len(mail.outbox)
    result["per_mail_ms"] = round(float(result["mail_jobs_ms"]) / max(len(mail.outbox), 1), 2)
    mail.outbox = []
    start = time.perf_counter()
    queued = reminders_send(campaign=campaign, base_url="https://convergence.example/")
    result["remind_queue_ms"] = round((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    worker()
    result["reminder_jobs_ms"] = round((time.perf_counter() - start) * 1000)
    result["reminders"] = f"{queued} queued, {len(mail.outbox)} sent"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,5000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    with tempfile.TemporaryDirectory() as workdir:
        for database in args.databases.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                url = database_url(database, Path(workdir), name=f"bench_invitations_{size}")
                env = {**os.environ, "DATABASE_URL": url}
                row = run_step(env, "--one", str(size), script=__file__)
                print(database, json.dumps(row))


if __name__ == "__main__":
    main()
