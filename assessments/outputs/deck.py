"""An editable PowerPoint deck of a campaign (python-pptx), for consultants to restyle.

Charts are native PowerPoint charts with their data inside (right-click, "Edit Data"), not
pictures: the score bars against targets, the radar with IT and OT, the perception gaps.
Figures and words come from the dashboard's context, so the deck says what the dashboard
and the PDF say.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Emu, Inches, Pt

from assessments.files.exports import safe
from assessments.formatting import places, signed
from assessments.models import Campaign
from assessments.outputs.charts import FUNCTION_NAMES
from assessments.outputs.dashboard import dashboard_context

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
IT_COLOUR, OT_COLOUR = RGBColor(0x00, 0x72, 0xB2), RGBColor(0xE6, 0x9F, 0x00)  # Okabe-Ito


def _brand(campaign: Campaign) -> RGBColor:
    colour = (campaign.organization.workspace.brand_colour or "#1F3A5F").lstrip("#")
    try:
        return RGBColor.from_string(colour.upper())
    except ValueError:
        return RGBColor(0x1F, 0x3A, 0x5F)


class _Deck:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.brand = _brand(campaign)
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.blank = self.prs.slide_layouts[6]

    def slide(self, title: str) -> Any:
        slide = self.prs.slides.add_slide(self.blank)
        box = slide.shapes.add_textbox(Inches(0.6), Inches(0.35), Inches(12), Inches(0.9))
        paragraph = box.text_frame.paragraphs[0]
        paragraph.text = title
        paragraph.font.size, paragraph.font.bold = Pt(28), True
        paragraph.font.color.rgb = self.brand
        return slide

    def text(
        self, slide: Any, lines: list[str], left: float, top: float, width: float, height: float
    ) -> Any:
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        for number, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.font.size = Pt(16)
            paragraph.space_after = Pt(6)
        return box

    def save(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def _chart(slide: Any, kind: Any, data: CategoryChartData, box: tuple[float, ...]) -> Any:
    left, top, width, height = (Emu(Inches(v)) for v in box)
    chart = slide.shapes.add_chart(kind, left, top, width, height, data).chart
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.font.size = Pt(12)
    return chart


def campaign_deck(campaign: Campaign) -> bytes:
    context = dashboard_context(campaign)
    doc = context["doc"]
    deck = _Deck(campaign)
    organization = campaign.organization

    cover = deck.prs.slides.add_slide(deck.blank)
    deck.text(
        cover,
        [organization.name, campaign.name, "IT/OT convergence maturity"],
        0.8,
        2.4,
        11.5,
        2.5,
    ).text_frame.paragraphs[0].font.size = Pt(40)
    deck.text(
        cover,
        [f"{organization.workspace.name} · {timezone.localdate():%d %B %Y}"],
        0.8,
        5.6,
        11.5,
        0.6,
    )

    if context["thin"]:
        slide = deck.slide("Not enough answers yet")
        deck.text(
            slide,
            [
                f"{context['submitted']} response(s) submitted; figures are shown from "
                f"{context['minimum']} responses so that no one can be singled out."
            ],
            0.6,
            1.5,
            12,
            2,
        )
        return deck.save()

    overall = doc["overall"]
    rows = context["dimension_rows"]

    # Executive summary
    slide = deck.slide("Executive summary")
    headline = [
        f"Stage {overall['stage']}: {context['stage_name']}",
        f"Stage score {overall['stage_score']:.3f} of 3 ({overall['n']} responses)",
    ]
    if context["why"]:
        why = context["why"]
        names = " and ".join(f"{b['name']} ({b['score']:.3f})" for b in why["blockers"])
        headline.append(f"Why not Stage {why['next']}: {names} below {why['threshold']}")
    deck.text(slide, headline, 0.6, 1.3, 12, 1.6).text_frame.paragraphs[0].font.size = Pt(24)
    deck.text(
        slide,
        ["Strongest"] + [f"{name}: {score:.3f}" for name, score in context["strongest"]],
        0.6,
        3.1,
        4,
        2,
    )
    deck.text(
        slide,
        ["Weakest"] + [f"{name}: {score:.3f}" for name, score in context["weakest"]],
        4.7,
        3.1,
        4,
        2,
    )
    gaps = sorted(
        (r for r in rows if r["gap"] and r["gap"]["gap"] is not None),
        key=lambda r: -abs(r["gap"]["gap"]),
    )[:3]
    deck.text(
        slide,
        ["Largest IT/OT gaps"] + ([_gap_line(r) for r in gaps] or ["Not shown: too few answers"]),
        8.8,
        3.1,
        4.2,
        2,
    )
    deck.text(
        slide,
        ["First steps"]
        + [
            f"{n}. {r['name']}: {r['text']}"
            for n, r in enumerate(context["recommendations"][:3], 1)
        ],
        0.6,
        5.1,
        12,
        2.3,
    )

    # Scores against targets: a native clustered bar chart. Its data lives in an embedded
    # workbook whose writer turns text starting with "=" into a formula: names pass through
    # `safe`, as in the spreadsheet exports.
    slide = deck.slide("Scores against targets")
    data = CategoryChartData(number_format="0.000")
    data.categories = [safe(r["name"]) for r in rows]
    data.add_series("Score", [r["score"] for r in rows])
    data.add_series("Target", [r["target"] for r in rows])
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, (0.6, 1.3, 12, 5.9))
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 3.0, 0.0
    chart.category_axis.reverse_order = True  # the bank's order, top to bottom
    chart.plots[0].series[0].format.fill.solid()
    chart.plots[0].series[0].format.fill.fore_color.rgb = deck.brand

    # Radar: IT and OT (a suppressed function has no series)
    slide = deck.slide("How IT and OT see each dimension")
    data = CategoryChartData(number_format="0.000")
    data.categories = [safe(r["name"]) for r in rows]
    data.add_series("Everyone", [r["score"] for r in rows])
    for function in ("it", "ot"):
        group = doc["by_function"].get(function, {})
        if group.get("dimensions"):
            data.add_series(
                FUNCTION_NAMES[function],
                [(group["dimensions"].get(r["key"]) or {}).get("score") for r in rows],
            )
    chart = _chart(slide, XL_CHART_TYPE.RADAR_MARKERS, data, (1.5, 1.2, 10, 6.1))
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 3.0, 0.0
    for series in chart.plots[0].series:
        colour = {"IT": IT_COLOUR, "OT": OT_COLOUR}.get(series.name, deck.brand)
        series.format.line.color.rgb = colour

    # Perception gaps
    slide = deck.slide("Where IT and OT see things differently")
    scored = [r for r in rows if r["gap"] and r["gap"]["gap"] is not None]
    if scored:
        data = CategoryChartData(number_format="+0.000;-0.000")
        data.categories = [safe(r["name"]) for r in scored]
        data.add_series("IT minus OT", [r["gap"]["gap"] for r in scored])
        chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, (0.6, 1.3, 8, 5.9))
        chart.has_legend = False
        chart.category_axis.reverse_order = True
        flagged = [r["name"] for r in scored if r["gap"]["flagged"]]
        threshold = doc["settings"]["gap_threshold"]
        deck.text(
            slide,
            [f"Flagged (a gap of {threshold} or more, and more than twice its standard error):"]
            + (flagged or ["none"]),
            8.9,
            1.5,
            4,
            5,
        )
    else:
        deck.text(
            slide,
            [f"Not shown: IT or OT has fewer than {context['minimum']} responses."],
            0.6,
            1.5,
            12,
            1,
        )

    # Roadmap
    slide = deck.slide("Roadmap")
    deck.text(
        slide,
        [
            f"{n}. {r['name']} (stage {r['stage']}): {r['text']}"
            for n, r in enumerate(context["recommendations"], 1)
        ]
        or ["Every dimension has reached its target."],
        0.6,
        1.3,
        12,
        6,
    )
    return deck.save()


def _gap_line(row: dict[str, Any]) -> str:
    """One perception gap with its noise (± 2 standard errors, rule 9)."""
    gap = row["gap"]
    noise = f" ± {places(2 * gap['se'])}" if gap["se"] is not None else ""
    return f"{row['name']}: {signed(gap['gap'])}{noise}" + (" (flagged)" if gap["flagged"] else "")
