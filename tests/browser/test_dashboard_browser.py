"""The dashboard in a real browser: plotly draws every chart, nothing fails in the console,
and no request leaves the app's own host (plant networks are often offline)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width,height,name", [(1920, 1080, "projector"), (1366, 768, "laptop")])
def test_dashboard_renders_offline_without_errors(chromium, live_server, width, height, name):
    call_command("seed_demo")
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    errors: list[str] = []
    hosts: set[str] = set()
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    try:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "consultant")
        page.fill("input[name=password]", "convergence-demo")
        page.click("main button[type=submit]")
        page.goto("/campaigns/acme-2026/dashboard/")
        page.wait_for_selector("#plot-radar .main-svg")
        charts = page.locator("[data-figure]")
        assert charts.count() >= 7
        for index in range(charts.count()):
            assert charts.nth(index).locator(".main-svg").count() >= 1
        assert page.locator("text=Why not Stage 2").is_visible()
        screenshot(page, f"dashboard-{name}")
    finally:
        context.close()
    assert errors == []
    assert hosts == {urlparse(live_server.url).netloc}
