"""Phones follow the facilitator by server-sent events (docs/performance.md, "Phones follow
the facilitator": polling every second could not carry 300 phones on two cores; one stream
per phone that speaks only when the facilitator acts does).

One `Broadcaster` per server process. Its thread reads, five times a second and in one query,
the state version of every workshop a phone in this process is following (the database is
the one source of truth, so this works with several processes and several machines). When a
version moves, the thread reads what every phone will need, once for all of them: the
workshop, its question with its answers, the room's result if revealed (rule 8f, through the
same selectors as the projector) and the round's votes of everyone in the room. Then it wakes
the streams, and each renders its phone's fragment from that snapshot without a query of its
own, so 300 phones cost the database a handful of queries per facilitator action, not 300.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from assessments.models import Question, Workshop, WorkshopVote, WorkshopWord
from assessments.selectors.workshops import WordCloud, room_state, vote_shares, word_cloud

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2  # how often the thread reads the versions (the phones' delay, at most)


@dataclass(frozen=True)
class Snapshot:
    """What every phone of one workshop needs at one state version; read once, shared."""

    version: int
    workshop: Workshop
    shares: list[dict[str, Any]] = field(default_factory=list)
    votes: dict[int, WorkshopVote] = field(default_factory=dict)  # response id -> vote
    cloud: WordCloud | None = None  # in the word cloud activity (rule 8f, as the screens)
    words: dict[int, str] = field(default_factory=dict)  # response id -> its word


def read_snapshot(workshop_id: int) -> Snapshot | None:
    workshop = (
        Workshop.objects.select_related(
            "campaign__organization", "campaign__bank_version", "current_question"
        )
        .filter(pk=workshop_id)
        .first()
    )
    if workshop is None:
        return None
    shares: list[dict[str, Any]] = []
    votes: dict[int, WorkshopVote] = {}
    if workshop.current_question_id is not None:
        workshop.current_question = Question.objects.prefetch_related("choices").get(
            pk=workshop.current_question_id
        )
        votes = {
            vote.response_id: vote
            for vote in WorkshopVote.objects.filter(
                session_id=workshop.session_id,
                question_id=workshop.current_question_id,
                round=workshop.round,
            )
        }
        if workshop.revealed:
            shares = vote_shares(workshop, room_state(workshop))
    cloud = None
    words: dict[int, str] = {}
    if workshop.activity == Workshop.Activity.WORDS and workshop.session_id is not None:
        cloud = word_cloud(workshop)
        words = dict(
            WorkshopWord.objects.filter(session_id=workshop.session_id).values_list(
                "response_id", "text"
            )
        )
    return Snapshot(workshop.state_version, workshop, shares, votes, cloud, words)


class Broadcaster:
    """`threaded=False` reads in each waiting stream's own thread instead: the tests' mode
    (Django's test server shares its in-memory database only with its own threads)."""

    def __init__(self, every: float = POLL_SECONDS, threaded: bool = True) -> None:
        self.every, self.threaded = every, threaded
        self.changed = threading.Condition()
        self.watching: Counter[int] = Counter()  # workshop id -> open streams
        self.snapshots: dict[int, Snapshot] = {}
        self.thread: threading.Thread | None = None
        self.stopped = False  # set by `stop`: every stream ends at its next wait

    def stop(self, within: float = 5.0) -> None:
        """End every stream (the tests' server, before its database goes): each waiting
        stream returns from `wait` at once and ends; returns when none is left, or after
        `within` seconds."""
        with self.changed:
            self.stopped = True
            self.changed.notify_all()
        ends = time.monotonic() + within
        while self.watching and time.monotonic() < ends:
            time.sleep(0.05)

    def watch(self, workshop_id: int) -> None:
        with self.changed:
            self.watching[workshop_id] += 1
            if self.threaded and (self.thread is None or not self.thread.is_alive()):
                self.thread = threading.Thread(target=self._run, name="live-broadcaster")
                self.thread.daemon = True
                self.thread.start()

    def unwatch(self, workshop_id: int) -> None:
        with self.changed:
            self.watching[workshop_id] -= 1
            if self.watching[workshop_id] <= 0:
                del self.watching[workshop_id]
                self.snapshots.pop(workshop_id, None)

    def wait(self, workshop_id: int, seen: int | None, timeout: float) -> Snapshot | None:
        """The workshop's snapshot once its version differs from `seen`; None on timeout."""
        if not self.threaded:  # each stream reads for itself, every `every` seconds
            ends = time.monotonic() + timeout
            while not self.stopped:
                self.poll_once()
                snapshot = self.snapshots.get(workshop_id)
                if snapshot is not None and snapshot.version != seen:
                    return snapshot
                if time.monotonic() >= ends:
                    return None
                time.sleep(self.every)
            return None
        with self.changed:
            self.changed.wait_for(
                lambda: (
                    self.stopped
                    or ((s := self.snapshots.get(workshop_id)) is not None and s.version != seen)
                ),
                timeout,
            )
            snapshot = self.snapshots.get(workshop_id)
        return snapshot if snapshot is not None and snapshot.version != seen else None

    def poll_once(self) -> None:
        with self.changed:
            ids = list(self.watching)
        if not ids:
            return
        versions = dict(Workshop.objects.filter(pk__in=ids).values_list("pk", "state_version"))
        fresh = {}
        for workshop_id in ids:
            known = self.snapshots.get(workshop_id)
            if workshop_id in versions and (
                known is None or known.version != versions[workshop_id]
            ):
                snapshot = read_snapshot(workshop_id)
                if snapshot is not None:
                    fresh[workshop_id] = snapshot
        if fresh:
            with self.changed:
                for workshop_id, snapshot in fresh.items():
                    if workshop_id in self.watching:
                        self.snapshots[workshop_id] = snapshot
                self.changed.notify_all()

    def _run(self) -> None:
        while True:
            with self.changed:
                if not self.watching:
                    self.thread = None
                    connection.close()
                    return
            try:
                self.poll_once()
            except Exception:  # the database is away: say so, try again, never die
                logger.exception("live workshop updates: reading the state failed")
                connection.close()
                time.sleep(1)
            time.sleep(self.every)


broadcaster = Broadcaster()
