"""A respondent on a phone: personal link, half the survey, reload, finish, submit; and a
second phone through a team join link."""

from __future__ import annotations

import pytest

from assessments.models import Answer, Invitation, Response
from assessments.services.survey import invitation_create
from tests import builders
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaign(db):
    workspace = builders.workspace("northwind")
    org = builders.organization(workspace)
    return builders.campaign(workspace, org=org, version=builders.default_bank())


def answer_page(page, pick: int = 1) -> int:
    """Tap one choice per question on the current page; wait until each says Saved."""
    questions = page.locator("fieldset.question")
    count = questions.count()
    for index in range(count):
        question = questions.nth(index)
        question.locator("label.choice").nth(pick).click()
        question.locator(".saved", has_text="Saved").wait_for()
    return count


def test_personal_link_survives_a_reload_and_submits_once(phone, live_server, campaign):
    team = campaign.organization.teams.get(slug="ot-north")
    new = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=team, name="Pat")
    phone.goto(f"/s/{new.token}/")
    assert new.token not in phone.url  # exchanged for the session, out of the address
    screenshot(phone, "survey-start-phone")
    phone.click("button:has-text('Start')")
    phone.wait_for_selector("text=Part 1 of")
    screenshot(phone, "survey-page-phone")

    answered = 0
    for _ in range(3):  # about half of the survey
        answered += answer_page(phone)
        phone.click("button:has-text('Next')")
        phone.wait_for_load_state()
    response = Response.objects.get()
    assert Answer.objects.filter(response=response).count() == answered

    # Reload, and come back through the same link: every answer is still there.
    phone.reload()
    phone.goto(f"/s/{new.token}/")
    phone.wait_for_selector("text=Part 4 of")
    phone.click("button:has-text('Back')")
    phone.wait_for_selector("text=Part 3 of")
    checked = phone.locator("input[type=radio]:checked").count()
    assert checked == phone.locator("fieldset.question").count()

    phone.goto(f"/s/{new.token}/")
    while True:
        answer_page(phone, pick=2)
        button = phone.locator("button[name=move][value=next]")
        if button.count() == 0:
            phone.click("button:has-text('Review and submit')")
            break
        button.click()
        phone.wait_for_load_state()
    phone.wait_for_selector("text=Every question is answered")
    screenshot(phone, "survey-review-phone")
    # A double click makes one submitted response.
    phone.locator("button:has-text('Submit my answers')").dblclick()
    phone.wait_for_selector("text=Thank you!")
    screenshot(phone, "survey-thanks-phone")
    response.refresh_from_db()
    assert response.submitted_at is not None
    assert Response.objects.count() == 1
    assert response.function == "ot"


def test_team_join_link_gives_each_phone_its_own_response(chromium, live_server, campaign):
    team = campaign.organization.teams.get(slug="it-ops")
    new = invitation_create(campaign=campaign, kind=Invitation.Kind.TEAM, team=team)
    contexts = [
        chromium.new_context(
            base_url=live_server.url,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
        for _ in range(2)
    ]
    try:
        for context in contexts:
            page = context.new_page()
            page.goto(f"/s/{new.token}/")
            page.click("button:has-text('Start')")
            page.wait_for_selector("text=Part 1 of")
            answer_page(page)
            # Reopening the join link in the same browser resumes, not restarts.
            page.goto(f"/s/{new.token}/")
            page.wait_for_selector("text=Part 2 of")
    finally:
        for context in contexts:
            context.close()
    responses = Response.objects.filter(invitation=new.invitation)
    assert responses.count() == 2
    assert {r.function for r in responses} == {"it"}
    assert {r.team.slug for r in responses} == {"it-ops"}
