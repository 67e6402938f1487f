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
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any

STATIC_ORIGIN = "https://convergence.invalid/"
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for one render


class RenderError(Exception):
    pass


def make_fetcher(static_files: Mapping[str, str]) -> Any:
    import weasyprint

    class Fetcher(weasyprint.URLFetcher):
        """data: URIs and the app's own static files; every other URL is refused."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=2)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(STATIC_ORIGIN):
                path = static_files.get(url[len(STATIC_ORIGIN) :])
                if path is not None:
                    with open(path, "rb") as handle:
                        body = handle.read()
                    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
                    return weasyprint.urls.URLFetcherResponse(url, body, {"Content-Type": kind})
            raise ValueError(f"refused by the report's URL fetcher: {url[:80]}")

    return Fetcher()


def render_pdf(html: str, static_files: Mapping[str, str]) -> bytes:
    import weasyprint

    document = weasyprint.HTML(
        string=html, base_url=STATIC_ORIGIN, url_fetcher=make_fetcher(static_files)
    )
    return bytes(document.write_pdf())


def _child(connection: Connection, html: str, static_files: Mapping[str, str]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    try:
        connection.send(("ok", render_pdf(html, static_files)))
    except BaseException as exc:  # the parent reports it; nothing may escape the child
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["weasyprint", "assessments.pdf_render"])


def render_pdf_limited(html: str, static_files: Mapping[str, str], seconds: float) -> bytes:
    """Render in a child process; stop it after `seconds`."""
    receiver, sender = _context.Pipe(duplex=False)
    process = _context.Process(target=_child, args=(sender, html, dict(static_files)))
    process.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
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
