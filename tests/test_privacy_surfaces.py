"""Every surface reads the one privacy decision (rule 8): the figures of a hidden group
appear nowhere, in no view, on no surface.

The campaign: IT (6) and OT (6) at plant north answer 0 or 1 to everything; a business team
(5) at south answers 0 or 1; one board member answers 3 to everything. Alone, the board
member is a class of one: function hidden, the smallest class that is not IT or OT (the
business team) joins them. Every figure the board member has alone is 3.000, and no shown
group can reach 3 with answers of 0 and 1: a 3.0, 3.00 or 3.000 anywhere would be a leak.
"""

from __future__ import annotations

import io
import random
import re
import zipfile

import pytest
from django.urls import reverse

from assessments.files.responses import responses_import
from assessments.models import Campaign, Team
from assessments.outputs import report
from assessments.outputs.deck import campaign_deck
from assessments.selectors.scores import campaign_scores
from assessments.vocabulary import FUNCTIONS
from tests import builders
from tests.outputs.test_report import pdf_text

pytestmark = pytest.mark.django_db

QUESTIONS = ("C-1", "C-2", "S-1", "S-2", "I-1")
LEAK = re.compile(r"(?<![\d.])3\.0{1,3}(?!\d)")


@pytest.fixture
def campaign(workspace, owner):
    campaign = builders.campaign(workspace)
    Team.objects.create(
        organization=campaign.organization, slug="board", name="Board", function="leadership"
    )
    rng = random.Random(3)
    rows = ["respondent,function,team,site,submitted," + ",".join(QUESTIONS)]
    plan = [("it-ops", "north", 6), ("ot-north", "north", 6), ("biz", "south", 5)]
    number = 0
    for team, site, size in plan:
        for _ in range(size):
            number += 1
            answers = ",".join(rng.choice("01") for _ in QUESTIONS)
            rows.append(f"r{number},,{team},{site},yes,{answers}")
    rows.append("boss,,board,north,yes," + ",".join("3" for _ in QUESTIONS))
    responses_import(campaign=campaign, data="\n".join(rows).encode(), filename="a.csv")
    doc = campaign_scores(campaign)
    assert doc["by_team"]["board"]["suppressed"] and doc["by_team"]["biz"]["suppressed"]
    assert not doc["by_team"]["it-ops"].get("suppressed")
    return Campaign.objects.select_related("organization__workspace", "bank_version__bank").get(
        pk=campaign.pk
    )


@pytest.fixture
def member(client, campaign, owner):
    client.force_login(owner)
    return client


def views(campaign: Campaign) -> list[dict[str, str]]:
    sites = list(campaign.organization.sites.values_list("slug", flat=True))
    return (
        [{}]
        + [{"site": s} for s in sites]
        + [{"function": f} for f in FUNCTIONS]
        + [{"site": s, "function": f} for s in sites for f in FUNCTIONS]
    )


def test_score_documents_of_every_view(member, campaign, capsys):
    from django.core.management import call_command

    for params in views(campaign):
        args = [campaign.slug, "--json"] + [f"--{k}={v}" for k, v in params.items()]
        call_command("score", *args)
        assert not LEAK.findall(capsys.readouterr().out), params


def test_api_of_every_view(member, campaign, owner):
    from assessments.services.tokens import token_create

    token = token_create(user=owner, name="BI")[1]
    url = reverse("assessments:api-campaign-scores", args=[campaign.slug])
    for params in views(campaign):
        body = member.get(url, params, HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
        assert '"campaign"' in body and not LEAK.findall(body), params


def test_dashboard_of_every_view(member, campaign):
    for params in views(campaign):
        html = member.get(
            reverse("assessments:campaign-dashboard", args=[campaign.slug]), params
        ).content.decode()
        assert not LEAK.findall(html), params


def test_consensus_page(member, campaign):
    html = member.get(
        reverse("assessments:campaign-consensus", args=[campaign.slug])
    ).content.decode()
    assert not LEAK.findall(html)


def test_exports(member, campaign):
    for kind in ("scores", "questions", "comments"):
        for fmt in ("csv", "xlsx"):
            body = member.get(
                reverse("assessments:campaign-export", args=[campaign.slug, kind, fmt])
            ).content
            if fmt == "xlsx":
                with zipfile.ZipFile(io.BytesIO(body)) as book:
                    body = b"".join(book.read(name) for name in book.namelist())
            assert not LEAK.findall(body.decode("utf-8", "replace")), (kind, fmt)


def test_raw_answers_carry_the_board_member_under_no_team(member, campaign):
    body = member.get(
        reverse("assessments:campaign-export", args=[campaign.slug, "answers", "csv"])
    ).content.decode("utf-8-sig")
    lines = body.splitlines()[1:]
    boss = [line for line in lines if line.endswith("3,3,3,3,3")]
    assert len(boss) == 1 and re.fullmatch(r"R\d{4},\*,\*,\*,yes,,3,3,3,3,3", boss[0])
    # Rows come in the order of their protected coordinates, then of a random id, never in
    # the order people answered (the board member answered last): when someone answered
    # points at no row.
    coordinates = [line.split(",")[1:4] for line in lines]
    assert coordinates == sorted(coordinates)
    assert [line.split(",")[0] for line in lines] == [f"R{n:04d}" for n in range(1, 19)]


def test_pdf_report(campaign):
    text = pdf_text(report.campaign_report_pdf(campaign))
    assert "Board" in text
    before_appendix = text.split("Appendix A: Methodology")[-2]
    assert not LEAK.findall(before_appendix)


def test_deck(campaign):
    with zipfile.ZipFile(io.BytesIO(campaign_deck(campaign))) as deck:
        xml = "".join(deck.read(n).decode("utf-8", "replace") for n in deck.namelist())
    # What a person reads: slide text and the charts' values (not the axes' 3.0 maximum).
    shown = re.findall(r"<a:t>([^<]*)</a:t>", xml) + re.findall(r"<c:v>([^<]*)</c:v>", xml)
    assert not LEAK.findall(" ".join(shown))
