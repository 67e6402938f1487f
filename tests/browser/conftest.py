"""Browser tests: Playwright driving Debian's Chromium (Playwright's own download does not
work on these machines). Without Chromium they are skipped with a message that says how to
enable them; with REQUIRE_BROWSER_TESTS=1 (set by .ci/run) a missing Chromium fails instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# A phone on the plant floor: 390 px wide, touch, a sharp screen.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# same thread are safe here (one thread, no concurrency), so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def driver() -> Iterator[object]:
    """Playwright itself, for the tests that need their own browser (a persistent profile)."""
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "(or point CHROMIUM_PATH at a Chromium binary) to run the browser tests."
        )
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(message + " REQUIRE_BROWSER_TESTS=1 turns this skip into a failure.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(driver) -> Iterator[object]:
    browser = driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    yield browser
    browser.close()


def csp_violations(context) -> list[str]:
    """Collects what Chromium refused because of the Content-Security-Policy, on every page of
    the context: each browser test then proves the pages work under the real policy."""
    refused: list[str] = []

    def watch(page) -> None:
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )

    context.on("page", watch)
    return refused


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    refused = csp_violations(context)
    page = context.new_page()
    yield page
    context.close()
    assert refused == [], refused


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, **PHONE)
    refused = csp_violations(context)
    page = context.new_page()
    yield page
    context.close()
    assert refused == [], refused


def log_in_as_demo_consultant(page) -> None:
    """The demo's consultant signs in on the login page (`seed_demo`'s password); the form's
    own button, not the language switch's."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "consultant")
    page.fill("input[name=password]", "convergence-demo")
    page.click("main button[type=submit]")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(autouse=True)
def _live_streams_read_in_their_own_thread(request, monkeypatch):
    """The test server shares its in-memory database only with its request threads, not
    with the live broadcaster's own thread: each phone's stream reads the state itself.
    The streams end before the test's database does (no stream reads a closed database)."""
    from assessments import live
    from assessments.views import workshop_audience

    if "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")  # torn down after the streams end
    hub = live.Broadcaster(threaded=False)
    monkeypatch.setattr(workshop_audience, "broadcaster", hub)
    yield
    hub.stop()
    time.sleep(0.3)  # the ended streams' requests finish, closing their connections


# WCAG 2.2 contrast of every text a page colours itself (the dashboard's stage headline,
# badges, ladder and warnings; the workshop's word cloud), computed from what the browser
# rendered: each element's colour against the first opaque background behind it.
CONTRAST = """
(selector) => {
  function rgb(text) { return (text.match(/[\\d.]+/g) || []).map(Number); }
  function luminance(c) {
    var v = c.slice(0, 3).map(function (x) {
      x = x / 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function background(el) {
    for (; el; el = el.parentElement) {
      var c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { return c; }
    }
    return [255, 255, 255];
  }
  return Array.from(document.querySelectorAll(selector)).map(function (el) {
    var style = getComputedStyle(el), fg = luminance(rgb(style.color));
    var bg = luminance(background(el));
    var size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    return {
      text: el.textContent.trim().slice(0, 40),
      ratio: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05),
      large: size >= 24 || (bold && size >= 18.66),
    };
  });
}
"""


def low_contrast(page, selector: str) -> list[dict]:
    """The texts under `selector` below WCAG 2.2 AA: 4.5:1, or 3:1 for large text."""
    found = page.evaluate(CONTRAST, selector)
    assert found, f"nothing matched {selector}"
    return [item for item in found if item["ratio"] < (3 if item["large"] else 4.5)]
