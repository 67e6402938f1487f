"""Benchmark: a 300-person workshop, request by request, in one process.

    .venv/bin/python bench/workshop.py [--participants 300] [--databases sqlite,postgres]

Fresh database with the default bank; participants join with the code (one team each,
spread over six teams), the facilitator paces the room. Measured through Django's test client
(server time, no network): joining, saving an answer, a participant's poll (304 while the
facilitator has not moved on), the projector's poll (304 while nothing changed, 200 after a
vote), and revealing. Prints median and 95th percentile in milliseconds.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import _setup, database_url, demo_campaign, run_step


def timed(samples: list[float], call, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = call(*args, **kwargs)
    samples.append((time.perf_counter() - started) * 1000)
    return result


def workshop_run(participants: int) -> dict[str, object]:
    _setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from assessments.models import Membership, Team
    from assessments.services.workshops import workshop_for, workshop_set_limits

    _version, workspace, org, campaign = demo_campaign("live")
    # 300 people: more than the demo teams' headcounts, which a workshop caps by default.
    workshop = workshop_set_limits(
        workshop=workshop_for(campaign), max_participants=None, cap_teams=False
    )
    user = get_user_model().objects.create_user("facilitator")
    Membership.objects.create(user=user, workspace=workspace, role="owner")
    room = Client(HTTP_HOST="127.0.0.1")
    room.force_login(user)
    state = f"/campaigns/{campaign.slug}/workshop/state/"
    room.post(state, {"mode": "paced"})
    room.post(state, {"question": "COL-1"})
    teams = list(Team.objects.filter(organization=org))
    join, save, poll, room_304, room_200 = [], [], [], [], []
    phones = []
    for index in range(participants):
        phone = Client(HTTP_HOST="127.0.0.1")
        team = teams[index % len(teams)]
        timed(join, phone.post, f"/w/{workshop.join_code}/", {"team": team.pk})
        phones.append(phone)
    live = f"/w/{workshop.join_code}/live/?fragment=1"
    etags = [phone.get(live)["ETag"] for phone in phones]
    room_url = f"/campaigns/{campaign.slug}/workshop/room/"
    etag = room.get(room_url)["ETag"]
    statuses = []
    for index, phone in enumerate(phones):
        answer = {"question": "COL-1", "q-COL-1": str(index % 4)}
        timed(save, phone.post, f"/w/{workshop.join_code}/vote/", answer, HTTP_HX_REQUEST="true")
        polled = timed(poll, phone.get, live, HTTP_IF_NONE_MATCH=etags[index])
        statuses.append(polled.status_code)
        if index % 10 == 0:  # the projector polls every few seconds meanwhile
            etag = timed(room_200, room.get, room_url, HTTP_IF_NONE_MATCH=etag)["ETag"]
            statuses.append(
                timed(room_304, room.get, room_url, HTTP_IF_NONE_MATCH=etag).status_code
            )
    reveal: list[float] = []
    timed(reveal, room.post, state, {"action": "reveal"})

    def stats(samples: list[float]) -> str:
        ordered = sorted(samples)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        return f"{statistics.median(ordered):.1f} / {p95:.1f}"

    return {
        "join": stats(join),
        "save": stats(save),
        "poll_304": stats(poll),
        "room_200": stats(room_200),
        "room_304": stats(room_304),
        "reveal": stats(reveal),
        "polls_304": f"{statuses.count(304)} of {len(statuses)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workshop-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.workshop_one:
        print(json.dumps(workshop_run(args.workshop_one)))
        return
    print(f"{args.participants} participants; milliseconds, median / 95th percentile")
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "DATABASE_URL": database_url(database, Path(tmp)), "DEBUG": "1"}
            r = run_step(env, "--workshop-one", str(args.participants), script=__file__)
        print(
            f"{database}: " + ", ".join(f"{k} {v}" for k, v in r.items() if k != "polls_304_share"),
            flush=True,
        )


if __name__ == "__main__":
    main()
