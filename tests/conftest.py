"""Shared fixtures: a fixed cast of users, the default bank and the demo organisation.

The cast: `owner` and `consultant` of the Northwind workspace, and `outsider`, owner of
another workspace. Builders for the rest live in tests/builders.py.

The demo (`manage.py seed_demo`: ACME, 74 people in seven teams, two campaigns) takes over a
second to build, so it is built once per test module that asks for it (`demo_db`) and removed
after the module; each test still runs in its own transaction, rolled back at its end.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests import builders


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the tests use a database file, as production does, not Django's default
    in-memory database: the browser tests' live server answers each request in its own thread,
    and an in-memory database is one connection shared by every thread, so two phones polling
    at once interleaved their savepoints ("no such savepoint", CI stop 28). With a file each
    thread opens its own connection, under WAL and IMMEDIATE transactions like `make run`."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(autouse=True)
def _english_to_begin_with():
    """Each test starts in the default language: a view that spoke German for one test's
    request (its thread's active language) must not speak it in the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache counts wrong survey links per address; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workspace(db):
    return builders.workspace("northwind")


@pytest.fixture
def other_workspace(db):
    return builders.workspace("rival")


@pytest.fixture
def owner(workspace):
    return builders.user("olivia", workspace, role="owner")


@pytest.fixture
def consultant(workspace):
    return builders.user("carl", workspace, role="consultant")


@pytest.fixture
def outsider(other_workspace):
    return builders.user("oscar", other_workspace, role="owner")


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("stella", password="pw-stella-123")


@pytest.fixture
def default_bank(db):
    return builders.default_bank()


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(demo_db, db):
    """The demo's current campaign, acme-2026 (open; acme-2025 is its closed baseline)."""
    from assessments.models import Campaign

    return Campaign.objects.select_related("organization__workspace", "bank_version__bank").get(
        slug="acme-2026"
    )


@pytest.fixture
def run_jobs(db, django_capture_on_commit_callbacks):
    """Run the background jobs that are due, as `manage.py db_worker --batch` does, inside the
    test's transaction, and the jobs those queue; returns what each job said. Jobs are
    queued when a transaction commits: queue them inside
    `django_capture_on_commit_callbacks(execute=True)`."""
    from django_tasks_db.models import DBTaskResult

    from tests.jobs import run_due_jobs_in_test

    def run() -> list[str]:
        before = set(DBTaskResult.objects.filter(finished_at__isnull=False).values_list("pk"))
        while True:
            with django_capture_on_commit_callbacks(execute=True) as queued:
                run_due_jobs_in_test()
            if not queued:
                break
        done = DBTaskResult.objects.filter(finished_at__isnull=False).order_by("finished_at")
        return [
            str(row.return_value if row.status == "SUCCESSFUL" else row.status)
            for row in done
            if (row.pk,) not in before
        ]

    return run
