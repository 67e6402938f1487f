"""Issue 16.3: names typed by users are drawn as text in every figure, and the browser that
draws the PDF's charts cannot reach any network, even when a figure asks it to."""

from __future__ import annotations

import dataclasses
import http.server
import re
import threading
import time
from collections.abc import Iterator

import plotly.graph_objects as go
import pytest
from django.conf import settings

from assessments.outputs import chart_render, charts, report
from assessments.outputs.dashboard import labels_for
from assessments.selectors.scores import campaign_scores

HOSTILE = '<a href="http://evil.example/">x</a><span style="background:url(http://evil/)">s</span>'


def test_user_names_are_text_in_every_figure(demo):
    doc = campaign_scores(demo)
    labels = labels_for(demo)
    hostile = dataclasses.replace(
        labels,
        dimensions={k: f"{v} {HOSTILE}" for k, v in labels.dimensions.items()},
        teams={k: f"{v} {HOSTILE}" for k, v in labels.teams.items()},
        sites={k: f"{v} {HOSTILE}" for k, v in labels.sites.items()},
    )
    figures = [
        charts.dimension_bars(doc, hostile),
        charts.radar(doc, hostile),
        charts.gap_bars(doc, hostile),
        charts.heatmap(doc["by_team"], hostile.teams, hostile, "teams", 5),
        charts.heatmap(doc["by_site"], hostile.sites, hostile, "sites", 5),
        charts.trend_line(
            [
                charts.TrendPoint("a", f"2025 {HOSTILE}", 1, 0.9),
                charts.TrendPoint("b", "2026", 1, 1.4),
            ]
        ),
    ]
    for number, figure in enumerate(figures):
        assert figure is not None, number
        texts = list(_strings(figure.to_plotly_json()))
        tags = {tag for text in texts for tag in re.findall(r"<(/?\w+)", text)}
        assert tags <= {"br", "extra", "/extra"}, (number, tags)  # plotly's own, none typed
        assert any("&lt;a" in text for text in texts), number  # shown as typed
    assert charts.plain("R&D <b>") == "R&amp;D &lt;b&gt;"


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Canary.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"x")

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(not report.chromium_available(), reason="needs Chromium for the charts")
def test_the_chart_browser_fetches_nothing_a_figure_asks_for():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    canary = f"http://127.0.0.1:{server.server_address[1]}"
    _Canary.hits = []
    try:
        # Markup that bypasses `plain` (as if a future chart forgot it) and a layout image.
        figure = go.Figure(
            go.Bar(x=[f'S2 <span style="background:url({canary}/css)">x</span>'], y=[1])
        )
        figure.update_layout(
            images=[
                {
                    "source": f"{canary}/image.png",
                    "x": 0,
                    "y": 1,
                    "sizex": 1,
                    "sizey": 1,
                    "xref": "paper",
                    "yref": "paper",
                }
            ]
        )
        svg = chart_render.renderer(settings.CHROMIUM_PATH).svg(figure, 600, 400)
        time.sleep(0.5)
    finally:
        server.shutdown()
    assert svg.startswith("<svg")
    assert _Canary.hits == []
