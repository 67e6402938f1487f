"""Running background jobs inside a test: what `manage.py db_worker --batch` does, with the
test's database connection kept open (the worker closes stale connections between jobs)."""

from __future__ import annotations

from unittest import mock


def run_due_jobs_in_test(worker_id: str = "tests") -> None:
    from django_tasks_db.management.commands import db_worker

    from assessments.tasks import run_due_jobs

    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        run_due_jobs(worker_id)
