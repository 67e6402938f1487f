"""The dashboard in a real browser: plotly draws every chart, nothing fails in the console,
and no request leaves the app's own host (plant networks are often offline)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from tests.browser.conftest import CONTRAST, PHONE, log_in_as_demo_consultant, screenshot

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
        log_in_as_demo_consultant(page)
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


def test_every_coloured_text_meets_wcag_aa_contrast(chromium, live_server):
    call_command("seed_demo")
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}
    )
    page = context.new_page()
    try:
        log_in_as_demo_consultant(page)
        page.goto("/campaigns/acme-2026/dashboard/")
        found = page.evaluate(
            CONTRAST, ".headline-stage, .badge, .ladder-step, .alert, .text-muted, a, strong"
        )
    finally:
        context.close()
    assert len(found) > 40
    assert any(item["text"].startswith("Stage 1") for item in found)
    failing = [item for item in found if item["ratio"] < (3 if item["large"] else 4.5)]
    assert failing == []


PHONE_FIT = """
() => Array.from(document.querySelectorAll("[data-figure]")).map(function (gd) {
  var svg = gd.querySelector(".main-svg"), title = gd.querySelector(".gtitle");
  var box = title ? title.getBBox() : { x: 0, width: 0 };
  var heatmap = (gd.data || []).filter(function (t) { return t.type === "heatmap"; })[0];
  return {
    id: gd.id,
    svg: svg ? svg.getBoundingClientRect().width : 0,
    titleRight: box.x + box.width,
    cell: heatmap ? gd._fullLayout.xaxis._length / heatmap.x.length : null,
    scrolls: !!gd.closest(".chart-scroll"),
    right: gd.getBoundingClientRect().right,
  };
})
"""


def test_the_dashboard_fits_a_phone(chromium, live_server):
    """At 390 px every chart's title fits its chart, a heatmap's cells stay wide enough to
    read ("1.76" at 13 px) by scrolling sideways in their card, and no other chart runs off
    the screen."""
    call_command("seed_demo")
    context = chromium.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    try:
        log_in_as_demo_consultant(page)
        page.goto("/campaigns/acme-2026/dashboard/")
        page.wait_for_selector("#plot-radar .main-svg")
        charts = page.evaluate(PHONE_FIT)
        screenshot(page, "dashboard-phone")
    finally:
        context.close()
    assert len(charts) >= 7
    for chart in charts:
        assert chart["titleRight"] <= chart["svg"] + 1, chart
        if chart["cell"] is not None:
            assert chart["cell"] >= 44 and chart["scrolls"], chart
        else:
            assert chart["right"] <= 390 + 1, chart
