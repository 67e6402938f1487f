"""Load test: a workshop of 300 phones against gunicorn (2 workers) on loopback.

    .venv/bin/python bench/loadtest.py                          # 300 people, SQLite and PostgreSQL
    .venv/bin/python bench/loadtest.py --participants 50 --think 0.5,1.5 --ramp 10   # short (CI)
    .venv/bin/python bench/loadtest.py --kill-after 40          # kill the server mid-run, restart
    .venv/bin/python bench/loadtest.py --check-latency          # exit 1 unless the targets hold

Each database gets a fresh copy (a temporary SQLite file, or the PostgreSQL database
`convergence_load`, dropped and created), a 50-question bank (five parts of ten) and the demo
organisation's six teams, each with a team join link. Then gunicorn serves the app with
production settings (DEBUG off), and every participant, in a thread of its own, does what a
phone does: opens its team's link, starts, and for every part loads the page, chooses an answer
to each question after a think time (each saved at once, as the page's autosave does), presses
Next, and finally reviews and submits. Participants arrive over `--ramp` seconds. A
facilitator, logged in, polls the workshop screen every 3 s and the completion tracker every
10 s, as their pages do.

A failed save is sent again until the server acknowledges it ("Saved"), as the survey's script
does on a phone. At the end the database is read back and reconciled with what the server
acknowledged: lost = acknowledged answers missing or different; duplicates = a question
answered twice in one response, or a participant with more than one response.

With --kill-after SECONDS, the whole server (master and workers) is killed with SIGKILL that
long into the run and started again 2 s later: what the reconciliation then shows is whether
an acknowledged answer can be lost in a crash. Connection errors during the outage are counted
apart from HTTP errors. Figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import database_url

ROOT = Path(__file__).resolve().parent.parent
PG_LOAD_DB = "convergence_load"
GUNICORN = Path(sys.executable).parent / "gunicorn"
FACILITATOR = ("facilitator", "load-test-password-1")
TARGET_SAVE_P95_MS = {"postgres": 150, "sqlite": 300}

# --- Setup (runs in a child process with the database's settings) --------------------------


def bank_document(parts: int = 5, per_part: int = 10) -> dict[str, object]:
    """A 50-question bank: three stage dimensions and two enablers, ten questions each."""
    guidance = {str(level): f"Level {level} guidance." for level in range(4)}
    dimensions = [
        {
            "key": f"d{index}",
            "name": f"Part {index + 1}",
            "lens": "stage" if index < 3 else "enabler",
            "guidance": guidance,
        }
        for index in range(parts)
    ]
    choices = [
        {"key": str(score), "score": score, "text": text}
        for score, text in enumerate(["Not at all", "In places", "Mostly", "Everywhere"])
    ]
    questions = [
        {
            "key": f"Q{index}-{number}",
            "dimension": f"d{index}",
            "text": f"Question {number} of part {index + 1}: how far has this come?",
            "allow_na": number == 1,
            "choices": choices,
        }
        for index in range(parts)
        for number in range(1, per_part + 1)
    ]
    stages = [{"level": level, "name": f"Stage {level}", "summary": "..."} for level in range(4)]
    return {
        "bank": "load-test",
        "version": 1,
        "title": "Load test bank",
        "language": "en",
        "stages": stages,
        "dimensions": dimensions,
        "questions": questions,
    }


def setup_database() -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convergence.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from assessments.files.banks import bank_import
    from assessments.files.organizations import organization_import
    from assessments.models import Campaign, Membership, Workspace
    from assessments.services.campaigns import campaign_create
    from assessments.services.survey import invitation_create
    from assessments.services.workshops import workshop_for

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production serves these
    version = bank_import(data=json.dumps(bank_document()).encode(), fmt="json").version
    workspace = Workspace.objects.create(slug="northwind-consulting", name="Northwind")
    organization = organization_import(
        data=(ROOT / "fixtures/demo/acme.yaml").read_bytes(), fmt="yaml"
    ).organization
    campaign = campaign_create(
        slug="workshop", organization=organization, bank_version=version, status="open"
    )
    workshop_for(campaign)
    user = get_user_model().objects.create_user(FACILITATOR[0], password=FACILITATOR[1])
    Membership.objects.create(user=user, workspace=workspace, role="owner")
    tokens = [
        invitation_create(campaign=campaign, kind="team", team=team).token
        for team in organization.teams.order_by("slug")
    ]
    assert campaign.status == Campaign.Status.OPEN
    return {"campaign": campaign.slug, "tokens": tokens, "questions": version.questions.count()}


def read_back(campaign_slug: str) -> dict[str, object]:
    """Everything the reconciliation needs, in three queries."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convergence.settings")
    import django

    django.setup()
    from django.db.models import Count

    from assessments.models import Answer, Response

    responses = {
        str(public_id): submitted is not None
        for public_id, submitted in Response.objects.filter(
            campaign__slug=campaign_slug
        ).values_list("public_id", "submitted_at")
    }
    answers = [
        [str(public_id), key, "NA" if is_na else choice]
        for public_id, key, choice, is_na in Answer.objects.filter(
            response__campaign__slug=campaign_slug
        ).values_list("response__public_id", "question__key", "choice__key", "is_na")
    ]
    doubled = (
        Answer.objects.filter(response__campaign__slug=campaign_slug)
        .values("response_id", "question_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {"responses": responses, "answers": answers, "doubled_answers": doubled}


# --- The server --------------------------------------------------------------------------


class Server:
    def __init__(
        self, env: dict[str, str], port: int, workers: int, log: Path, threads: int = 1
    ) -> None:
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.threads = threads  # above 1: gthread workers, as deploy/gunicorn.conf.py runs
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # nosec B603  # noqa: S603 - our own gunicorn
                [
                    str(GUNICORN),
                    "convergence.wsgi",
                    "--workers",
                    str(self.workers),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "5",
                    *(
                        ["--worker-class", "gthread", "--threads", str(self.threads)]
                        if self.threads > 1
                        else []
                    ),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill takes the workers too
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"gunicorn did not start; see {self.log}")

    def kill(self) -> None:
        """SIGKILL to master and workers at once: no chance to finish anything."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


# --- The client ----------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter[str]] = defaultdict(Counter)
        self.connection_errors = 0

    def record(self, label: str, status: int, ms: float) -> None:
        with self.lock:
            self.latency[label].append(ms)
            self.statuses[label][str(status)] += 1

    def connection_error(self) -> None:
        with self.lock:
            self.connection_errors += 1


class Browser:
    """One phone: its own cookies and connection; retries while the server is unreachable."""

    def __init__(self, port: int, stats: Stats, give_up_after: float = 120) -> None:
        self.port, self.stats, self.give_up_after = port, stats, give_up_after
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self,
        label: str,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        body = urlencode(form) if form is not None else None
        sent_headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                sent_headers["X-CSRFToken"] = self.cookies["csrftoken"]
        deadline = time.monotonic() + self.give_up_after
        fresh_retry = True
        while True:
            started = time.perf_counter()
            reused = self.connection is not None
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.connection.request(method, path, body=body, headers=sent_headers)
                reply = self.connection.getresponse()
                text = reply.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                self.close()
                if reused and fresh_retry:
                    # The server closed an idle kept-alive connection (gthread workers keep
                    # one 2 s): a browser opens a new one at once, and so does this.
                    fresh_retry = False
                    continue
                self.stats.connection_error()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5 + random.random())  # nosec B311  # retry jitter
                continue
            ms = (time.perf_counter() - started) * 1000
            self.stats.record(label, reply.status, ms)
            for cookie in reply.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(cookie).items():
                    self.cookies[name] = morsel.value
            if reply.getheader("Connection", "").lower() == "close" or reply.will_close:
                self.close()
            return reply.status, {k.lower(): v for k, v in reply.getheaders()}, text

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


QUESTION = re.compile(r'name="q-([^"]+)" value="([^"]+)"')
PUBLIC_ID = re.compile(r"/survey/([0-9a-f-]{36})/")


class Participant(threading.Thread):
    def __init__(
        self,
        index: int,
        token: str,
        port: int,
        stats: Stats,
        think: tuple[float, float],
        delay: float,
    ) -> None:
        super().__init__(daemon=True)
        self.index, self.token, self.think, self.delay = index, token, think, delay
        self.browser = Browser(port, stats)
        self.rng = random.Random(index)  # nosec B311  # made-up answers
        self.public_id = ""
        self.acknowledged: dict[str, str] = {}  # question key -> last choice the server saved
        self.unacknowledged = 0
        self.submitted = False
        self.failure = ""

    def run(self) -> None:
        time.sleep(self.delay)
        try:
            self.answer_survey()
        except Exception as exc:  # reported, not raised: the other phones go on
            self.failure = f"{type(exc).__name__}: {exc}"
        finally:
            self.browser.close()

    def answer_survey(self) -> None:
        b = self.browser
        status, headers, _ = b.request("open link", "GET", f"/s/{self.token}/")
        assert status == 302, f"open link: {status}"
        b.request("start page", "GET", headers["location"])
        status, headers, _ = b.request(
            "start", "POST", "/survey/start/", {"csrfmiddlewaretoken": b.cookies["csrftoken"]}
        )
        assert status == 302, f"start: {status}"
        match = PUBLIC_ID.search(headers["location"])
        assert match, headers["location"]
        self.public_id = match.group(1)
        status, headers, _ = b.request("resume", "GET", headers["location"])
        page_url = headers["location"]
        while "/p/" in page_url:
            status, _, html = b.request("page", "GET", page_url)
            assert status == 200, f"page: {status}"
            questions: dict[str, list[str]] = defaultdict(list)
            for key, value in QUESTION.findall(html):
                questions[key].append(value)
            chosen = {}
            for key, values in questions.items():
                time.sleep(self.rng.uniform(*self.think))
                chosen[key] = self.rng.choice(values)
                self.save(key, chosen[key])
            move = "next" if 'value="next"' in html else "review"
            form = {"csrfmiddlewaretoken": b.cookies["csrftoken"], "move": move}
            form.update({f"q-{key}": value for key, value in chosen.items()})
            status, headers, _ = b.request("page next", "POST", page_url, form)
            assert status == 302, f"page next: {status}"
            page_url = headers["location"]
        status, _, html = b.request("review", "GET", page_url)
        assert status == 200 and "survey/" in page_url, f"review: {status} {page_url}"
        status, headers, _ = b.request(
            "submit",
            "POST",
            f"/survey/{self.public_id}/submit/",
            {"csrfmiddlewaretoken": b.cookies["csrftoken"]},
        )
        assert status == 302 and "thanks" in headers["location"], f"submit: {status}"
        self.submitted = True

    def save(self, key: str, value: str) -> None:
        """The page's autosave: sent again until the server says "Saved"."""
        for _ in range(20):
            status, _, text = self.browser.request(
                "save answer",
                "POST",
                f"/survey/{self.public_id}/answer/",
                {"question": key, f"q-{key}": value, f"c-{key}": ""},
                {"HX-Request": "true"},
            )
            if status == 200 and text == "Saved":
                self.acknowledged[key] = value
                return
            time.sleep(1)
        self.unacknowledged += 1


class Facilitator(threading.Thread):
    def __init__(self, port: int, stats: Stats, campaign: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.browser, self.campaign, self.stop = Browser(port, stats), campaign, stop
        self.failure = ""

    def run(self) -> None:
        b = self.browser
        try:
            b.request("login page", "GET", "/accounts/login/")
            user, password = FACILITATOR
            status, _, _ = b.request(
                "login",
                "POST",
                "/accounts/login/",
                {
                    "csrfmiddlewaretoken": b.cookies["csrftoken"],
                    "username": user,
                    "password": password,
                },
            )
            assert status == 302, f"login: {status}"
            room = f"/campaigns/{self.campaign}/workshop/room/"
            completion = f"/campaigns/{self.campaign}/completion/"
            etag = ""
            tick = 0
            while not self.stop.is_set():
                headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
                status, replied, _ = b.request("facilitator room", "GET", room, headers=headers)
                etag = replied.get("etag", etag)
                if tick % 3 == 0:
                    b.request(
                        "facilitator completion", "GET", completion, headers={"HX-Request": "true"}
                    )
                tick += 1
                self.stop.wait(3)
        except Exception as exc:
            self.failure = f"{type(exc).__name__}: {exc}"


# --- One run -------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child(env: dict[str, str], *args: str, script: str = __file__) -> dict[str, object]:
    """Runs `script` (this one, or another bench built on it) with `args` in a process of
    its own, under `env`'s database; returns the JSON it prints last."""
    result = subprocess.run(  # nosec B603  # noqa: S603 - a bench script of ours
        [sys.executable, script, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        print(result.stderr, file=sys.stderr)
        raise SystemExit(f"{' '.join(args)}: failed")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def server_env(database: str, workdir: Path) -> dict[str, str]:
    """Production settings for gunicorn on loopback, on a fresh copy of `database`."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(database, workdir, PG_LOAD_DB),
        "DEBUG": "0",
        "SECRET_KEY": "load-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; TLS ends at a proxy in production
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    return env


def load_run(database: str, args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = server_env(database, workdir)
        setup = child(env, "--setup")
        port = free_port()
        log = workdir / "gunicorn.log"
        server = Server(env, port, args.workers, log)
        server.start()
        stats = Stats()
        stop = threading.Event()
        tokens = list(setup["tokens"])  # type: ignore[call-overload]
        think = tuple(float(x) for x in args.think.split(","))
        participants = [
            Participant(
                index,
                tokens[index % len(tokens)],
                port,
                stats,
                (think[0], think[1]),
                args.ramp * index / max(1, args.participants),
            )
            for index in range(args.participants)
        ]
        facilitator = Facilitator(port, stats, str(setup["campaign"]), stop)
        started = time.perf_counter()
        facilitator.start()
        for participant in participants:
            participant.start()
        killed_at = None
        if args.kill_after:
            time.sleep(args.kill_after)
            killed_at = round(time.perf_counter() - started, 1)
            server.kill()
            time.sleep(2)
            server.start()
        for participant in participants:
            participant.join()
        elapsed = time.perf_counter() - started
        stop.set()
        facilitator.join()
        server.stop()
        stored = child(env, "--read-back", str(setup["campaign"]))
        log_text = log.read_text(errors="replace")

    answers = stored["answers"]
    responses = stored["responses"]
    in_db = {(public_id, key): value for public_id, key, value in answers}  # type: ignore[attr-defined]
    acknowledged = {
        (p.public_id, key): value for p in participants for key, value in p.acknowledged.items()
    }
    lost = sum(1 for place, value in acknowledged.items() if in_db.get(place) != value)
    ours = {p.public_id for p in participants if p.public_id}
    extra_responses = len(set(responses) - ours)  # type: ignore[arg-type]
    submitted_lost = sum(
        1
        for p in participants
        if p.submitted and not responses.get(p.public_id)  # type: ignore[attr-defined]
    )
    total_requests = sum(len(v) for v in stats.latency.values())
    endpoints = {
        label: {
            "n": len(values),
            "p50": round(statistics.median(values), 1),
            "p95": round(percentile(values, 0.95), 1),
            "p99": round(percentile(values, 0.99), 1),
            "errors": {s: n for s, n in stats.statuses[label].items() if s[0] in "45"},
        }
        for label, values in stats.latency.items()
    }
    return {
        "database": database,
        "participants": args.participants,
        "questions": setup["questions"],
        "think_s": args.think,
        "ramp_s": args.ramp,
        "workers": args.workers,
        "seconds": round(elapsed, 1),
        "requests": total_requests,
        "rps": round(total_requests / elapsed, 1),
        "saves_per_s": round(len(stats.latency["save answer"]) / elapsed, 1),
        "endpoints": endpoints,
        "http_errors": sum(
            n for c in stats.statuses.values() for s, n in c.items() if s[0] in "45"
        ),
        "connection_errors": stats.connection_errors,
        "failed_participants": [p.failure for p in participants if p.failure]
        + ([f"facilitator: {facilitator.failure}"] if facilitator.failure else []),
        "acknowledged": len(acknowledged),
        "stored_answers": len(answers),  # type: ignore[arg-type]
        "unacknowledged_saves": sum(p.unacknowledged for p in participants),
        "lost": lost,
        "doubled_answers": stored["doubled_answers"],
        "extra_responses": extra_responses,
        "submitted": sum(1 for p in participants if p.submitted),
        "submitted_lost": submitted_lost,
        "database_locked": log_text.count("database is locked"),
        "server_errors_logged": log_text.count("Traceback"),
        "killed_at_s": killed_at,
    }


def report(result: dict[str, object]) -> None:
    r = result
    print(
        f"\n== {r['database']}: {r['participants']} participants x {r['questions']} questions, "
        f"think {r['think_s']} s, ramp {r['ramp_s']} s, gunicorn {r['workers']} workers"
        + (f", server killed at {r['killed_at_s']} s and restarted" if r["killed_at_s"] else "")
    )
    print(
        f"{r['seconds']} s, {r['requests']:,} requests, {r['rps']} req/s "
        f"({r['saves_per_s']} saves/s)"
    )
    print(f"{'endpoint':<24} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  errors")
    for label, e in sorted(r["endpoints"].items()):  # type: ignore[attr-defined]
        print(
            f"{label:<24} {e['n']:>7,} {e['p50']:>8} {e['p95']:>8} {e['p99']:>8}  "
            f"{e['errors'] or '-'}"
        )
    print(
        f"HTTP errors {r['http_errors']}, connection errors {r['connection_errors']}, "
        f"failed participants {len(r['failed_participants'])}, "  # type: ignore[arg-type]
        f"'database is locked' {r['database_locked']}, tracebacks {r['server_errors_logged']}"
    )
    print(
        f"reconciliation: acknowledged {r['acknowledged']:,}, stored {r['stored_answers']:,}, "
        f"lost {r['lost']}, duplicated answers {r['doubled_answers']}, "
        f"extra responses {r['extra_responses']}, submitted {r['submitted']} "
        f"(lost {r['submitted_lost']}), never acknowledged {r['unacknowledged_saves']}"
    )
    for failure in r["failed_participants"][:5]:  # type: ignore[index]
        print("  failure:", failure)


def problems(result: dict[str, object], killed: bool) -> tuple[list[str], list[str]]:
    """(what went wrong, which latency targets were missed)."""
    r = result
    wrong = []
    if r["lost"] or r["submitted_lost"]:
        wrong.append(f"lost {r['lost']} answers, {r['submitted_lost']} submissions")
    if r["doubled_answers"] or r["extra_responses"]:
        doubled, extra = r["doubled_answers"], r["extra_responses"]
        wrong.append(f"duplicates: {doubled} answers, {extra} responses")
    if r["unacknowledged_saves"] or r["failed_participants"]:
        wrong.append("participants could not finish")
    if r["database_locked"]:
        wrong.append('"database is locked" in the server log')
    if not killed and (r["http_errors"] or r["connection_errors"] or r["server_errors_logged"]):
        wrong.append("errors")
    slow = []
    p95 = r["endpoints"].get("save answer", {}).get("p95", 1e9)  # type: ignore[attr-defined]
    if not killed and p95 >= TARGET_SAVE_P95_MS[str(r["database"])]:
        slow.append(f"save p95 {p95} ms over the target")
    return wrong, slow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--think", default="4,8", help="seconds before each answer: min,max")
    parser.add_argument("--ramp", type=float, default=60, help="seconds over which people join")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=0, help="kill the server after S s")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 on an error, a lost or duplicated answer"
    )
    parser.add_argument(
        "--check-latency", action="store_true", help="exit 1 also when save p95 misses its target"
    )
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--read-back", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    if args.setup:
        print(json.dumps(setup_database()))
        return
    if args.read_back:
        print(json.dumps(read_back(args.read_back)))
        return
    results, failed, slow = [], [], []
    for database in args.databases.split(","):
        result = load_run(database, args)
        report(result)
        results.append(result)
        wrong, late = problems(result, bool(args.kill_after))
        failed += [f"{database}: {p}" for p in wrong]
        slow += [f"{database}: {p}" for p in late]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if slow:
        print("\nLATENCY TARGETS MISSED:\n  " + "\n  ".join(slow))
    if failed:
        print("\nFAILED:\n  " + "\n  ".join(failed))
    if not failed and not slow:
        print("\nAll targets met.")
    if (args.check and failed) or (args.check_latency and (failed or slow)):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
