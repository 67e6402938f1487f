"""Issue 21's two journeys in a browser, as a new user would take them: a consultant invites
people from a file, opens the campaign, reminds those who have not answered, closes it (with
its confirmation) and reopens it; an admin edits a draft bank in the editor, previews it,
reads what changed and publishes it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from assessments.models import BankVersion, Campaign, Invitation, Question
from assessments.services.campaigns import campaign_create
from tests.browser.conftest import log_in_as_demo_consultant, screenshot
from tests.jobs import run_due_jobs_in_test

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = (
    "name,email,team\r\n"
    "Ann Field,ann@acme.example,\r\n"
    "Bo Line,bo@acme.example,\r\n"
    "Cy Dale,cy@acme.example,\r\n"
)


def run_jobs() -> None:
    """What `manage.py db_worker` does beside the server: run every job that is due."""
    run_due_jobs_in_test("browser-test")


def _link(message) -> str:
    return "/s/" + message.body.split("/s/")[1].split("/")[0] + "/"


def test_bulk_invite_open_remind_submit_close_reopen(page, chromium, live_server):
    call_command("seed_demo")
    demo = Campaign.objects.get(slug="acme-2026")
    campaign = campaign_create(
        slug="acme-2027",
        name="Acme 2027",
        organization=demo.organization,
        bank_version=demo.bank_version,
    )
    log_in_as_demo_consultant(page)
    page.goto(f"/campaigns/{campaign.slug}/")

    # Invite from a file: checked, then made; the e-mails wait for the campaign to open.
    page.click("text=Invite many people from a file…")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE.encode()}],
    )
    page.click("button:has-text('Make the links')")
    expect(page.locator("text=Made 3 personal links.")).to_be_visible()
    expect(page.locator("text=e-mail held until the campaign opens").first).to_be_visible()
    run_jobs()
    assert mail.outbox == []

    page.click("button:has-text('Open for answers')")
    expect(page.locator("text=is open: invitation links now work")).to_be_visible()
    run_jobs()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ann@acme.example",
        "bo@acme.example",
        "cy@acme.example",
    ]
    links = {m.to[0]: _link(m) for m in mail.outbox}
    page.reload()
    expect(page.locator(".invitee-status", has_text="e-mailed, not opened yet")).to_have_count(3)

    # Ann answers on her phone and submits.
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    phone = context.new_page()
    phone.goto(links["ann@acme.example"])
    phone.check("input[name=function][value=ot]")  # no team in the file: she says where
    phone.click("button:has-text('Start')")
    phone.wait_for_selector("text=Part 1 of")
    question = phone.locator("fieldset.question").first
    question.locator("label.choice").nth(1).click()
    question.locator(".saved", has_text="Saved").wait_for()
    phone.goto(phone.url.split("/p/")[0] + "/review/")
    phone.click("button:has-text('Submit my answers')")
    phone.wait_for_selector("text=Thank you!")
    context.close()

    # A reminder to the two who have not submitted, with the link they already have.
    mail.outbox.clear()
    page.reload()
    page.click("text=Remind those who have not submitted…")
    expect(page.locator("h1")).to_have_text("Remind 2 people who have not submitted?")
    page.click("button:has-text('Send the reminders')")
    expect(page.locator("text=Reminders to 2 people are being sent.")).to_be_visible()
    run_jobs()
    assert sorted(m.to[0] for m in mail.outbox) == ["bo@acme.example", "cy@acme.example"]
    assert all(_link(m) == links[m.to[0]] for m in mail.outbox)
    page.reload()
    ann_row = page.locator("tr", has_text="ann@acme.example")
    expect(ann_row.locator(".invitee-status")).to_have_text("submitted")
    expect(page.locator("tr", has_text="bo@acme.example")).to_contain_text("reminded once")
    screenshot(page, "issue21-campaign-after-reminders")

    # Close, with its confirmation, then reopen with a reason.
    page.click("text=Close…")
    expect(page.locator("#consequences")).to_be_visible()
    page.click("button:has-text('Close the campaign')")
    expect(page.locator("text=Remind those who have not submitted…")).to_have_count(0)
    expect(page.locator("text=Revoke…")).to_have_count(0)
    page.click("text=Reopen…")
    page.fill("textarea[name=reason]", "Bo and Cy were on leave until Friday.")
    page.click("main button[type=submit]")
    expect(page.locator("text=is open again")).to_be_visible()
    expect(page.locator("#history")).to_contain_text(
        "reopened it: “Bo and Cy were on leave until Friday.”"
    )
    expect(page.locator("#history")).to_contain_text("sent a reminder to 2 people")
    expect(page.locator("#history")).to_contain_text("made 3 personal links from people.csv")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN
    assert Invitation.objects.filter(campaign=campaign, reminders=1).count() == 2


def test_admin_edits_previews_compares_and_publishes_a_draft_bank(page, live_server):
    call_command("seed_demo")
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "convergence-admin")
    page.click("main button[type=submit]")
    page.click("nav >> text=Question banks")
    latest = BankVersion.objects.filter(status="published").order_by("-number").first()
    page.locator("tr", has_text=latest.label).locator(
        "button:has-text('New draft from it')"
    ).click()
    expect(page.locator("h1")).to_contain_text("Draft")
    draft = BankVersion.objects.get(bank=latest.bank, number=latest.number + 1)

    # Drag the first dimension's last question to the top (by its handle).
    questions = page.locator("ol.questions").first.locator("> li")
    last_key = questions.last.locator("code").inner_text()
    questions.last.locator("[data-handle]").drag_to(
        questions.first, target_position={"x": 40, "y": 4}
    )
    # Edit the (now second) question in place: its text, an answer's score, its audience.
    first = page.locator("li.question-item").nth(1)
    first.locator("summary").click()
    key = first.locator("input[name$='-key']").first.input_value()
    first.locator("textarea[name$='-text']").first.fill(
        "Who worked on the newest shop-floor project?"
    )
    first.locator("input[name$='-c1-score']").fill("1.5")
    first.locator("input[value=it][type=checkbox]").check()
    page.click(".sticky-bottom button:has-text('Save draft')")
    expect(page.locator(f"text=Saved the draft {draft.label}.")).to_be_visible()
    question = Question.objects.get(version=draft, key=key)
    assert question.text == "Who worked on the newest shop-floor project?"
    assert question.audience == ["it"] and question.choices.all()[1].score == 1.5
    dimension = question.dimension
    assert dimension.questions.order_by("order").first().key == last_key

    # A mistake is refused where it is, and nothing is saved.
    first = page.locator("li.question-item").nth(1)
    first.locator("summary").click()
    first.locator("textarea[name$='-text']").first.fill("")
    page.click(".sticky-bottom button:has-text('Save draft')")
    expect(page.locator("#problems")).to_contain_text("Not saved: 1 problem")
    expect(page.locator("li.question-item .invalid-feedback")).to_have_text("must not be empty")
    page.click("text=Discard unsaved changes")

    # Preview as a respondent, then the changes, then publish.
    page.click("text=Preview as a respondent")
    page.select_option("select[name=function]", "it")
    page.click("button:has-text('sees it')")
    expect(page.locator("body")).to_contain_text("Who worked on the newest shop-floor project?")
    page.click("text=Back to the editor")
    page.click("text=Changes and publish…")
    changes = page.locator("#changes")
    expect(changes).to_contain_text(f"question {key}")
    expect(changes).to_contain_text("→ Who worked on the newest shop-floor project?")
    expect(changes).to_contain_text("answer 1, score: 1 → 1.5")
    expect(changes).to_contain_text("the order of the questions")
    screenshot(page, "issue21-bank-changes")
    page.click("button:has-text('Publish')")
    expect(page.locator(f"text=Published {draft.label}")).to_be_visible()
    draft.refresh_from_db()
    assert draft.is_published
