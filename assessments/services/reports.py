"""Reports rendered before anyone asks: when a campaign's figures settle, a background job
renders its PDF (assessments/tasks.py, `prerender_report`), so a download is nearly always
served from the stored file (docs/performance.md, PDF report).

Figures settle on closing (services/campaigns.py) and after a quiet period: each submitted
response notes the moment in the cache, and one job per campaign waits until
`REPORT_QUIET_MINUTES` have passed since the last submit before rendering. With a cache
shared by every process (Redis, as production runs) the wait follows the last submit on any
node; with a per-process cache the job renders one quiet period after the first submit.
Nothing here may slow or fail a submit: a cache that is away only means no early render.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from assessments.tasks import prerender_report

logger = logging.getLogger(__name__)


def quiet() -> timedelta:
    return timedelta(minutes=settings.REPORT_QUIET_MINUTES)


def _keys(campaign_id: int) -> tuple[str, str]:
    return f"report-last-submit:{campaign_id}", f"report-pending:{campaign_id}"


def report_settle(campaign_id: int) -> None:
    """A response was submitted: render the report (in the campaign's report language) once
    the campaign has been quiet."""
    last, pending = _keys(campaign_id)
    window = quiet().total_seconds()
    try:
        cache.set(last, time.time(), timeout=window * 4)
        first = cache.add(pending, 1, timeout=window * 4)
    except Exception:  # the cache is away: no early render, and the submit goes on
        logger.warning("report pre-render not scheduled: the cache is unavailable")
        return
    if first:
        when = timezone.now() + quiet()
        job = prerender_report.using(run_after=when)
        transaction.on_commit(lambda: job.enqueue(campaign_id, ""))


def settled(campaign_id: int, language: str) -> bool:
    """Called by the job: True when the campaign has been quiet long enough to render; else
    the job is queued again for the end of the quiet period after the last submit."""
    last, pending = _keys(campaign_id)
    window = quiet().total_seconds()
    try:
        moment = cache.get(last)
    except Exception:
        moment = None
    if moment is not None and time.time() - float(moment) < window:
        when = timezone.now() + timedelta(seconds=float(moment) + window - time.time())
        prerender_report.using(run_after=when).enqueue(campaign_id, language)
        return False
    try:
        cache.delete(pending)
    except Exception:
        logger.warning("report pre-render: the cache is unavailable")
    return True
