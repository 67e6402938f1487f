"""Reports rendered before anyone asks (issue 22, point 2): once answers have been quiet for
REPORT_QUIET_MINUTES, one job per campaign renders its PDF; a submit never waits for it and
never fails because of it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.models import ReportFile
from assessments.outputs import report
from assessments.services import reports
from assessments.services.survey import invitation_create, response_start, response_submit
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace, monkeypatch):
    monkeypatch.setattr(report, "render_pdf_limited", lambda *a, **k: b"%PDF-1.7 settled")
    return builders.campaign(workspace)


def _submit(campaign) -> None:
    team = campaign.organization.teams.get(slug="it-ops")
    link = invitation_create(campaign=campaign, kind="person", team=team)
    response_submit(response=response_start(invitation=link.invitation))


def _jobs():
    return list(DBTaskResult.objects.filter(task_path__endswith="prerender_report"))


def test_one_job_per_quiet_period_renders_once_answers_settle(
    campaign, django_capture_on_commit_callbacks, run_jobs
):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(campaign)
        _submit(campaign)  # the second waits for the same job
    [job] = _jobs()
    assert job.args_kwargs["args"] == [campaign.pk, ""]
    assert abs((job.run_after - timezone.now()) - timedelta(minutes=10)) < timedelta(seconds=5)
    assert run_jobs() == []  # not due yet

    # Due, but someone submitted a minute ago: it waits for the quiet period after that.
    DBTaskResult.objects.filter(pk=job.pk).update(run_after=timezone.now())
    cache.set(f"report-last-submit:{campaign.pk}", time.time() - 60)
    assert run_jobs() == ["postponed: answers are still arriving"]
    [later] = DBTaskResult.objects.filter(task_path__endswith="prerender_report", status="READY")
    assert timedelta(minutes=8) < later.run_after - timezone.now() < timedelta(minutes=10)

    # Quiet at last: rendered and stored, and the next submit schedules a new job.
    cache.set(f"report-last-submit:{campaign.pk}", time.time() - 11 * 60)
    DBTaskResult.objects.filter(pk=later.pk).update(run_after=timezone.now())
    assert run_jobs() == ["rendered"]
    assert bytes(ReportFile.objects.get(campaign=campaign).pdf) == b"%PDF-1.7 settled"
    with django_capture_on_commit_callbacks(execute=True):
        _submit(campaign)
    assert len(_jobs()) == 3


def test_a_submit_goes_on_when_the_cache_is_away(campaign, monkeypatch):
    def away(*args, **kwargs):
        raise ConnectionError("redis away")

    monkeypatch.setattr(reports.cache, "set", away)
    _submit(campaign)  # no error
    assert _jobs() == []
