"""The probes behind `/healthz` and `/readyz` (assessments/views/health.py): the database's
answer, the cache (a value written and read back), the job queue, the migrations."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

_migrated = False  # once every migration is applied, it stays so for this process's code


def database() -> dict[str, Any]:
    start = time.perf_counter()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1)}


def cache_state() -> dict[str, Any]:
    try:
        cache.set("healthz", "1", 10)
        ok = cache.get("healthz") == "1"
    except Exception as exc:  # Redis away: the app still serves (its limits are off)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": ok}


def oldest_wait() -> timedelta:
    """How long the oldest job that is due has waited for a worker (zero when none waits)."""
    from django_tasks_db.models import DBTaskResult

    oldest = (
        DBTaskResult.objects.ready()
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    return timezone.now() - oldest if oldest else timedelta(0)


def queue() -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    try:
        return {
            "ready": DBTaskResult.objects.ready().count(),
            "oldest_ready_seconds": round(oldest_wait().total_seconds()),
            "failed": DBTaskResult.objects.filter(status="FAILED").count(),
        }
    except DatabaseError as exc:
        return {"error": type(exc).__name__}


def unapplied_migrations() -> int:
    global _migrated
    if _migrated:
        return 0
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    missing = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrated = missing == 0
    return missing
