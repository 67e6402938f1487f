"""What a load balancer and a monitor ask: `/healthz` (is this node alive, and how are its
database, its cache and the job queue) and `/readyz` (may it take traffic: the database
answers and every migration of this code is applied). Both answer JSON, need no sign-in and
read nothing of anyone's (docs/deployment.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

_migrated = False  # once every migration is applied, it stays so for this process's code


def _database() -> dict[str, Any]:
    start = time.perf_counter()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1)}


def _cache() -> dict[str, Any]:
    try:
        cache.set("healthz", "1", 10)
        ok = cache.get("healthz") == "1"
    except Exception as exc:  # Redis away: the app still serves (its limits are off)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": ok}


def _queue() -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    try:
        ready = DBTaskResult.objects.ready()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        failed = DBTaskResult.objects.filter(status="FAILED").count()
        return {
            "ready": ready.count(),
            "oldest_ready_seconds": round((timezone.now() - oldest).total_seconds())
            if oldest
            else 0,
            "failed": failed,
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


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive, with the state of what the node depends on: 503 only when its database does
    not answer (a cache away slows nothing; a long queue is for the monitor to judge)."""
    database = _database()
    body = {
        "status": "ok" if database["ok"] else "database unavailable",
        "database": database,
        "cache": _cache(),
        "queue": _queue() if database["ok"] else {},
    }
    return JsonResponse(body, status=200 if database["ok"] else 503)


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers and this code's migrations are all applied
    (during an upgrade a node of the new code waits until `migrate` has run)."""
    database = _database()
    if not database["ok"]:
        return JsonResponse({"ready": False, "why": "the database does not answer"}, status=503)
    try:
        missing = unapplied_migrations()
    except DatabaseError as exc:
        return JsonResponse({"ready": False, "why": type(exc).__name__}, status=503)
    if missing:
        return JsonResponse(
            {"ready": False, "why": f"{missing} migrations are not applied yet"}, status=503
        )
    return JsonResponse({"ready": True})
