"""An editable PowerPoint deck of a campaign (python-pptx), for consultants to restyle.

Charts are native PowerPoint charts with their data inside (right-click, "Edit Data"), not
pictures: the score bars against targets, the radar with IT and OT, the perception gaps.
Figures and words come from the dashboard's context, so the deck says what the dashboard
and the PDF say.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Emu, Inches, Pt

from assessments.files.exports import safe
from assessments.formatting import places, signed
from assessments.models import Campaign
from assessments.outputs.charts import function_name
from assessments.outputs.dashboard import dashboard_context
from assessments.outputs.report import report_language

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
        self,
        slide: Any,
        lines: list[str],
        left: float,
        top: float,
        width: float,
        height: float,
        size: int = 16,
    ) -> Any:
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        for number, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.font.size = Pt(size)
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


def campaign_deck(campaign: Campaign, language: str | None = None) -> bytes:
    """The deck in `language` (by default the campaign's report language), like the PDF."""
    language = report_language(campaign, language)
    with translation.override(language):
        return _campaign_deck(campaign, language)


def _campaign_deck(campaign: Campaign, language: str) -> bytes:
    context = dashboard_context(campaign, language=language)
    doc = context["doc"]
    deck = _Deck(campaign)
    organization = campaign.organization

    cover = deck.prs.slides.add_slide(deck.blank)
    deck.text(
        cover,
        [organization.name, campaign.name, _("IT/OT convergence maturity")],
        0.8,
        2.4,
        11.5,
        2.5,
    ).text_frame.paragraphs[0].font.size = Pt(40)
    deck.text(
        cover,
        [f"{organization.workspace.name} · {date_format(timezone.localdate(), 'j F Y')}"],
        0.8,
        5.6,
        11.5,
        0.6,
    )

    if context["thin"]:
        slide = deck.slide(_("Not enough answers yet"))
        deck.text(
            slide,
            [
                ngettext(
                    "%(submitted)s response submitted; figures are shown from %(minimum)s "
                    "responses so that no one can be singled out.",
                    "%(submitted)s responses submitted; figures are shown from %(minimum)s "
                    "responses so that no one can be singled out.",
                    context["submitted"],
                )
                % {"submitted": context["submitted"], "minimum": context["minimum"]}
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
    slide = deck.slide(_("Executive summary"))
    headline = [
        _("Stage %(stage)s: %(name)s") % {"stage": overall["stage"], "name": context["stage_name"]},
        _("Stage score %(score)s of 3 (%(n)s responses)")
        % {"score": places(overall["stage_score"], 3), "n": overall["n"]},
    ]
    if context["why"]:
        why = context["why"]
        names = _(" and ").join(f"{b['name']} ({places(b['score'], 3)})" for b in why["blockers"])
        headline.append(
            _("Why not Stage %(next)s: %(names)s below %(threshold)s")
            % {"next": why["next"], "names": names, "threshold": places(why["threshold"], 1)}
        )
    deck.text(slide, headline, 0.6, 1.3, 12, 1.6).text_frame.paragraphs[0].font.size = Pt(24)
    deck.text(
        slide,
        [_("Strongest")] + [f"{name}: {places(score, 3)}" for name, score in context["strongest"]],
        0.6,
        3.1,
        4,
        2,
    )
    deck.text(
        slide,
        [_("Weakest")] + [f"{name}: {places(score, 3)}" for name, score in context["weakest"]],
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
        [_("Largest IT/OT gaps")]
        + ([_gap_line(r) for r in gaps] or [_("Not shown: too few answers")]),
        8.8,
        3.1,
        4.2,
        2,
    )
    deck.text(
        slide,
        [_("First steps")]
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
    slide = deck.slide(_("Scores against targets"))
    data = CategoryChartData(number_format="0.000")
    data.categories = [safe(r["name"]) for r in rows]
    data.add_series(_("Score"), [r["score"] for r in rows])
    data.add_series(_("Target"), [r["target"] for r in rows])
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, (0.6, 1.3, 12, 5.9))
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 3.0, 0.0
    chart.category_axis.reverse_order = True  # the bank's order, top to bottom
    chart.plots[0].series[0].format.fill.solid()
    chart.plots[0].series[0].format.fill.fore_color.rgb = deck.brand

    # Radar: IT and OT (a suppressed function has no series)
    slide = deck.slide(_("How IT and OT see each dimension"))
    data = CategoryChartData(number_format="0.000")
    data.categories = [safe(r["name"]) for r in rows]
    data.add_series(function_name("overall"), [r["score"] for r in rows])
    colours = [deck.brand]
    for function, colour in (("it", IT_COLOUR), ("ot", OT_COLOUR)):
        group = doc["by_function"].get(function, {})
        if group.get("dimensions"):
            data.add_series(
                function_name(function),
                [(group["dimensions"].get(r["key"]) or {}).get("score") for r in rows],
            )
            colours.append(colour)
    chart = _chart(slide, XL_CHART_TYPE.RADAR_MARKERS, data, (1.5, 1.2, 10, 6.1))
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 3.0, 0.0
    for series, colour in zip(chart.plots[0].series, colours, strict=True):
        series.format.line.color.rgb = colour

    # Perception gaps
    slide = deck.slide(_("Where IT and OT see things differently"))
    scored = [r for r in rows if r["gap"] and r["gap"]["gap"] is not None]
    if scored:
        data = CategoryChartData(number_format="+0.000;-0.000")
        data.categories = [safe(r["name"]) for r in scored]
        data.add_series(_("IT minus OT"), [r["gap"]["gap"] for r in scored])
        chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, (0.6, 1.3, 8, 5.9))
        chart.has_legend = False
        chart.category_axis.reverse_order = True
        flagged = [r["name"] for r in scored if r["gap"]["flagged"]]
        threshold = doc["settings"]["gap_threshold"]
        deck.text(
            slide,
            [
                _(
                    "Flagged (a gap of %(threshold)s or more, and more than twice its standard "
                    "error):"
                )
                % {"threshold": places(threshold, 1)}
            ]
            + (flagged or [_("none")]),
            8.9,
            1.5,
            4,
            5,
        )
    else:
        deck.text(
            slide,
            [
                _("Not shown: IT or OT has fewer than %(minimum)s responses.")
                % {"minimum": context["minimum"]}
            ],
            0.6,
            1.5,
            12,
            1,
        )

    # Roadmap
    slide = deck.slide(_("Roadmap"))
    deck.text(
        slide,
        [
            _("%(number)s. %(name)s (stage %(stage)s): %(text)s")
            % {"number": n, "name": r["name"], "stage": r["stage"], "text": r["text"]}
            for n, r in enumerate(context["recommendations"], 1)
        ]
        or [_("Every dimension has reached its target.")],
        0.6,
        1.3,
        12,
        6,
        # Seven steps of German advice overran the slide at 16 pt.
        size=16 if len(context["recommendations"]) <= 4 else 13,
    )
    return deck.save()


def _gap_line(row: dict[str, Any]) -> str:
    """One perception gap with its noise (± 2 standard errors, rule 9)."""
    gap = row["gap"]
    noise = f" ± {places(2 * gap['se'])}" if gap["se"] is not None else ""
    return f"{row['name']}: {signed(gap['gap'])}{noise}" + (
        _(" (flagged)") if gap["flagged"] else ""
    )
