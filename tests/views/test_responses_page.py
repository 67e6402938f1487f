"""The attack of issue 16, point 8, replayed through the web: 40 fresh sessions posting a
workshop code; the consultant's caps, new code, and the page that sets fakes aside."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Response
from assessments.services.workshops import workshop_for
from tests import builders
from tests.html import visible_text
from tests.services.test_responses import _fabricate, _real_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace):
    campaign = builders.campaign(workspace)
    _real_rows(campaign)
    return campaign


@pytest.fixture
def consultant_client(client, owner):
    client.force_login(owner)
    return client


def _join(code: str, team) -> tuple[Client, int, str]:
    phone = Client()
    joined = phone.post(reverse("assessments:workshop-join", args=[code]), {"team": team.pk})
    return phone, joined.status_code, joined.content.decode()


def test_forty_fresh_sessions_meet_the_teams_headcount(campaign):
    workshop = workshop_for(campaign)
    biz = campaign.organization.teams.get(slug="biz")
    biz.headcount = 6
    biz.save()
    results = [_join(workshop.join_code, biz) for _ in range(40)]
    assert sum(status == 302 for _, status, _ in results) == 6
    refused = [html for _, status, html in results if status != 302]
    assert len(refused) == 34
    message = visible_text(refused[0])
    assert "Business has 6 people and as many responses already" in message
    assert "team:" not in message  # a sentence for a person, not a field's error
    assert Response.objects.filter(workshop=workshop).count() == 6


def test_facilitator_caps_the_room_and_makes_a_new_code(consultant_client, campaign):
    workshop = workshop_for(campaign)
    old = workshop.join_code
    url = reverse("assessments:workshop-access", args=[campaign.slug])
    consultant_client.post(url, {"action": "limits", "max_participants": "2", "cap_teams": "on"})
    workshop.refresh_from_db()
    assert (workshop.max_participants, workshop.cap_teams) == (2, True)
    page = consultant_client.get(reverse("assessments:workshop", args=[campaign.slug]))
    text = visible_text(page.content.decode())
    assert "Who may join: at most 2, no team beyond its headcount" in text

    it = campaign.organization.teams.get(slug="it-ops")
    inside, status, _ = _join(old, it)
    assert status == 302
    moved = consultant_client.post(url, {"action": "rotate"}, follow=True)
    workshop.refresh_from_db()
    assert workshop.join_code != old
    assert f"The new code is {workshop.join_code}" in visible_text(moved.content.decode())

    # The old code lets nobody else in...
    _, status, _ = _join(old, it)
    assert status == 404
    # ...and the phone already inside follows to the new code (the whole page, under htmx).
    live_old = reverse("assessments:workshop-live", args=[old])
    followed = inside.get(live_old + "?fragment=1", HTTP_HX_REQUEST="true")
    new_live = reverse("assessments:workshop-live", args=[workshop.join_code])
    assert followed["HX-Redirect"] == new_live
    # There, it is at home: free mode sends it on to its own survey.
    assert inside.get(new_live)["Location"].startswith("/survey/")
    # The room is full at 2.
    _, status, _ = _join(workshop.join_code, it)
    assert status == 302
    _, status, html = _join(workshop.join_code, it)
    assert status == 200 and "all the participants it takes (2)" in visible_text(html)

    # Nonsense limits are refused with the field named.
    bad = consultant_client.post(url, {"action": "limits", "max_participants": "0"}, follow=True)
    assert "Check the limits" in visible_text(bad.content.decode())
    workshop.refresh_from_db()
    assert workshop.max_participants == 2


def test_the_page_shows_counts_and_sets_the_burst_aside(consultant_client, campaign):
    workshop = workshop_for(campaign)
    _fabricate(workshop, campaign.organization.teams.get(slug="ot-north"), 6)
    url = reverse("assessments:campaign-responses", args=[campaign.slug])
    text = visible_text(consultant_client.get(url).content.decode())
    assert f"Workshop code {workshop.join_code}" in text
    assert "Responses 6, 6 submitted" in text
    assert "Submitted too fast 6" in text
    assert "Most within one minute 6" in text
    # No response is listed one by one: no respondent reference, no public id.
    for response in Response.objects.filter(workshop=workshop):
        assert response.respondent not in text and str(response.public_id) not in text

    done = consultant_client.post(
        url, {"source": "workshop", "which": "fast", "reason": "bot"}, follow=True
    )
    assert "Set aside 6" in visible_text(done.content.decode())
    assert Response.objects.filter(discarded_at__isnull=False).count() == 6
    after = visible_text(consultant_client.get(url).content.decode())
    assert "Responses 0, 0 submitted" in after and "Restore the 6 set aside" in after

    # Restoring two of them alone is not possible from the page: restore takes all six.
    back = consultant_client.post(url, {"source": "workshop", "which": "discarded"}, follow=True)
    assert "Restored 6" in visible_text(back.content.decode())
    assert not Response.objects.filter(discarded_at__isnull=False).exists()


def test_a_refused_discard_says_why_and_writes_nothing(consultant_client, campaign):
    workshop = workshop_for(campaign)
    _fabricate(workshop, campaign.organization.teams.get(slug="ot-north"), 2)
    url = reverse("assessments:campaign-responses", args=[campaign.slug])
    page = consultant_client.post(url, {"source": "workshop", "which": "all"}, follow=True)
    assert "by fewer than 5 responses" in visible_text(page.content.decode())
    assert not Response.objects.filter(discarded_at__isnull=False).exists()


def test_outsiders_get_404(client, campaign, outsider):
    client.force_login(outsider)
    url = reverse("assessments:campaign-responses", args=[campaign.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, {"source": "workshop", "which": "all"}).status_code == 404


def test_the_page_costs_the_same_queries_whatever_the_size(consultant_client, campaign):
    workshop = workshop_for(campaign)
    url = reverse("assessments:campaign-responses", args=[campaign.slug])
    _fabricate(workshop, campaign.organization.teams.get(slug="ot-north"), 1)
    consultant_client.get(url)  # the session's first touch writes it; not the page's cost
    with CaptureQueriesContext(connection) as small:
        consultant_client.get(url)
    _fabricate(workshop, campaign.organization.teams.get(slug="biz"), 8)
    with CaptureQueriesContext(connection) as large:
        consultant_client.get(url)
    assert len(small) == len(large) == 9
