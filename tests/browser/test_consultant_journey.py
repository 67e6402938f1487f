"""The whole consultant journey in a browser, as a new user would do it: log in, create an
organisation, a team and a campaign, invite three people, answer as each on a phone, and
watch the completion tracker move."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from assessments.models import Campaign, Response
from tests.browser.conftest import log_in_as_demo_consultant, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def submit_quickly(chromium, base_url: str, link: str) -> None:
    context = chromium.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    try:
        phone.goto(link)
        phone.click("button:has-text('Start')")
        phone.wait_for_selector("text=Part 1 of")
        question = phone.locator("fieldset.question").first
        question.locator("label.choice").nth(2).click()
        question.locator(".saved", has_text="Saved").wait_for()
        phone.goto(phone.url.split("/p/")[0] + "/review/")
        phone.click("button:has-text('Submit my answers')")
        phone.wait_for_selector("text=Thank you!")
    finally:
        context.close()


def test_consultant_runs_a_campaign_end_to_end(page, chromium, live_server):
    call_command("seed_demo")
    log_in_as_demo_consultant(page)

    page.click("text=New organisation")
    page.fill("input[name=name]", "Globex Chemicals")
    page.fill("input[name=slug]", "globex")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('Globex Chemicals')")
    page.click("text=Add a team")
    page.fill("input[name=name]", "Process Control")
    page.fill("input[name=slug]", "process-control")
    page.select_option("select[name=function]", "ot")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved team Process Control.")

    page.click("text=New campaign")
    page.fill("input[name=name]", "Globex 2026")
    page.fill("input[name=slug]", "globex-2026")
    page.select_option("select[name=bank_version]", index=1)
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Target stage: Organisation and collaboration")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Open for answers")
    page.click("button:has-text('Open for answers')")
    page.wait_for_selector("text=is open: invitation links now work")

    links = []
    for name in ("Ana", "Ben", "Chloe"):
        page.fill("input[name=person-name]", name)
        page.select_option("select[name=person-team]", label="Process Control")
        page.click("button:has-text('Create personal link')")
        page.wait_for_selector("#link")
        links.append(page.inner_text("#link"))
        page.click("text=Back to Globex 2026")
    screenshot(page, "campaign-page-before")
    assert "0 submitted" in page.inner_text("#completion")

    for link in links:
        submit_quickly(chromium, live_server.url, link)

    # The tracker refreshes itself every few seconds (htmx); wait for it to move.
    expect(page.locator("#completion")).to_contain_text("3 submitted", timeout=20_000)
    tracker = page.inner_text("#completion")
    assert re.search(r"Process Control\s+0\s+3", tracker)
    screenshot(page, "campaign-page-after")
    campaign = Campaign.objects.get(slug="globex-2026")
    assert Response.objects.filter(campaign=campaign, submitted_at__isnull=False).count() == 3
    # The names the consultant typed stay on the invitations, never on the answers.
    assert {r.name for r in Response.objects.filter(campaign=campaign)} == {""}
