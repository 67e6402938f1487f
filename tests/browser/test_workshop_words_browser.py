"""One word and questions for later, in browsers: a facilitator switches the room to the word
cloud, five phones send a word, the cloud is shown on the projector and the phones only once
the minimum has sent one; then a phone parks a question, the others upvote it, and the
projector lists it first."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments.models import ParkingUpvote, WorkshopWord
from tests import builders
from tests.browser.conftest import csp_violations, low_contrast, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page, name="olivia"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", f"pw-{name}-123")
    page.click("main button[type=submit]")


def test_a_word_cloud_and_questions_for_later(chromium, live_server, page):
    workspace = builders.workspace("northwind")
    builders.user("olivia", workspace, role="owner")
    org = builders.organization(workspace)
    campaign = builders.campaign(workspace, org=org, min_group_size=5)

    facilitator = page
    facilitator.set_viewport_size({"width": 1440, "height": 900})
    _login(facilitator)
    facilitator.goto(f"/campaigns/{campaign.slug}/workshop/")
    code = facilitator.inner_text("#join-code").strip()
    facilitator.select_option("select[name=mode]", "paced")
    facilitator.click("button:has-text('Set mode')")
    facilitator.click("#activity button[value=words]")
    expect(facilitator.locator("#room-words")).to_contain_text("0 words so far")

    contexts = []
    refused: list[str] = []
    try:
        screen = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1920, "height": 1080}
        )
        contexts.append(screen)
        refused_screen = csp_violations(screen)
        projector = screen.new_page()
        _login(projector)
        projector.goto(f"/campaigns/{campaign.slug}/workshop/screen/")
        expect(projector.locator("#screen-question")).to_contain_text("In one word")

        phones = []
        words = ["Silos", "silos", "bridges", "Silos ", "tickets"]
        for number, word in enumerate(words):
            context = chromium.new_context(
                base_url=live_server.url,
                viewport={"width": 390, "height": 844},
                is_mobile=True,
                has_touch=True,
            )
            contexts.append(context)
            refused += csp_violations(context)
            phone = context.new_page()
            phones.append(phone)
            phone.goto(f"/w/{code}/")
            team = "it-ops" if number % 2 else "ot-north"
            phone.click(f"label.choice:has-text('{org.teams.get(slug=team).name}')")
            phone.click("button:has-text('Join')")
            phone.fill("#word-input", word)
            if number < 4:
                phone.click("#words button[type=submit]")
                expect(phone.locator("#word-status")).to_contain_text("Sent:")
        # Four of five: the screen counts, shows no word, and the cloud cannot be shown.
        expect(projector.locator("#screen-status")).to_contain_text("4 words so far")
        assert "silos" not in projector.inner_text("#screen")
        facilitator.locator("body").press("r")
        expect(facilitator.locator(".alert")).to_contain_text("once 5 people have given a word")
        # The fifth word arrives (Enter sends it); R shows the cloud everywhere.
        phones[4].press("#word-input", "Enter")
        expect(phones[4].locator("#word-status")).to_contain_text("Sent: tickets")
        expect(facilitator.locator("#room-words")).to_contain_text("5 people have given a word")
        facilitator.locator("body").press("r")
        expect(projector.locator("#screen-cloud")).to_contain_text("silos", timeout=5_000)
        biggest = projector.locator("#screen-cloud li").first
        assert biggest.inner_text() == "silos" and biggest.get_attribute("title") == "3"
        size = "e => parseFloat(getComputedStyle(e).fontSize)"
        assert biggest.evaluate(size) >= 80  # readable from the back of the room
        expect(phones[2].locator("#words")).to_contain_text("Your word: bridges", timeout=6_000)
        assert phones[2].locator("#word-input").count() == 0  # closed once shown
        assert low_contrast(projector, "#screen-cloud li") == []
        assert low_contrast(phones[2], "#words li") == []
        screenshot(projector, "workshop-word-cloud-1920")
        screenshot(phones[2], "workshop-word-cloud-phone")
        assert WorkshopWord.objects.filter(text="silos").count() == 3

        # Questions for later: asked on one phone, upvoted on two others, first on the screen.
        facilitator.click("#activity button[value=parking]")
        asker = phones[0]
        expect(asker.locator("#parking-now")).to_be_visible(timeout=6_000)
        asker.fill(".parking-live input[name=question]", "Who pays for the OT firewall?")
        asker.click(".parking-live button:has-text('Ask')")
        expect(asker.locator(".parking-live")).to_contain_text("(yours)")
        asker.fill(".parking-live input[name=question]", "Can vendors keep remote access?")
        asker.press(".parking-live input[name=question]", "Enter")
        expect(asker.locator(".parking-live li")).to_have_count(2)
        for voter in phones[1:3]:
            voter.reload()
            voter.locator(".parking-live li", has_text="firewall").locator(".upvote").click()
            expect(
                voter.locator(".parking-live li", has_text="firewall").locator(".upvote")
            ).to_have_attribute("aria-pressed", "true")
        expect(projector.locator("#screen-parking li").first).to_contain_text(
            "▲ 2 Who pays for the OT firewall?", timeout=5_000
        )
        assert ParkingUpvote.objects.count() == 2
        screenshot(projector, "workshop-parking-1920")
        screenshot(phones[1], "workshop-parking-phone")
        # The facilitator takes it: it moves last, struck through.
        facilitator.locator("#room-parking li", has_text="firewall").locator(
            "button[value=answered]"
        ).click()
        expect(projector.locator("#screen-parking li").last).to_contain_text("firewall")
        screenshot(facilitator, "workshop-parking-presenter-1440")
    finally:
        for context in contexts:
            context.close()
    assert refused == [] and refused_screen == [], refused
