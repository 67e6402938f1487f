"""Benchmark: what one whole response costs the server, request by request.

    .venv/bin/python bench/response_cost.py [--responses 20] [--databases sqlite,postgres]

Fresh database with the default bank and the demo organisation. Each respondent opens a
personal link, starts, and answers as a phone with JavaScript does: every answer is saved
the moment it is chosen (one request each), then "Next" posts the page (the answers again,
as the form holds them) and the next page loads; at the end the review page and "Submit".
Measured through Django's test client (server time, no network): queries and milliseconds
(wall and CPU) per answer save, per "Next" (the post and the next page), and for the whole
response. Prints medians over the respondents.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import _setup, database_url, demo_campaign, run_step


class Meter:
    """Queries, wall and CPU milliseconds of the requests made inside `measure`."""

    def __init__(self) -> None:
        self.queries = 0
        self.wall = 0.0
        self.cpu = 0.0

    def measure(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            wall, cpu = time.perf_counter(), time.process_time()
            result = call(*args, **kwargs)
            self.wall += (time.perf_counter() - wall) * 1000
            self.cpu += (time.process_time() - cpu) * 1000
        self.queries += len(captured)
        return result


def response_run(responses: int) -> dict[str, Any]:
    _setup()
    from django.test import Client
    from django.urls import reverse

    from assessments.models import Invitation, Response, Team
    from assessments.services.survey import invitation_create, pages_for

    version, _workspace, org, campaign = demo_campaign("cost")
    team = Team.objects.filter(organization=org, function="ot").first()
    pages = pages_for(version.pk, "ot")
    totals: dict[str, list[float]] = {k: [] for k in ("queries", "wall", "cpu")}
    saves: dict[str, list[float]] = {k: [] for k in ("queries", "wall", "cpu")}
    nexts: dict[str, list[float]] = {k: [] for k in ("queries", "wall", "cpu")}
    answered = 0
    for index in range(responses):
        link = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=team)
        phone = Client(HTTP_HOST="127.0.0.1")
        whole = Meter()
        whole.measure(phone.get, reverse("assessments:link-open", args=[link.token]))
        started = whole.measure(phone.post, reverse("assessments:survey-start"))
        assert started.status_code == 302, started.content
        response = Response.objects.order_by("-pk").first()
        assert response is not None
        base = f"/survey/{response.public_id}"
        whole.measure(phone.get, f"{base}/p/1/")
        answered = 0
        for page in pages:
            form: dict[str, str] = {}
            for number, question in enumerate(page.questions):
                value = "DK" if question.is_decision else str((index + number) % 4)
                if question.is_decision:
                    value = ("it", "ot", "joint")[(index + number) % 3]
                form[f"q-{question.key}"] = value
                one = Meter()
                saved = one.measure(
                    phone.post,
                    f"{base}/answer/",
                    {"question": question.key, f"q-{question.key}": value},
                    HTTP_HX_REQUEST="true",
                )
                assert saved.status_code == 200, saved.content
                answered += 1
                for key in saves:
                    saves[key].append(getattr(one, key))
                for key in totals:
                    setattr(whole, key, getattr(whole, key) + getattr(one, key))
            step = Meter()
            moved = step.measure(phone.post, f"{base}/p/{page.number}/", {**form, "move": "next"})
            assert moved.status_code == 302, moved.content
            step.measure(phone.get, moved["Location"])
            for key in nexts:
                nexts[key].append(getattr(step, key))
            for key in totals:
                setattr(whole, key, getattr(whole, key) + getattr(step, key))
        submitted = whole.measure(phone.post, f"{base}/submit/")
        assert submitted.status_code == 302, submitted.content
        whole.measure(phone.get, submitted["Location"])
        response.refresh_from_db()
        assert response.submitted_at is not None and response.answers.count() == answered
        for key in totals:
            totals[key].append(getattr(whole, key))

    def median(samples: list[float]) -> float:
        return round(statistics.median(samples), 1)

    return {
        "answers": answered,
        "pages": len(pages),
        "save_queries": median(saves["queries"]),
        "save_ms": median(saves["wall"]),
        "save_cpu_ms": median(saves["cpu"]),
        "next_queries": median(nexts["queries"]),
        "next_ms": median(nexts["wall"]),
        "response_queries": median(totals["queries"]),
        "response_ms": median(totals["wall"]),
        "response_cpu_ms": median(totals["cpu"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(response_run(args.one)))
        return
    print(f"{args.responses} whole responses; medians (ms: server time, no network)")
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "DATABASE_URL": database_url(database, Path(tmp))}
            r = run_step(env, "--one", str(args.responses), script=__file__)
        print(
            f"{database}: {r['answers']} answers on {r['pages']} pages. "
            f"Answer save {r['save_queries']:.0f} queries, {r['save_ms']} ms "
            f"({r['save_cpu_ms']} ms CPU); Next {r['next_queries']:.0f} queries, "
            f"{r['next_ms']} ms; whole response {r['response_queries']:.0f} queries, "
            f"{r['response_ms']} ms ({r['response_cpu_ms']} ms CPU)",
            flush=True,
        )


if __name__ == "__main__":
    main()
