"""An editable PowerPoint deck of a campaign (python-pptx), for consultants to restyle.

Charts are native PowerPoint charts with their data inside (right-click, "Edit Data"), not
pictures: the score bars against targets, the radar with IT and OT, the perception gaps.
Figures and words come from the dashboard's context, so the deck says what the dashboard
and the PDF say.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.util import Emu, Inches, Pt

from assessments.files.exports import safe
from assessments.formatting import places, signed
from assessments.models import Campaign
from assessments.outputs import roadmap
from assessments.outputs.charts import FUNCTION_COLOURS, STAGE_COLOURS, function_name
from assessments.outputs.dashboard import dashboard_context
from assessments.outputs.findings import NOT_SAID, coverage
from assessments.outputs.report import report_language

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
logger = logging.getLogger(__name__)


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


# The dashboard's colours (charts.py): IT blue, OT pink, one colour per stage.
IT_COLOUR, OT_COLOUR = _rgb(FUNCTION_COLOURS["it"]), _rgb(FUNCTION_COLOURS["ot"])
GREY = RGBColor(0x66, 0x66, 0x66)


def _brand(campaign: Campaign) -> RGBColor:
    colour = (campaign.organization.workspace.brand_colour or "#1F3A5F").lstrip("#")
    try:
        return RGBColor.from_string(colour.upper())
    except ValueError:
        return RGBColor(0x1F, 0x3A, 0x5F)


def _logo(campaign: Campaign) -> bytes | None:
    """The workspace's logo (PNG or JPEG, at most 500 kB, as the settings form takes it)."""
    logo = campaign.organization.workspace.logo
    if not logo or logo.name.rsplit(".", 1)[-1].lower() not in ("png", "jpg", "jpeg"):
        return None
    try:
        with logo.open("rb") as handle:
            data = handle.read(500 * 1024 + 1)
    except OSError:
        return None
    return data if len(data) <= 500 * 1024 else None


class _Deck:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.brand = _brand(campaign)
        self.logo = _logo(campaign)
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.blank = self.prs.slide_layouts[6]

    def _branding(self, slide: Any) -> None:
        """The consultancy on every slide: a band of its colour, its logo, its name and the
        client's, and the slide's number."""
        band = slide.shapes.add_shape(1, 0, 0, WIDTH, Inches(0.12))  # 1: a rectangle
        band.fill.solid()
        band.fill.fore_color.rgb = self.brand
        band.line.fill.background()
        if self.logo:
            try:
                slide.shapes.add_picture(
                    io.BytesIO(self.logo), Inches(11.9), Inches(0.25), height=Inches(0.55)
                )
            except Exception:
                logger.warning("The workspace's logo could not be put on a slide")
        footer = slide.shapes.add_textbox(Inches(0.6), Inches(7.0), Inches(12.1), Inches(0.35))
        paragraph = footer.text_frame.paragraphs[0]
        organization = self.campaign.organization
        number = len(self.prs.slides)
        paragraph.text = f"{organization.workspace.name} · {organization.name} · {number}"
        paragraph.font.size, paragraph.font.color.rgb = Pt(10), GREY

    def slide(self, title: str) -> Any:
        """A slide whose title states its finding."""
        slide = self.prs.slides.add_slide(self.blank)
        self._branding(slide)
        box = slide.shapes.add_textbox(Inches(0.6), Inches(0.3), Inches(11.1), Inches(0.9))
        box.name = "Title"  # what a consultant sees in PowerPoint's selection pane
        box.text_frame.word_wrap = True
        paragraph = box.text_frame.paragraphs[0]
        paragraph.text = title
        paragraph.font.size = Pt(26 if len(title) <= 60 else 20)
        paragraph.font.bold = True
        paragraph.font.color.rgb = self.brand
        return slide

    def table(
        self,
        slide: Any,
        rows: list[list[str]],
        box: tuple[float, float, float, float],
        header_size: int = 11,
    ) -> Any:
        """A native table, the first row its header; the cells 11 pt so it fits."""
        left, top, width, height = (Emu(Inches(v)) for v in box)
        shape = slide.shapes.add_table(len(rows), len(rows[0]), left, top, width, height)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                cell = shape.table.cell(r, c)
                cell.text = str(value)
                for paragraph in cell.text_frame.paragraphs:
                    paragraph.font.size = Pt(header_size if r == 0 else 11)
                    paragraph.font.bold = r == 0
        return shape.table

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
        [f"{organization.workspace.name} · {date_format(timezone.localdate(), 'DATE_FORMAT')}"],
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

    # Executive summary: the stage as the title, why not the next one, what stands out,
    # and the first steps; two decimals, as for every executive.
    stage_title = _("Stage %(stage)s: %(name)s") % {
        "stage": overall["stage"],
        "name": context["stage_name"],
    }
    slide = deck.slide(stage_title)
    headline = [
        _("Stage score %(score)s of 3 (%(n)s responses)")
        % {"score": places(overall["stage_score"]), "n": overall["n"]},
    ]
    if context["why"]:
        why = context["why"]
        names = _(" and ").join(f"{b['name']} ({places(b['score'])})" for b in why["blockers"])
        headline.append(
            _("Why not Stage %(next)s: %(names)s below %(threshold)s")
            % {"next": why["next"], "names": names, "threshold": places(why["threshold"], 1)}
        )
    deck.text(slide, headline, 0.6, 1.2, 12, 1.2, size=18)
    deck.text(
        slide,
        [_("Strongest")] + [f"{name}: {places(score)}" for name, score in context["strongest"]],
        0.6,
        2.5,
        4,
        1.9,
        size=14,
    )
    deck.text(
        slide,
        [_("Weakest")] + [f"{name}: {places(score)}" for name, score in context["weakest"]],
        4.7,
        2.5,
        4,
        1.9,
        size=14,
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
        2.5,
        4.2,
        1.9,
        size=14,
    )
    deck.text(
        slide,
        [_("First steps")]
        + [
            f"{n}. {r['name']}: {r['text']}"
            for n, r in enumerate(context["recommendations"][:3], 1)
        ],
        0.6,
        4.5,
        12,
        2.4,
        size=13,
    )

    # Scores against targets: a native clustered bar chart, the target a hollow bar behind
    # the score (not a full bar that outweighs it). Its data lives in an embedded workbook
    # whose writer turns text starting with "=" into a formula: names pass through `safe`,
    # as in the spreadsheet exports.
    charts = context["charts"]
    slide = deck.slide(charts["dimensions"].title)
    data = CategoryChartData(number_format="0.00")
    data.categories = [safe(r["name"]) for r in rows]
    data.add_series(_("Score"), [r["score"] for r in rows])
    data.add_series(_("Target"), [r["target"] for r in rows])
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, (0.6, 1.3, 12, 5.6))
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 3.0, 0.0
    chart.category_axis.reverse_order = True  # the bank's order, top to bottom
    plot = chart.plots[0]
    plot.overlap, plot.gap_width = 100, 60  # the target's outline around the score
    score_series, target_series = plot.series[0], plot.series[1]
    score_series.format.fill.solid()
    score_series.format.fill.fore_color.rgb = deck.brand
    target_series.format.fill.background()
    target_series.format.line.color.rgb = RGBColor(0x22, 0x22, 0x22)
    target_series.format.line.width = Pt(1.5)

    # Radar: everyone, IT and OT (a suppressed function has no series), fixed at 0 to 3
    slide = deck.slide(charts["radar"].title)
    data = CategoryChartData(number_format="0.00")
    data.categories = [safe(r["name"]) for r in rows]
    data.add_series(function_name("overall"), [r["score"] for r in rows])
    colours = [RGBColor(0x33, 0x33, 0x33)]
    for function, colour in (("it", IT_COLOUR), ("ot", OT_COLOUR)):
        group = doc["by_function"].get(function, {})
        if group.get("dimensions"):
            data.add_series(
                function_name(function),
                [(group["dimensions"].get(r["key"]) or {}).get("score") for r in rows],
            )
            colours.append(colour)
    chart = _chart(slide, XL_CHART_TYPE.RADAR_MARKERS, data, (1.5, 1.2, 10, 5.7))
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 3.0, 0.0
    chart.value_axis.major_unit = 1.0
    for series, colour in zip(chart.plots[0].series, colours, strict=True):
        series.format.line.color.rgb = colour

    # Perception gaps
    scored = [r for r in rows if r["gap"] and r["gap"]["gap"] is not None]
    slide = deck.slide(charts["gaps"].title if "gaps" in charts else _("IT and OT perception gaps"))
    if scored:
        data = CategoryChartData(number_format="+0.00;-0.00")
        data.categories = [safe(r["name"]) for r in scored]
        data.add_series(_("IT minus OT"), [r["gap"]["gap"] for r in scored])
        chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, (0.6, 1.3, 8, 5.6))
        chart.has_legend = False
        chart.category_axis.reverse_order = True
        # Names at the left edge, clear of bars that point left (OT sees it higher).
        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
        chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 1.5, -1.5
        chart.plots[0].series[0].format.fill.solid()
        chart.plots[0].series[0].format.fill.fore_color.rgb = IT_COLOUR
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

    _teams_slide(deck, context)
    _progress_slide(deck, context)
    _divergent_slide(deck, context)
    _decisions_slide(deck, context)

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
        5.6,
        # Seven steps of German advice overran the slide at 16 pt.
        size=16 if len(context["recommendations"]) <= 4 else 13,
    )
    _initiatives_slide(deck, context)
    _did_it_work_slide(deck, context)
    return deck.save()


MAX_ROADMAP_ROWS = 8  # a table of more would overrun the slide; the report lists them all


def _initiatives_slide(deck: _Deck, context: dict[str, Any]) -> None:
    """The roadmap's initiatives, titled with the matrix's finding."""
    initiatives = context.get("initiatives") or []
    chart = context["charts"].get("matrix")
    if not initiatives or chart is None:
        return
    slide = deck.slide(chart.title)
    cells = [roadmap.header()]
    for i in initiatives[:MAX_ROADMAP_ROWS]:
        title = f"{i['title']} ({i['quadrant']})"
        levels = [i["horizon"], i["impact"], i["effort"], i["status"]]
        cells.append([str(i["number"]), title, i["owner"], *levels])
    table = deck.table(slide, cells, (0.6, 1.3, 12.1, 0.5 * len(cells)))
    for column, width in enumerate((0.5, 5.0, 2.4, 1.4, 0.9, 0.9, 1.0)):
        table.columns[column].width = Inches(width)
    if len(initiatives) > MAX_ROADMAP_ROWS:
        more = len(initiatives) - MAX_ROADMAP_ROWS
        deck.text(
            slide,
            [_("And %(more)s more in the report.") % {"more": more}],
            0.6,
            6.6,
            12,
            0.5,
            size=12,
        )


def _did_it_work_slide(deck: _Deck, context: dict[str, Any]) -> None:
    """The baseline's initiatives against their dimensions' change, titled with the count."""
    worked = context.get("did_it_work") or []
    if not worked:
        return
    slide = deck.slide(context["did_it_work_summary"])
    cells = [roadmap.did_it_work_header()]
    for w in worked:
        for m in w["moves"]:
            change = roadmap.change_text(m)
            before = NOT_SAID if m["before"] is None else places(m["before"])
            after = NOT_SAID if m["after"] is None else places(m["after"])
            cells.append([w["title"], m["name"], before, after, change, m["says"]])
    cells = cells[: MAX_ROADMAP_ROWS + 1]
    table = deck.table(slide, cells, (0.6, 1.3, 12.1, 0.5 * len(cells)))
    for column, width in enumerate((4.4, 2.8, 0.9, 0.9, 1.5, 1.6)):
        table.columns[column].width = Inches(width)


def _teams_slide(deck: _Deck, context: dict[str, Any]) -> None:
    """The teams' scores per dimension, each cell in its stage's colour; a team that cannot
    be shown says so and shows no figure (rule 8)."""
    chart = context["charts"].get("teams")
    teams = context["doc"].get("by_team") or {}
    if chart is None or not teams:
        return
    labels, rows = context["labels"], context["dimension_rows"]
    slide = deck.slide(chart.title)
    cells = [[_("Team"), _("Responses")] + [r["name"] for r in rows]]
    stages: list[list[int | None]] = [[]]
    for slug, group in teams.items():
        name = labels.teams.get(slug, slug)
        if group.get("suppressed"):
            shown = coverage(group, context["minimum"], short=True)
            cells.append([name, shown] + [NOT_SAID] * len(rows))
            stages.append([None] * len(rows))
            continue
        figures = [group["dimensions"].get(r["key"], {}) for r in rows]
        cells.append(
            [name, coverage(group, context["minimum"], short=True)]
            + [places(f["score"]) if f.get("score") is not None else NOT_SAID for f in figures]
        )
        stages.append([f.get("stage") for f in figures])
    # Nine columns of long dimension names (German compounds): a smaller header.
    table = deck.table(slide, cells, (0.6, 1.4, 12.1, 0.4 * len(cells)), header_size=9)
    for r, row in enumerate(stages[1:], start=1):
        for c, stage in enumerate(row, start=2):
            if stage is not None:
                cell = table.cell(r, c)
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(STAGE_COLOURS[stage])


def _progress_slide(deck: _Deck, context: dict[str, Any]) -> None:
    chart = context["charts"].get("progress")
    baseline = context.get("baseline")
    if chart is None or baseline is None:
        return
    rows = [r for r in context["dimension_rows"] if (r["progress"] or {}).get("delta") is not None]
    slide = deck.slide(chart.title)
    data = CategoryChartData(number_format="0.00")
    data.categories = [safe(r["name"]) for r in rows]
    data.add_series(safe(baseline.name), [r["score"] - r["progress"]["delta"] for r in rows])
    data.add_series(safe(deck.campaign.name), [r["score"] for r in rows])
    bars = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, (0.6, 1.3, 12, 5.6))
    bars.value_axis.maximum_scale, bars.value_axis.minimum_scale = 3.0, 0.0
    bars.category_axis.reverse_order = True
    then, now = bars.plots[0].series
    then.format.fill.solid()
    then.format.fill.fore_color.rgb = RGBColor(0xBB, 0xBB, 0xBB)
    now.format.fill.solid()
    now.format.fill.fore_color.rgb = deck.brand


def _divergent_slide(deck: _Deck, context: dict[str, Any]) -> None:
    divergent = context.get("divergent") or []
    if not divergent:
        return
    slide = deck.slide(
        ngettext(
            "%(n)s question divides the room",
            "%(n)s questions divide the room",
            context["divergent_total"],
        )
        % {"n": context["divergent_total"]}
    )
    lines = []
    for item in divergent[:5]:
        stats = item["stats"]
        line = _("%(key)s: %(text)s (mean %(mean)s, agreement %(agreement)s)") % {
            "key": item["key"],
            "text": item["text"],
            "mean": places(stats["mean"]),
            "agreement": places(stats["agreement"]),
        }
        if item["agreed"] is not None:
            agreed = _("does not apply") if item["agreed"].is_na else item["agreed_choice"]
            line += " · " + _("Agreed in the workshop: %(agreed)s") % {"agreed": agreed}
        lines.append(line)
    deck.text(slide, lines, 0.6, 1.3, 12, 5.6, size=14)


def _decisions_slide(deck: _Deck, context: dict[str, Any]) -> None:
    decisions = context.get("decisions")
    if not decisions:
        return
    slide = deck.slide(
        ngettext(
            "Who decides: %(n)s decision disputed between IT and OT",
            "Who decides: %(n)s decisions disputed between IT and OT",
            decisions["disputed"],
        )
        % {"n": decisions["disputed"]}
    )
    cells = [[_("Decision"), _("Who decides"), _("IT says"), _("OT says"), _("Clarity")]]
    for row in decisions["rows"][:10]:
        clarity = NOT_SAID if row["clarity"] is None else f"{round(100 * row['clarity'])} %"
        text = row["text"] + (f" ({_('disputed')})" if row["disputed"] else "")
        cells.append([text, row["owner"], row["it"], row["ot"], clarity])
    table = deck.table(slide, cells, (0.6, 1.3, 12.1, 0.45 * len(cells)))
    table.columns[0].width = Inches(6.1)
    for column in range(1, 5):
        table.columns[column].width = Inches(1.5)


def _gap_line(row: dict[str, Any]) -> str:
    """One perception gap with its noise (± 2 standard errors, rule 9)."""
    gap = row["gap"]
    noise = f" ± {places(2 * gap['se'])}" if gap["se"] is not None else ""
    return f"{row['name']}: {signed(gap['gap'])}{noise}" + (
        _(" (flagged)") if gap["flagged"] else ""
    )
