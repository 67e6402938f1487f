"""Plotly figures to SVG through kaleido and Debian's Chromium, one browser per process.

kaleido (1.x) keeps a Chromium tab with plotly.js loaded and draws each figure in it. Out of
the box it reloads that tab after every figure, parsing 4.6 MB of plotly.js again: 0.19 s of
the 0.22 s a chart costs (measured, docs/performance.md). Its JavaScript purges the plot after
each figure, so this renderer reloads the tab only every `RELOAD_EVERY` figures and after an
error (the browser is then restarted). The browser never touches the network: plotly.js
comes from the Python package and MathJax, which kaleido would fetch from a CDN, is off; and
whatever a figure asks for (a layout image, CSS in a label that escaped `charts.plain`), the
browser cannot fetch it: every request goes to a proxy that is not there, loopback
included, names resolve to nothing, and the page may not read other files
(`_OfflineChromium`; tests/outputs/test_chart_render.py proves it with a canary server).

The browser starts on first use and stops when the process exits. Renders are serialised: a
lock guards the one tab, and the asyncio loop that drives it runs in a daemon thread.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
from concurrent.futures import Future
from typing import Any

import kaleido
from choreographer.browsers import Chromium

logger = logging.getLogger(__name__)

RELOAD_EVERY = 100
START_TIMEOUT = 60.0  # seconds for Chromium to start
RENDER_TIMEOUT = 30.0  # seconds for one figure


# Flags choreographer adds that a renderer of untrusted labels must not have.
_UNSAFE_FLAGS = {"--allow-file-access-from-files", "--disable-web-security"}
OFFLINE_FLAGS = (
    "--proxy-server=http://127.0.0.1:9",  # nothing listens on the discard port
    "--proxy-bypass-list=<-loopback>",  # ... and loopback goes through it too
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


class _OfflineChromium(Chromium):
    """Chromium as choreographer starts it, cut off from every network and file."""

    def get_cli(self) -> list[str]:
        return [*(a for a in super().get_cli() if a not in _UNSAFE_FLAGS), *OFFLINE_FLAGS]


class _Kaleido(kaleido.Kaleido):
    """kaleido.Kaleido that reloads its tab every RELOAD_EVERY figures, not after each."""

    renders = 0

    async def _return_kaleido_tab(self, tab: Any) -> None:
        self.renders += 1
        if self.renders % RELOAD_EVERY == 0:
            await tab.reload()
        await self.tabs_ready.put(tab)


class ChartRenderer:
    def __init__(self, browser_path: str) -> None:
        self.browser_path = browser_path
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: _Kaleido | None = None

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop, coroutine: Any, timeout: float) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, loop)
        return future.result(timeout)

    def _start(self) -> tuple[asyncio.AbstractEventLoop, _Kaleido]:
        os.environ.setdefault("BROWSER_PATH", self.browser_path)
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="kaleido", daemon=True).start()
        browser = _Kaleido(n=1, timeout=RENDER_TIMEOUT, mathjax=False, browser_cls=_OfflineChromium)
        self._loop, self._kaleido = loop, browser
        self._run(loop, browser.open(), START_TIMEOUT)
        return loop, browser

    def _stop(self) -> None:
        loop, browser = self._loop, self._kaleido
        self._loop = self._kaleido = None
        if loop is None:
            return
        if browser is not None:
            try:
                self._run(loop, browser.close(), 10)
            except Exception:  # a browser that will not close is left to the OS
                logger.warning("kaleido's Chromium did not close cleanly", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def svg(self, figure: Any, width: int, height: int) -> str:
        """The figure as SVG text; a failed render restarts the browser and raises."""
        data = self.image(figure, {"format": "svg", "width": width, "height": height})
        return data.decode() if isinstance(data, bytes) else str(data)

    def png(self, figure: Any, width: int, height: int) -> bytes:
        """The figure as a PNG at twice the size (sharp in print), for the Word report."""
        data = self.image(figure, {"format": "png", "width": width, "height": height, "scale": 2})
        return data if isinstance(data, bytes) else bytes(data)

    def image(self, figure: Any, opts: dict[str, Any]) -> Any:
        """The figure drawn by kaleido with `opts`; a failed render restarts the browser."""
        with self._lock:
            try:
                if self._loop is None or self._kaleido is None:
                    loop, browser = self._start()
                else:
                    loop, browser = self._loop, self._kaleido
                data = self._run(loop, browser.calc_fig(figure, opts=opts), RENDER_TIMEOUT + 5)
            except BaseException:
                self._stop()  # the tab's state is unknown: start afresh next time
                raise
        return data


_renderers: dict[str, ChartRenderer] = {}
_renderers_lock = threading.Lock()


def renderer(browser_path: str) -> ChartRenderer:
    """The process's renderer (one per browser path), stopped when the process exits."""
    with _renderers_lock:
        if browser_path not in _renderers:
            _renderers[browser_path] = ChartRenderer(browser_path)
            atexit.register(_renderers[browser_path].stop)
        return _renderers[browser_path]
