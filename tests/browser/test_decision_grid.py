"""Decision questions on a phone (issue 17, point 2): one compact row of tap targets per
decision, autosaved like every answer, and nothing wider than the screen."""

from __future__ import annotations

import pytest

from assessments.models import Answer, Invitation
from assessments.services.survey import invitation_create
from tests import builders
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_decision_is_one_tap_and_saved(phone, live_server, workspace):
    campaign = builders.campaign(workspace, version=builders.decision_bank())
    team = campaign.organization.teams.get(slug="ot-north")
    new = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=team)
    phone.goto(f"/s/{new.token}/")
    phone.click("button:has-text('Start')")
    phone.wait_for_selector("text=Part 1 of")
    legend = phone.locator("#decision-legend")
    assert "Together: IT and OT together" in legend.inner_text()
    row = phone.locator("fieldset#q-D-1 .decision-row")
    labels = [t.strip() for t in row.locator("label").all_inner_texts()]
    assert labels == ["IT", "OT", "Together", "Vendor", "Nobody", "N/A", "Don't know"]
    box = row.bounding_box()
    assert box["height"] < 110  # two lines of pills on a 390 px phone, not seven cards
    row.locator("label", has_text="Together").click()
    # The pill itself shows the choice (its radio circle is hidden, still focusable).
    checked = row.locator("label:has(input:checked)")
    assert checked.inner_text().strip() == "Together"
    assert checked.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(31, 58, 95)"
    phone.locator("#saved-D-1", has_text="Saved").wait_for()
    assert Answer.objects.get(question__key="D-1").decision == "joint"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "survey-decision-grid-phone")
