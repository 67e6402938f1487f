"""A respondent loses the connection on the plant floor: the answer waits in the browser's
storage, survives closing the browser, and arrives when the survey is opened again online.
Without JavaScript no page promises autosave."""

from __future__ import annotations

import time

import pytest

from assessments.models import Answer, Invitation, Response
from assessments.services.survey import answer_options, invitation_create
from tests import builders
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, PHONE, csp_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaign(db):
    workspace = builders.workspace("northwind")
    org = builders.organization(workspace)
    return builders.campaign(workspace, org=org, version=builders.default_bank())


def open_phone(driver, profile, live_server):
    """A phone's browser with a profile on disk: closing it and opening it again keeps its
    cookies and its storage, as closing a tab and coming back does."""
    context = driver.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        args=LAUNCH_ARGS,
        base_url=live_server.url,
        **PHONE,
    )
    return context, csp_violations(context)


def wait_for(predicate, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.1)


def test_an_offline_answer_survives_closing_the_browser(driver, live_server, campaign, tmp_path):
    team = campaign.organization.teams.get(slug="ot-north")
    new = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=team, name="Kim")
    context, refused = open_phone(driver, tmp_path / "profile", live_server)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"/s/{new.token}/")
    page.click("button:has-text('Start')")
    page.wait_for_selector("text=Part 1 of")
    questions = page.locator("fieldset.question")
    first, second = questions.nth(0), questions.nth(1)
    first.locator("label.choice").nth(2).click()
    first.locator(".saved", has_text="Saved").wait_for()

    context.set_offline(True)
    second.locator("label.choice").nth(3).click()
    second.locator(".saved", has_text="not sent yet").wait_for()
    banner = page.locator("#unsent")
    banner.wait_for(state="visible")
    assert "1 answer is not sent yet." in banner.inner_text()
    screenshot(page, "survey-offline-phone")
    response = Response.objects.get()
    assert Answer.objects.filter(response=response).count() == 1  # the server has one
    second_key = second.get_attribute("id").removeprefix("q-")
    chosen = second.locator("input[type=radio]:checked").get_attribute("value")
    context.close()  # the phone's browser is closed while still offline
    assert refused == [], refused

    # Later, online again, the respondent opens the survey from the same link.
    context, refused = open_phone(driver, tmp_path / "profile", live_server)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"/s/{new.token}/")
    wait_for(lambda: Answer.objects.filter(response=response).count() == 2)
    answer = Answer.objects.get(response=response, question__key=second_key)
    assert [o.value for o in answer_options(answer.question, answer) if o.checked] == [chosen]
    page.locator("#unsent").wait_for(state="hidden")
    context.close()
    assert refused == [], refused


def test_moving_on_offline_stays_on_the_page_and_says_why(driver, live_server, campaign, tmp_path):
    team = campaign.organization.teams.get(slug="it-ops")
    new = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=team)
    context, refused = open_phone(driver, tmp_path / "profile", live_server)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"/s/{new.token}/")
    page.click("button:has-text('Start')")
    page.wait_for_selector("text=Part 1 of")
    context.set_offline(True)
    page.locator("fieldset.question").nth(0).locator("label.choice").nth(1).click()
    page.locator("#unsent").wait_for(state="visible")
    page.click("button:has-text('Next')")
    page.locator("#unsent", has_text="Still no connection").wait_for()
    assert "Part 1 of" in page.inner_text("body")  # not the browser's "no internet" page

    context.set_offline(False)
    page.click("button:has-text('Next')")
    page.wait_for_selector("text=Part 2 of")
    assert Answer.objects.filter(response__invitation=new.invitation).count() == 1
    context.close()
    assert refused == [], refused


def test_without_javascript_nothing_promises_autosave(chromium, live_server, campaign):
    new = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=None)
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(f"/s/{new.token}/")
    start = page.inner_text("main")
    assert "saved as soon as you choose" not in start
    assert "saved each time you press Next or Back" in start
    page.check("input[name=function][value=it]", force=True)
    page.click("button:has-text('Start')")
    page.wait_for_selector("text=Part 1 of")
    assert "saved when you press Next or Back" in page.inner_text("main")
    context.close()

    other = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=None)
    context = chromium.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    page.goto(f"/s/{other.token}/")
    start = page.inner_text("main")
    assert "Every answer is saved as soon as you choose it" in start
    assert "press Next or Back" not in start
    page.check("input[name=function][value=ot]", force=True)
    page.click("button:has-text('Start')")
    page.wait_for_selector("text=Part 1 of")
    assert "press Next or Back" not in page.inner_text("main")
    context.close()
