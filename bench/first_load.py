"""How long a first visit to the dashboard takes, as a phone on the plant's network sees it:
a fresh browser (empty cache) logs in and opens the demo's dashboard; the time is from
asking for the dashboard until every chart is drawn, with the bytes that crossed the wire.

    .venv/bin/python bench/first_load.py http://127.0.0.1:8000   # against `make run`

Prints the median of five cold visits at 390 px and at 1440 px, on the loopback and on an
emulated plant Wi-Fi (20 Mbit/s down, 10 Mbit/s up, 20 ms latency). Needs Chromium.
"""

from __future__ import annotations

import statistics
import sys
import time

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
RUNS = 5
PLANT_WIFI = {  # Chrome DevTools' network emulation, bytes per second
    "offline": False,
    "latency": 20,
    "downloadThroughput": 20e6 / 8,
    "uploadThroughput": 10e6 / 8,
}


def visit(browser, width: int, height: int, network: dict | None) -> tuple[float, int]:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    if network:
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.emulateNetworkConditions", network)
    page.goto(BASE + "/accounts/login/")
    page.fill("input[name=username]", "consultant")
    page.fill("input[name=password]", "convergence-demo")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    sizes: list[int] = []
    page.on(
        "response", lambda response: sizes.append(int(response.headers.get("content-length") or 0))
    )
    start = time.perf_counter()
    page.goto(BASE + "/campaigns/acme-2026/dashboard/")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('[data-figure]'))"
        ".every(function (gd) { return gd.querySelector('.main-svg'); })"
    )
    seconds = time.perf_counter() - start
    context.close()
    return seconds, sum(sizes)


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        for network_name, network in (("loopback", None), ("plant Wi-Fi", PLANT_WIFI)):
            for width, height in ((390, 844), (1440, 900)):
                runs = [visit(browser, width, height, network) for _ in range(RUNS)]
                median = statistics.median(seconds for seconds, _bytes in runs)
                wire = statistics.median(size for _seconds, size in runs)
                print(
                    f"{network_name:>12}, {width:>4} px: first visit {median:.2f} s "
                    f"(median of {RUNS}), {wire / 1e6:.2f} MB on the wire"
                )
        browser.close()


if __name__ == "__main__":
    main()
