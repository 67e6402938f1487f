"""HTML to PDF with WeasyPrint, in a child process with a time and memory limit.

No Django here: the child gets finished HTML and a map of the only static files it may read.
Its URL fetcher serves `data:` URIs and those files, and nothing else: no `file://`, no
network, no redirects, so client-entered text can neither read the server's files nor make it
call out. A render that runs past its time limit is stopped, and the web worker that asked
for it carries on.
"""

from __future__ import annotations

import mimetypes
import multiprocessing
import resource
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from multiprocessing.connection import Connection
from typing import Any

STATIC_ORIGIN = "https://convergence.invalid/"
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for one render


class RenderError(Exception):
    pass


CHART_PREFIX = "chart/"


class ChartInbox:
    """The child's side of the chart pipe: a thread files each chart as it arrives."""

    def __init__(self, connection: Connection) -> None:
        self._charts: dict[str, bytes] = {}
        self._closed = False
        self._arrived = threading.Condition()
        threading.Thread(target=self._drain, args=(connection,), daemon=True).start()

    def _drain(self, connection: Connection) -> None:
        try:
            while True:
                name, svg = connection.recv()
                with self._arrived:
                    self._charts[name] = svg
                    self._arrived.notify_all()
        except (EOFError, OSError):
            pass  # the parent sent every chart, or stopped
        finally:
            connection.close()
            with self._arrived:
                self._closed = True
                self._arrived.notify_all()

    def get(self, name: str) -> bytes | None:
        with self._arrived:
            self._arrived.wait_for(lambda: name in self._charts or self._closed)
            return self._charts.get(name)


def make_fetcher(
    static_files: Mapping[str, str], charts: Callable[[str], bytes | None] | None = None
) -> Any:
    import weasyprint

    class Fetcher(weasyprint.URLFetcher):
        """data: URIs, the app's own static files and the report's charts; nothing else."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=2)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(STATIC_ORIGIN + CHART_PREFIX) and charts is not None:
                svg = charts(url[len(STATIC_ORIGIN + CHART_PREFIX) :])
                if svg is not None:
                    return weasyprint.urls.URLFetcherResponse(
                        url, svg, {"Content-Type": "image/svg+xml"}
                    )
            if url.startswith(STATIC_ORIGIN):
                path = static_files.get(url[len(STATIC_ORIGIN) :])
                if path is not None:
                    with open(path, "rb") as handle:
                        body = handle.read()
                    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
                    return weasyprint.urls.URLFetcherResponse(url, body, {"Content-Type": kind})
            raise ValueError(f"refused by the report's URL fetcher: {url[:80]}")

    return Fetcher()


def render_pdf(
    html: str,
    static_files: Mapping[str, str],
    charts: Callable[[str], bytes | None] | None = None,
) -> bytes:
    import weasyprint

    document = weasyprint.HTML(
        string=html, base_url=STATIC_ORIGIN, url_fetcher=make_fetcher(static_files, charts)
    )
    return bytes(document.write_pdf())


def _child(
    connection: Connection,
    chart_connection: Connection,
    html: str,
    static_files: Mapping[str, str],
) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    try:
        inbox = ChartInbox(chart_connection)
        connection.send(("ok", render_pdf(html, static_files, inbox.get)))
    except BaseException as exc:  # the parent reports it; nothing may escape the child
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["weasyprint", "assessments.outputs.pdf_render"])


def render_pdf_limited(
    html: str,
    static_files: Mapping[str, str],
    seconds: float,
    charts: Iterable[tuple[str, Callable[[], bytes]]] = (),
) -> bytes:
    """Render in a child process; stop it after `seconds`.

    `charts` are (name, draw) pairs: each is drawn here, in the order given, while the child
    lays out the document, and served to it as `chart/<name>`. An exception from `draw`
    stops the render and propagates.
    """
    deadline = time.monotonic() + seconds
    receiver, sender = _context.Pipe(duplex=False)
    chart_receiver, chart_sender = _context.Pipe(duplex=False)
    process = _context.Process(
        target=_child, args=(sender, chart_receiver, html, dict(static_files))
    )
    process.start()
    sender.close()
    chart_receiver.close()
    try:
        try:
            for name, draw in charts:
                chart_sender.send((name, draw()))
                if time.monotonic() > deadline:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass  # the child has stopped; its status says why
        finally:
            chart_sender.close()
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise RenderError(f"the report took longer than {seconds:g} s and was stopped")
        status, payload = receiver.recv()
    except EOFError:
        raise RenderError("the report renderer stopped unexpectedly") from None
    finally:
        if process.is_alive():
            process.terminate()
        process.join(5)
        receiver.close()
    if status != "ok":
        raise RenderError(payload)
    return bytes(payload)
