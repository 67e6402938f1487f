"""`/healthz` and `/readyz`, for load balancers and monitors: JSON, no sign-in, nothing of
anyone's; 503 when the node should get no traffic."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from assessments.services import health

pytestmark = pytest.mark.django_db


def test_healthz_says_how_the_database_cache_and_queue_are(
    client, django_capture_on_commit_callbacks
):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"]["ok"] and body["cache"]["ok"]
    assert body["queue"] == {"ready": 0, "oldest_ready_seconds": 0, "failed": 0}
    from assessments.tasks import send_link_mails

    send_link_mails.enqueue([1], "invitation", "http://testserver/")
    assert client.get("/healthz").json()["queue"]["ready"] == 1


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    monkeypatch.setattr(health, "database", lambda: {"ok": False, "error": "OperationalError"})
    page = client.get("/healthz")
    assert page.status_code == 503 and page.json()["status"] == "database unavailable"
    assert client.get("/readyz").status_code == 503


def test_readyz_waits_for_the_migrations(client, monkeypatch):
    assert client.get("/readyz").json() == {"ready": True}
    monkeypatch.setattr(health, "unapplied_migrations", lambda: 2)
    page = client.get("/readyz")
    assert page.status_code == 503
    assert page.json() == {"ready": False, "why": "2 migrations are not applied yet"}


def test_a_cache_that_is_away_is_reported_not_fatal(client, monkeypatch):
    def away(*args, **kwargs):
        raise OperationalError("redis away")

    monkeypatch.setattr(health.cache, "set", away)
    page = client.get("/healthz")
    assert page.status_code == 200
    assert page.json()["cache"] == {"ok": False, "error": "OperationalError"}
