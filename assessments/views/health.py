"""What a load balancer and a monitor ask: `/healthz` (is this node alive, and how are its
database, its cache and the job queue) and `/readyz` (may it take traffic: the database
answers and every migration of this code is applied). Both answer JSON, need no sign-in and
read nothing of anyone's (README, "Production deployment")."""

from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from assessments.services import health


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive, with the state of what the node depends on: 503 only when its database does
    not answer (a cache away slows nothing; a long queue is for the monitor to judge)."""
    database = health.database()
    body = {
        "status": "ok" if database["ok"] else "database unavailable",
        "database": database,
        "cache": health.cache_state(),
        "queue": health.queue() if database["ok"] else {},
    }
    return JsonResponse(body, status=200 if database["ok"] else 503)


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers and this code's migrations are all applied
    (during an upgrade a node of the new code waits until `migrate` has run)."""
    database = health.database()
    if not database["ok"]:
        return JsonResponse({"ready": False, "why": "the database does not answer"}, status=503)
    try:
        missing = health.unapplied_migrations()
    except DatabaseError as exc:
        return JsonResponse({"ready": False, "why": type(exc).__name__}, status=503)
    if missing:
        return JsonResponse(
            {"ready": False, "why": f"{missing} migrations are not applied yet"}, status=503
        )
    return JsonResponse({"ready": True})
