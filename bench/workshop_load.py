"""Load test: 300 phones in one paced workshop, with reveals and re-votes (issue 18).

    .venv/bin/python bench/workshop_load.py                       # 300 phones, both databases
    .venv/bin/python bench/workshop_load.py --phones 50 --questions 4 --databases sqlite  # short
    .venv/bin/python bench/workshop_load.py --poll 1 --check      # exit 1 unless targets hold

A fresh database (as `bench/loadtest.py` makes it: the 50-question bank, the demo
organisation's six teams), a workshop in paced mode with no headcount cap, and gunicorn with
production settings. Every phone, in a thread of its own, opens the join page, joins with a
team, and polls its live fragment every `--poll` seconds (with its ETag, as htmx does; the
first poll at a random moment in the interval, as phones arrive at different times). When the
fragment shows a question or round it had not seen, the phone notes the time, thinks for
`--think` seconds and votes; a vote not acknowledged ("Saved") is sent again, as the page
does. The facilitator, signed in, paces `--questions` questions: next, the voting window,
reveal; every second question gets a second round (vote again, window, reveal). The presenter
view polls the room every 3 s and the audience screen polls every second, as their pages do.

Measured: "follow", the time from the facilitator sending "next" (or "vote again") to each
phone's fragment showing it; the vote's save time; every endpoint's p50/p95/p99. Then the
database is read back: every acknowledged vote must be stored with the phone's choice, round
by round (lost 0), and each phone has one response. Figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadtest import (
    FACILITATOR,
    TARGET_SAVE_P95_MS,
    Browser,
    Server,
    Stats,
    child,
    free_port,
    percentile,
    server_env,
)

ROOT = Path(__file__).resolve().parent.parent
TARGET_FOLLOW_P95_S = 1.0

# --- Setup and read-back (in a child process with the database's settings) -----------------


def setup_database() -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from loadtest import setup_database as survey_setup

    setup = survey_setup()  # the bank, the organisation, the campaign and its workshop
    from assessments.models import Workshop

    workshop = Workshop.objects.get(campaign__slug=setup["campaign"])
    workshop.mode = Workshop.Mode.PACED
    workshop.cap_teams = False  # 300 phones on six teams of a few people each
    workshop.max_participants = None
    workshop.save()
    return {"campaign": setup["campaign"], "code": workshop.join_code}


def read_back(campaign_slug: str, code: str, session_keys: list[str]) -> dict[str, object]:
    """Each phone's stored votes, found through its session (the cookie it joined with)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convergence.settings")
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore

    from assessments.models import Response, WorkshopVote
    from assessments.views.workshop_audience import SESSION_WORKSHOPS

    phone_response = {}
    for key in session_keys:
        joined = SessionStore(session_key=key).load().get(SESSION_WORKSHOPS, {})
        phone_response[key] = joined.get(code, "")
    votes: dict[str, dict[str, str]] = {}
    rows = WorkshopVote.objects.filter(response__campaign__slug=campaign_slug).values_list(
        "response__public_id", "question__key", "round", "choice__key", "is_na", "is_dk"
    )
    doubled = 0
    for public_id, key, round_, choice, is_na, is_dk in rows:
        place = votes.setdefault(str(public_id), {})
        if f"{key}/{round_}" in place:
            doubled += 1
        place[f"{key}/{round_}"] = "NA" if is_na else "DK" if is_dk else str(choice)
    return {
        "phone_response": phone_response,
        "votes": votes,
        "doubled": doubled,
        "responses": Response.objects.filter(campaign__slug=campaign_slug).count(),
    }


# --- The phones and the facilitator --------------------------------------------------------

TEAM = re.compile(r'name="team" value="(\d+)"')
CURRENT = re.compile(r'name="question" value="([^"]+)"')
ROUND = re.compile(r'id="round">Round (\d+)')
CHOICE = re.compile(r'name="q-[^"]+" value="([^"]+)"')


class Phone(threading.Thread):
    def __init__(self, index: int, port: int, stats: Stats, args: argparse.Namespace,
                 code: str, stop: threading.Event) -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.index, self.code, self.stop, self.args = index, code, stop, args
        self.browser = Browser(port, stats)
        self.rng = random.Random(index)  # nosec B311  # made-up votes and timings
        self.think = tuple(float(x) for x in args.think.split(","))
        self.version = ""  # the state version the live page was rendered at
        self.seen: dict[str, float] = {}  # "KEY/round" -> when this phone first showed it
        self.acknowledged: dict[str, str] = {}  # "KEY/round" -> the vote the server saved
        self.refused_late = 0  # votes the server refused because voting had closed
        self.failure = ""

    def run(self) -> None:
        try:
            self.join_workshop()
            self.follow()
        except Exception as exc:  # reported, not raised: the other phones go on
            self.failure = f"{type(exc).__name__}: {exc}"
        finally:
            self.browser.close()

    def join_workshop(self) -> None:
        b = self.browser
        time.sleep(self.rng.uniform(0, self.args.ramp))
        status, _, html = b.request("join page", "GET", f"/w/{self.code}/")
        assert status == 200, f"join page: {status}"
        teams = TEAM.findall(html)
        form = {"csrfmiddlewaretoken": b.cookies["csrftoken"], "team": teams[self.index % 6]}
        status, headers, _ = b.request("join", "POST", f"/w/{self.code}/", form)
        assert status == 302 and "/live/" in headers["location"], f"join: {status}"
        status, _, html = b.request("live page", "GET", headers["location"])
        assert status == 200, f"live page: {status}"
        version = re.search(r"/events/\?v=(\d+)", html)
        self.version = version.group(1) if version else ""

    def handle(self, html: str, seen_at: float) -> tuple[str, str, list[str], float] | None:
        """A fragment the phone shows: note a new question or round; the vote it will cast."""
        current = CURRENT.search(html)
        if current is None:
            return None
        key = current.group(1)
        round_ = ROUND.search(html)
        place = f"{key}/{round_.group(1) if round_ else 1}"
        if place in self.seen:
            return None
        self.seen[place] = seen_at
        if 'id="vote-hidden"' not in html:  # voting is closed already
            return None
        return place, key, CHOICE.findall(html), seen_at + self.rng.uniform(*self.think)

    def stream(self) -> None:
        """The page's EventSource: one long request; each "fragment" event is what the phone
        shows. Votes go out on the phone's other connection at their time."""
        events = f"/w/{self.code}/events/?v={self.version}"
        last_id = ""
        while not self.stop.is_set():
            connection = http.client.HTTPConnection("127.0.0.1", self.browser.port, timeout=40)
            headers = {
                "Host": f"127.0.0.1:{self.browser.port}",
                "Accept": "text/event-stream",
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.browser.cookies.items()),
                **({"Last-Event-ID": last_id} if last_id else {}),
            }
            started = time.perf_counter()
            try:
                connection.request("GET", events, headers=headers)
                reply = connection.getresponse()
                self.browser.stats.record(
                    "stream open", reply.status, (time.perf_counter() - started) * 1000
                )
                event, data = "", []
                while not self.stop.is_set():
                    line = reply.readline().decode("utf-8", "replace")
                    if not line:
                        break  # the server ended the stream: EventSource reconnects
                    line = line.rstrip("\n")
                    if line.startswith("id: "):
                        last_id = line[4:]
                    elif line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: "):
                        data.append(line[6:])
                    elif not line and event == "fragment":
                        vote = self.handle("\n".join(data), time.monotonic())
                        if vote is not None:
                            place, key, choices, due = vote
                            timer = threading.Timer(
                                max(0.0, due - time.monotonic()),
                                self.vote,
                                (place, key, self.rng.choice(choices)),
                            )
                            timer.daemon = True
                            timer.start()
                        event, data = "", []
                    elif not line:
                        event, data = "", []
            except (OSError, http.client.HTTPException):
                self.browser.stats.connection_error()
                time.sleep(2)  # EventSource's retry
            finally:
                connection.close()

    def follow(self) -> None:
        if self.args.follow == "sse":
            self.stream()
            return
        b, poll = self.browser, self.args.poll
        etag = ""
        next_poll = time.monotonic() + self.rng.uniform(0, poll)
        pending: tuple[str, str, list[str], float] | None = None  # place, key, choices, due
        while not self.stop.is_set():
            now = time.monotonic()
            if pending and pending[3] <= now:
                place, key, choices, _ = pending
                pending = None
                self.vote(place, key, self.rng.choice(choices))
                continue
            if now < next_poll:
                wait = next_poll - now if pending is None else min(next_poll, pending[3]) - now
                self.stop.wait(max(0.0, wait))
                continue
            next_poll += poll
            headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
            status, replied, html = b.request(
                "phone poll", "GET", f"/w/{self.code}/live/?fragment=1", headers=headers
            )
            seen_at = time.monotonic()
            if status != 200:
                continue
            etag = replied.get("etag", etag)
            pending = self.handle(html, seen_at) or pending

    def vote(self, place: str, key: str, value: str) -> None:
        for _ in range(20):
            status, _, text = self.browser.request(
                "vote",
                "POST",
                f"/w/{self.code}/vote/",
                {"question": key, f"q-{key}": value},
                {"HX-Request": "true"},
            )
            if status == 200 and text == "Saved":
                self.acknowledged[place] = value
                return
            if status == 409:  # voting closed: the phone says so, nothing to resend
                self.refused_late += 1
                return
            time.sleep(1)
        raise AssertionError(f"vote {place} never acknowledged")


class Poller(threading.Thread):
    """The presenter view's room poll (3 s) or the audience screen's (1 s), with ETags."""

    def __init__(self, browser: Browser, label: str, path: str, every: float,
                 stop: threading.Event) -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.browser, self.label, self.path, self.every, self.stop = (
            browser, label, path, every, stop,
        )  # fmt: skip

    def run(self) -> None:
        etag = ""
        while not self.stop.is_set():
            headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
            _, replied, _ = self.browser.request(self.label, "GET", self.path, headers=headers)
            etag = replied.get("etag", etag)
            self.stop.wait(self.every)


def sign_in(port: int, stats: Stats) -> Browser:
    b = Browser(port, stats)
    b.request("login page", "GET", "/accounts/login/")
    user, password = FACILITATOR
    form = {"csrfmiddlewaretoken": b.cookies["csrftoken"], "username": user, "password": password}
    status, _, _ = b.request("login", "POST", "/accounts/login/", form)
    assert status == 302, f"login: {status}"
    return b


def facilitate(port: int, stats: Stats, campaign: str, args: argparse.Namespace,
               phones: list[Phone]) -> dict[str, float]:  # fmt: skip
    """Paces the questions; returns when each question and round was sent ("KEY/round")."""
    b = sign_in(port, stats)
    state = f"/campaigns/{campaign}/workshop/state/"
    b.request("presenter page", "GET", f"/campaigns/{campaign}/workshop/")
    window = float(args.think.split(",")[1]) + args.poll + 2

    def act(action: str) -> float:
        sent = time.monotonic()
        form = {"csrfmiddlewaretoken": b.cookies["csrftoken"], "action": action}
        status, _, _ = b.request(f"presenter {action}", "POST", state, form)
        assert status == 302, f"{action}: {status}"
        return sent

    # Everyone in before the first question, as a facilitator waits for the room.
    deadline = time.monotonic() + args.ramp + 60
    while any(not p.seen and p.is_alive() and not p.failure for p in phones):
        if time.monotonic() > deadline or all(p.browser.cookies.get("sessionid") for p in phones):
            break
        time.sleep(0.5)
    time.sleep(args.poll + 1)
    sent: dict[str, float] = {}
    for number in range(args.questions):
        at = act("next")
        key = question_key(b, campaign)
        sent[f"{key}/1"] = at
        time.sleep(window)
        act("reveal")
        time.sleep(2)
        if number % 2 == 0:
            sent[f"{key}/2"] = act("revote")
            time.sleep(window)
            act("reveal")
            time.sleep(2)
    return sent


def question_key(b: Browser, campaign: str) -> str:
    _, _, html = b.request("presenter page", "GET", f"/campaigns/{campaign}/workshop/")
    select = html[html.index('name="question" aria-label="Question"') :]
    match = re.search(r'<option value="([^"]+)" selected>', select)
    assert match, "the presenter page names no current question"
    return match.group(1).strip()


# --- One run -------------------------------------------------------------------------------


def load_run(database: str, args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = {
            **server_env(database, workdir),
            # 300 phones behind one address (a plant's Wi-Fi): the address limit is for wrong
            # guesses only, but keep it out of the way of a benchmark.
            "LINK_GUESS_ADDRESS_RATE": "100000/10m",
        }
        setup = child(env, "--setup", script=__file__)
        campaign, code = str(setup["campaign"]), str(setup["code"])
        port = free_port()
        log = workdir / "gunicorn.log"
        server = Server(env, port, args.workers, log, args.threads)
        server.start()
        stats, stop = Stats(), threading.Event()
        phones = [Phone(i, port, stats, args, code, stop) for i in range(args.phones)]
        viewer = sign_in(port, stats)
        pollers = [
            Poller(viewer, "presenter room", f"/campaigns/{campaign}/workshop/room/", 3, stop),
            Poller(
                sign_in(port, stats),
                "audience screen",
                f"/campaigns/{campaign}/workshop/screen/live/",
                1,
                stop,
            ),
        ]
        started = time.perf_counter()
        for thread in [*phones, *pollers]:
            thread.start()
        facilitator_failure = ""
        sent: dict[str, float] = {}
        try:
            sent = facilitate(port, stats, campaign, args, phones)
        except AssertionError as exc:  # reported with the server's traceback, below
            facilitator_failure = f"facilitator: {exc}"
        finally:
            stop.set()
            for thread in [*phones, *pollers]:
                thread.join(timeout=30)
            elapsed = time.perf_counter() - started
            server.stop()
        keys = [p.browser.cookies.get("sessionid", "") for p in phones]
        stored = child(env, "--read-back", campaign, code, *keys, script=__file__)
        log_text = log.read_text(errors="replace")
        if "Traceback" in log_text:  # the first server error, to see what went wrong
            first = log_text[log_text.index("Traceback") :]
            print(first[:4000], file=sys.stderr)

    follow, missed = [], 0
    for phone in phones:
        for place, at in sent.items():
            if place in phone.seen:
                follow.append(phone.seen[place] - at)
            else:
                missed += 1
    lost = 0
    votes = stored["votes"]
    for phone, key in zip(phones, keys, strict=True):
        mine = votes.get(stored["phone_response"].get(key, ""), {})  # type: ignore[attr-defined]
        lost += sum(1 for place, value in phone.acknowledged.items() if mine.get(place) != value)
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
    total = sum(len(v) for v in stats.latency.values())
    return {
        "database": database,
        "phones": args.phones,
        "questions": args.questions,
        "rounds": len(sent),
        "poll_s": args.poll,
        "follow": args.follow,
        "threads": args.threads,
        "think_s": args.think,
        "workers": args.workers,
        "seconds": round(elapsed, 1),
        "requests": total,
        "rps": round(total / elapsed, 1),
        "follow_p50_s": round(statistics.median(follow), 2) if follow else None,
        "follow_p95_s": round(percentile(follow, 0.95), 2) if follow else None,
        "follow_max_s": round(max(follow), 2) if follow else None,
        "missed": missed,
        "endpoints": endpoints,
        "http_errors": sum(
            n for c in stats.statuses.values() for s, n in c.items() if s[0] in "45" and s != "409"
        ),
        "connection_errors": stats.connection_errors,
        "failed": [p.failure for p in phones if p.failure]
        + ([facilitator_failure] if facilitator_failure else []),
        "acknowledged": sum(len(p.acknowledged) for p in phones),
        "refused_late": sum(p.refused_late for p in phones),
        "lost": lost,
        "doubled": stored["doubled"],
        "responses": stored["responses"],
        "database_locked": log_text.count("database is locked"),
        "tracebacks": log_text.count("Traceback"),
    }


def report(r: dict[str, object]) -> None:
    print(
        f"\n== {r['database']}: {r['phones']} phones, {r['questions']} questions "
        f"({r['rounds']} rounds), "
        + (f"poll {r['poll_s']} s" if r["follow"] == "poll" else "server-sent events")
        + f", think {r['think_s']} s, gunicorn {r['workers']} workers x {r['threads']} threads"
    )
    print(f"{r['seconds']} s, {r['requests']:,} requests, {r['rps']} req/s")
    print(
        f"follow (next -> phone shows it): p50 {r['follow_p50_s']} s, p95 {r['follow_p95_s']} s, "
        f"max {r['follow_max_s']} s, never shown {r['missed']}"
    )
    print(f"{'endpoint':<24} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  errors")
    for label, e in sorted(r["endpoints"].items()):  # type: ignore[attr-defined]
        print(
            f"{label:<24} {e['n']:>7,} {e['p50']:>8} {e['p95']:>8} {e['p99']:>8}  "
            f"{e['errors'] or '-'}"
        )
    print(
        f"HTTP errors {r['http_errors']}, connection errors {r['connection_errors']}, "
        f"failed phones {len(r['failed'])}, 'database is locked' {r['database_locked']}, "  # type: ignore[arg-type]
        f"tracebacks {r['tracebacks']}"
    )
    print(
        f"reconciliation: votes acknowledged {r['acknowledged']:,}, lost {r['lost']}, "
        f"stored twice {r['doubled']}, refused after the lock {r['refused_late']}, "
        f"responses {r['responses']} for {r['phones']} phones"
    )
    for failure in r["failed"][:5]:  # type: ignore[index]
        print("  failure:", failure)


def problems(r: dict[str, object]) -> tuple[list[str], list[str]]:
    wrong, slow = [], []
    if r["lost"] or r["doubled"] or r["responses"] != r["phones"]:
        wrong.append(f"lost {r['lost']}, doubled {r['doubled']}, responses {r['responses']}")
    if r["failed"] or r["missed"] or r["http_errors"] or r["tracebacks"] or r["database_locked"]:
        wrong.append("errors, failed phones or questions never shown")
    save = r["endpoints"].get("vote", {}).get("p95", 1e9)  # type: ignore[attr-defined]
    if save >= TARGET_SAVE_P95_MS[str(r["database"])]:
        slow.append(f"vote save p95 {save} ms over the target")
    if (r["follow_p95_s"] or 1e9) > TARGET_FOLLOW_P95_S:  # type: ignore[operator]
        slow.append(f"follow p95 {r['follow_p95_s']} s over {TARGET_FOLLOW_P95_S} s")
    return wrong, slow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--questions", type=int, default=8)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--poll", type=float, default=1.0, help="the phones' poll, seconds")
    parser.add_argument("--think", default="2,8", help="seconds before a vote: min,max")
    parser.add_argument("--ramp", type=float, default=30, help="seconds over which people join")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=250, help="per gthread worker")
    parser.add_argument(
        "--follow", choices=["sse", "poll"], default="sse", help="how phones follow the room"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 unless every target holds")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--read-back", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    if args.setup:
        print(json.dumps(setup_database()))
        return
    if args.read_back:
        campaign, code, *keys = args.read_back
        print(json.dumps(read_back(campaign, code, keys)))
        return
    results, failed, slow = [], [], []
    for database in args.databases.split(","):
        result = load_run(database, args)
        report(result)
        results.append(result)
        wrong, late = problems(result)
        failed += [f"{database}: {p}" for p in wrong]
        slow += [f"{database}: {p}" for p in late]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if slow:
        print("\nTARGETS MISSED:\n  " + "\n  ".join(slow))
    if failed:
        print("\nFAILED:\n  " + "\n  ".join(failed))
    if not failed and not slow:
        print("\nAll targets met.")
    if args.check and (failed or slow):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
