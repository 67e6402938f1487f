"""A live workshop in browsers: a facilitator, the audience screen and six phones join with the
code, vote on the facilitator's question, the facilitator reveals the votes (split by function),
opens a second round, locks and unlocks it, one phone votes offline and its vote arrives, the
reveal shows how the room moved, and the facilitator records the room's agreed answer; the
dashboard shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments.models import AgreedAnswer, Response
from tests import builders
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_paced_round_from_join_to_recorded_consensus(chromium, live_server, page):
    workspace = builders.workspace("northwind")
    owner = builders.user("olivia", workspace, role="owner")
    org = builders.organization(workspace)
    campaign = builders.campaign(
        workspace, org=org, version=builders.default_bank(), min_group_size=3
    )
    assert owner

    facilitator = page
    facilitator.set_viewport_size({"width": 1920, "height": 1080})
    facilitator.goto("/accounts/login/")
    facilitator.fill("input[name=username]", "olivia")
    facilitator.fill("input[name=password]", "pw-olivia-123")
    facilitator.click("main button[type=submit]")
    facilitator.goto(f"/campaigns/{campaign.slug}/workshop/")
    code = facilitator.inner_text("#join-code").strip()
    facilitator.select_option("select[name=mode]", "paced")
    facilitator.click("button:has-text('Set mode')")
    facilitator.select_option("select[name=question]", "COL-1")
    facilitator.click("button:has-text('Go')")
    facilitator.wait_for_selector("#votes-hidden")

    phones = []
    teams = ["it-ops", "it-ops", "it-ops", "ot-north", "ot-north", "ot-north"]
    picks = [3, 3, 2, 1, 1, 0]
    for team_slug, pick in zip(teams, picks, strict=True):
        context = chromium.new_context(
            base_url=live_server.url,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
        phone = context.new_page()
        phones.append(context)
        phone.goto("/w/")
        phone.fill("input[name=code]", code.lower())
        phone.click("button:has-text('Join')")
        team_name = org.teams.get(slug=team_slug).name
        phone.click(f"label.choice:has-text('{team_name}')")
        phone.click("button:has-text('Join')")
        phone.wait_for_selector("fieldset.question")
        phone.locator("label.choice").nth(pick).click()
        phone.locator(".saved", has_text="Saved").wait_for()
    screenshot(phones[0].pages[0], "workshop-phone")
    try:
        # The presenter view refreshes itself: 6 joined, votes still hidden.
        expect(facilitator.locator("#room")).to_contain_text("6 votes so far", timeout=15_000)
        assert "Votes are hidden" in facilitator.inner_text("#room")
        # The projector: the audience screen, no controls, type readable from the back.
        screen = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1920, "height": 1080}
        )
        phones.append(screen)
        projector = screen.new_page()
        projector.goto("/accounts/login/")
        projector.fill("input[name=username]", "olivia")
        projector.fill("input[name=password]", "pw-olivia-123")
        projector.click("main button[type=submit]")
        projector.goto(f"/campaigns/{campaign.slug}/workshop/screen/")
        size = "e => parseFloat(getComputedStyle(e).fontSize)"
        assert projector.locator("#screen-question").evaluate(size) >= 40
        assert projector.locator("#screen-choices li").first.evaluate(size) >= 28
        assert projector.locator("button, nav, form").count() == 0
        # R on the presenter view reveals (and closes the voting); the screen follows.
        facilitator.locator("body").press("r")
        facilitator.wait_for_selector("text=2 (33 %)")
        expect(projector.locator("#screen-reveal thead")).to_contain_text("IT (3)", timeout=5_000)
        assert projector.locator("#screen-reveal thead").inner_text().split() == [
            "Everyone",
            "(6)",
            "IT",
            "(3)",
            "OT",
            "(3)",
        ]
        screenshot(projector, "workshop-audience-screen-1920")
        screenshot(facilitator, "workshop-facilitator")
        assert Response.objects.filter(campaign=campaign).count() == 6
        # The phones follow by themselves (server-sent events): the room's answers.
        ot_phone = phones[3].pages[0]
        expect(ot_phone.locator("#vote-status")).to_contain_text("The room", timeout=6_000)
        assert ot_phone.locator("fieldset.question input[type=radio]").first.is_disabled()

        # Vote again after the discussion: round 2 reaches the phones, L locks and unlocks.
        facilitator.click("button[value=revote]")
        for context in phones[:6]:
            expect(context.pages[0].locator("#round")).to_contain_text("Round 2", timeout=6_000)
        facilitator.locator("body").press("l")
        expect(ot_phone.locator("#vote-locked")).to_be_visible(timeout=6_000)
        assert ot_phone.locator("fieldset.question input[type=radio]").first.is_disabled()
        facilitator.locator("body").press("l")
        expect(ot_phone.locator("#vote-hidden")).to_be_visible(timeout=6_000)
        # OT moves up after the discussion; one OT phone votes while its connection is down,
        # and its vote waits in the browser until the connection returns.
        for index, pick in ((0, 3), (1, 3), (2, 2), (4, 2), (5, 1)):
            phone = phones[index].pages[0]
            phone.locator("label.choice").nth(pick).click()
            phone.locator(".saved", has_text="Saved").wait_for()
        phones[3].set_offline(True)
        ot_phone.locator("label.choice").nth(2).click()
        expect(ot_phone.locator(".saved")).to_contain_text("kept in this browser")
        phones[3].set_offline(False)
        expect(ot_phone.locator(".saved")).to_contain_text("Saved", timeout=15_000)
        expect(facilitator.locator("#room")).to_contain_text("6 votes so far", timeout=10_000)
        facilitator.locator("body").press("r")
        expect(projector.locator("#movement")).to_contain_text("round 1", timeout=5_000)
        movement = projector.locator("#movement tbody").inner_text()
        assert "OT" in movement and "+1.00" in movement  # OT: 0.67 -> 1.67
        screenshot(projector, "workshop-audience-movement-1920")

        # Recorded in place: the presenter view stays where it is (htmx).
        facilitator.select_option("#agreed-answer", "2")
        facilitator.fill("#agreed-note", "Projects mix both sides, but only from the start")
        facilitator.click("#agreed-form button[type=submit]")
        expect(facilitator.locator("#agreed-status")).to_have_text(
            "Recorded the agreed answer to COL-1."
        )
        assert facilitator.url.endswith(f"/campaigns/{campaign.slug}/workshop/")
    finally:
        for context in phones:
            context.close()
    agreed = AgreedAnswer.objects.get(campaign=campaign, question__key="COL-1")
    assert agreed.choice.key == "2"
    # Three phones submit, so the dashboard has figures; it shows the agreed answer.
    for response in Response.objects.filter(campaign=campaign)[:3]:
        from assessments.services.survey import response_submit

        response_submit(response=response)
    facilitator.goto(f"/campaigns/{campaign.slug}/dashboard/")
    facilitator.click("text=Dimension scores as a table")
    assert "Workshop consensus" in facilitator.inner_text("details.table-view")
