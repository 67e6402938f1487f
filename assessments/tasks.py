"""Background jobs (Django's tasks API, the django-tasks backport, its database queue).

`manage.py db_worker` runs them; `make run` starts one beside the server. A job takes only
ids and plain values (they are stored as JSON) and does its work in a service, so it can be
run again safely: a job that finds nothing left to do says so and changes nothing. The
services import this module to queue jobs, so a job imports its service when it runs.
"""

from __future__ import annotations

from django_tasks import task


@task()
def send_link_mails(invitation_ids: list[int], purpose: str, base_url: str) -> str:
    """Personal links' invitation or reminder e-mails; each outcome is kept on its link."""
    from assessments.services.invitation_mail import deliver_all

    return deliver_all(invitation_ids, purpose, base_url)


@task()
def send_scheduled_reminders(campaign_id: int, due: str, base_url: str) -> str:
    """A campaign's scheduled reminder, on its day (`due`, ISO date): skipped when the
    campaign has closed, was reminded already, or its reminder day has since changed."""
    from assessments.services.invitations import scheduled_reminders_run

    return scheduled_reminders_run(campaign_id, due, base_url)


@task()
def prerender_report(campaign_id: int, language: str) -> str:
    """A campaign's PDF report, rendered and stored before anyone asks for it."""
    from assessments.outputs.report import report_prerender

    return report_prerender(campaign_id, language)


def run_due_jobs(worker_id: str = "inline") -> None:
    """Run every job that is due in this process, then return: `manage.py db_worker --batch`
    without the command (tests and benchmarks; production runs the worker command)."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
