"""A new user's first minutes: the demo login works and the admin shows the default bank."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_consultant_logs_in_and_sees_the_client(page):
    call_command("seed_demo")
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "consultant")
    page.fill("input[name=password]", "convergence-demo")
    page.click("main button[type=submit]")
    page.wait_for_selector('h1:has-text("Clients")')
    assert page.locator("text=ACME Manufacturing").is_visible()
    screenshot(page, "home-consultant")


def test_admin_shows_the_default_bank(page):
    call_command("seed_demo")
    page.goto("/admin/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "convergence-admin")
    page.click("input[type=submit]")
    page.goto("/admin/assessments/bankversion/")
    row = page.locator("#result_list tbody tr").first
    assert "itot-convergence" in row.inner_text()
    assert "Published" in row.inner_text()
    row.locator("th a").click()
    page.wait_for_selector("text=IT/OT Convergence Maturity Assessment")
    assert page.locator("text=Organisation and collaboration").first.is_visible()
    screenshot(page, "admin-bank-version")
