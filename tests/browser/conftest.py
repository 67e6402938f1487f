"""Browser tests: Playwright driving Debian's Chromium (Playwright's own download does not
work on these machines). Without Chromium they are skipped with a message that says how to
enable them; with REQUIRE_BROWSER_TESTS=1 (set by .ci/run) a missing Chromium fails instead.
"""

from __future__ import annotations

import os
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
def _live_streams_read_in_their_own_thread(monkeypatch):
    """The test server shares its in-memory database only with its request threads, not
    with the live broadcaster's own thread: each phone's stream reads the state itself."""
    from assessments import live
    from assessments.views import workshop_audience

    monkeypatch.setattr(workshop_audience, "broadcaster", live.Broadcaster(threaded=False))
