"""A German phone on the plant floor: the survey in German from the browser's language, the
bank's German texts, the offline messages of the page's script in German, the switch to
English and back with the answer kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments.models import Answer, Invitation
from assessments.services.survey import invitation_create
from tests import builders
from tests.browser.conftest import PHONE, csp_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

GERMAN = {
    "dimensions": {"collab": {"name": "Zusammenarbeit im Werk"}},
    "questions": {
        "C-1": {
            "text": "Wie oft plant die Instandhaltung Änderungen am OT-Netz zusammen mit der IT?",
            "choices": {"0": "Nie", "1": "Manchmal", "2": "Oft", "3": "Immer"},
        }
    },
}


def test_a_german_phone_answers_in_german_and_offline(chromium, live_server, db):
    workspace = builders.workspace("northwind")
    org = builders.organization(workspace)
    version = builders.import_small_bank(bank="mini-de", translations={"de": GERMAN})
    campaign = builders.campaign(workspace, org=org, version=version)
    team = campaign.organization.teams.get(slug="ot-north")
    link = invitation_create(campaign=campaign, kind=Invitation.Kind.PERSON, team=team)
    context = chromium.new_context(base_url=live_server.url, locale="de-DE", **PHONE)
    refused = csp_violations(context)
    try:
        page = context.new_page()
        page.goto(f"/s/{link.token}/")
        expect(page.locator("h1")).to_have_text("Befragung zur IT/OT-Konvergenz")
        page.click("button:has-text('Beginnen')")
        expect(page.locator("h1")).to_have_text("Zusammenarbeit im Werk")
        page.locator("#q-C-1 label.choice", has_text="Oft").click()
        expect(page.locator("#saved-C-1")).to_have_text("Gespeichert")
        # Offline: the script's own words are German too.
        context.set_offline(True)
        page.locator("#q-C-2 label.choice").first.click()
        expect(page.locator("#saved-C-2")).to_contain_text("Keine Verbindung")
        expect(page.locator("#unsent [data-count]")).to_have_text(
            "1 Antwort ist noch nicht gesendet."
        )
        screenshot(page, "survey-german-offline-390")
        context.set_offline(False)
        expect(page.locator("#saved-C-2")).to_contain_text("Gespeichert", timeout=15_000)
        # English and back: the answers stay.
        page.click(".language-switch button[value=en]")
        expect(page.locator("h1")).to_have_text("Collaboration")
        assert page.locator("#q-C-1 input[value='2']").is_checked()
        page.click(".language-switch button[value=de]")
        expect(page.locator("h1")).to_have_text("Zusammenarbeit im Werk")
        page.click("button:has-text('Weiter')")
        expect(page.locator(".progress-bar")).to_be_visible()
        screenshot(page, "survey-german-page-390")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the German page is {width} px wide on a 390 px phone"
    finally:
        context.close()
    assert refused == []
    assert sorted(Answer.objects.values_list("question__key", flat=True)) == ["C-1", "C-2"]
