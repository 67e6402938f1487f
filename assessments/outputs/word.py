"""The report as an editable Word document (python-docx), for consultants to edit and rebrand.

The PDF's content in Word's own styles (Title, Heading 1-3, List Number, tables in "Light
Grid Accent 1"), so that a consultancy's template restyles it at once: the same context as
the PDF (`report.report_context`), the same sentences, the same figures with the same
decimals (two for executives, three in the tables and appendices; a test compares every
figure with the PDF's), and the charts as pictures drawn by the same plotly figures.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from docx import Document
from docx.shared import Cm, Pt

from assessments.formatting import places, share
from assessments.models import Campaign
from assessments.outputs import chart_render, roadmap
from assessments.outputs.findings import NOT_SAID, coverage
from assessments.outputs.report import (
    chromium_available,
    client_methodology,
    report_context,
    report_language,
)

logger = logging.getLogger(__name__)
CHART_WIDTH = 760  # px, as in the PDF
TABLE_STYLE = "Light List Accent 1"
PAGE_WIDTH_CM = 17.0  # A4 less the 2 cm margins


def campaign_word(campaign: Campaign, language: str | None = None) -> bytes:
    """The Word report in `language` (by default the campaign's report language)."""
    language = report_language(campaign, language)
    with translation.override(language):
        return _Report(report_context(campaign, language), language).save()


def _figure(value: float | None, digits: int) -> str:
    return NOT_SAID if value is None else places(value, digits)


class _Report:
    def __init__(self, context: dict[str, Any], language: str) -> None:
        self.c = context
        self.language = language
        self.doc = Document()
        section = self.doc.sections[0]
        section.left_margin = section.right_margin = Cm(2)
        self.doc.styles["Normal"].font.size = Pt(10)

    # -- building blocks -----------------------------------------------------------------

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level)

    def paragraph(self, text: str, style: str | None = None) -> None:
        self.doc.add_paragraph(text, style=style)

    def table(
        self, header: list[str], rows: list[list[str]], widths: list[float] | None = None
    ) -> None:
        """A table in the document's table style; the first column (names, questions, the
        decisions) takes the room its text needs, the figures share the rest."""
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = TABLE_STYLE
        table.autofit = False
        if widths is None:
            first = PAGE_WIDTH_CM * (0.3 if len(header) <= 3 else 0.42)
            rest = (PAGE_WIDTH_CM - first) / max(1, len(header) - 1)
            widths = [first] + [rest] * (len(header) - 1) if len(header) > 1 else [PAGE_WIDTH_CM]
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = str(text)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8)  # headers of figures' columns stay on one line
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = str(text)
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)  # the grid, which LibreOffice reads
            for cell in column.cells:
                cell.width = Cm(width)  # the cells, which Word reads
        self.doc.add_paragraph()

    def chart(self, chart: Any) -> None:
        """A chart as a picture, or the PDF's note where no Chromium can draw it."""
        if chart is None:
            return
        if not chromium_available():
            self.paragraph(
                _(
                    "Chart not available: Chromium is not installed on the server, so charts "
                    "cannot be drawn. The table below has the same figures."
                )
            )
            return
        figure = chart.figure
        try:
            png = chart_render.renderer(settings.CHROMIUM_PATH).png(
                figure, CHART_WIDTH, figure.layout.height or 420
            )
        except Exception:
            logger.exception("kaleido could not draw a chart for the Word report")
            return
        self.doc.add_picture(io.BytesIO(png), width=Cm(17))

    # -- the report ------------------------------------------------------------------------

    def save(self) -> bytes:
        c = self.c
        self.cover()
        if c["thin"]:
            self.heading(_("Executive summary"))
            self.paragraph(
                ngettext(
                    "Only %(submitted)s response was submitted; figures are shown from "
                    "%(minimum)s responses so that no one can be singled out. This report will "
                    "fill in as answers arrive.",
                    "Only %(submitted)s responses were submitted; figures are shown from "
                    "%(minimum)s responses so that no one can be singled out. This report will "
                    "fill in as answers arrive.",
                    c["submitted"],
                )
                % {"submitted": c["submitted"], "minimum": c["minimum"]}
            )
        else:
            self.summary()
            self.decisions()
            self.model()
            self.scores()
            self.groups()
            self.divergent()
            self.progress()
            self.roadmap()
        self.methodology()
        self.questions()
        self.respondents()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    def cover(self) -> None:
        c = self.c
        self.doc.add_heading(c["organization"].name, 0)
        self.paragraph(c["campaign"].name)
        self.paragraph(_("IT/OT convergence maturity report"))
        prepared = _("Prepared by %(name)s") % {"name": c["workspace"].name}
        self.paragraph(f"{prepared} · {date_format(timezone.localdate(), 'DATE_FORMAT')}")

    def summary(self) -> None:
        c, doc = self.c, self.c["doc"]
        self.heading(_("Executive summary"))
        for sentence in c.get("narrative", []):
            self.paragraph(sentence)
        overall = doc["overall"]
        self.paragraph(
            _("Stage score %(score)s of 3 · %(share)s of the way to the targets")
            % {
                "score": places(overall["stage_score"]),
                "share": share(overall["percent_to_target"]),
            }
        )
        why = c.get("why")
        if why:
            names = ", ".join(f"{b['name']} ({places(b['score'])})" for b in why["blockers"])
            self.paragraph(
                _("Why not Stage %(next)s:") % {"next": why["next"]}
                + f" {names} "
                + ngettext(
                    "is still below %(threshold)s.",
                    "are still below %(threshold)s.",
                    len(why["blockers"]),
                )
                % {"threshold": localize(why["threshold"])}
            )
            if why["holding_back"]:
                held = ", ".join(f"{h['name']} ({places(h['score'])})" for h in why["holding_back"])
                self.paragraph(_("Holding back:") + f" {held}.")
        gap = c.get("largest_gap")
        if gap:
            self.paragraph(
                _("Largest IT/OT difference:")
                + " "
                + _("%(higher)s rates %(name)s %(size)s higher than %(lower)s.")
                % {
                    "higher": gap["higher"],
                    "name": gap["name"],
                    "size": places(gap["size"]),
                    "lower": gap["lower"],
                }
            )
        self.heading(_("Strongest dimensions"), 2)
        self.table([_("Dimension"), _("Score")], [[n, places(s)] for n, s in c["strongest"]])
        self.heading(_("Weakest dimensions"), 2)
        self.table([_("Dimension"), _("Score")], [[n, places(s)] for n, s in c["weakest"]])
        self.heading(_("Largest IT/OT perception gaps"), 2)
        rows = []
        for d in c["gap_rows"][:3]:
            noise = f" ± {places(2 * d['gap']['se'])}" if d["gap"]["se"] is not None else ""
            flagged = _("yes") if d["gap"]["flagged"] else _("no")
            rows.append([d["name"], places(d["gap"]["gap"]) + noise, flagged])
        self.table([_("Dimension"), _("IT minus OT"), _("Flagged")], rows)
        self.heading(_("First three steps"), 2)
        for r in c["recommendations"][:3]:
            now = _("now Stage %(stage)s") % {"stage": r["stage"]}
            self.paragraph(f"{r['name']} ({now}): {r['text']}", "List Number")

    def decisions(self) -> None:
        decisions = self.c.get("decisions")
        if not decisions:
            return
        self.heading(_("Who decides"))
        self.paragraph(
            _(
                "Per decision, the answer most people gave (when one leads) and what IT and OT "
                "each say."
            )
        )

        def percent(value: float | None) -> str:
            return NOT_SAID if value is None else f"{round(100 * value)} %"

        rows = [
            [
                row["text"] + (f" ({_('disputed')})" if row["disputed"] else ""),
                row["owner"],
                row["it"],
                row["ot"],
                percent(row["clarity"]),
                percent(row["joint"]),
                percent(row["unknown"]),
            ]
            for row in decisions["rows"]
        ]
        header = [
            _("Decision"),
            _("Who decides"),
            _("IT says"),
            _("OT says"),
            _("Clarity"),
            _("Joint"),
            _("Could not say"),
        ]
        self.table(header, rows)

    def model(self) -> None:
        c = self.c
        self.heading(_("The stage model and where you are"))
        self.table(
            [_("Stage"), _("Name"), _("What it looks like")],
            [
                [f"{s['level']}{' ← ' + _('you') if s['current'] else ''}", s["name"], s["summary"]]
                for s in c["stage_rows"]
            ],
            widths=[2.0, 4.5, 10.5],
        )
        why = c.get("why")
        if why:
            self.heading(_("Why not Stage %(next)s?") % {"next": why["next"]}, 2)
            self.paragraph(
                _(
                    "An organisation is at a stage only when every part of its collaboration "
                    "model is. To reach Stage %(next)s, these must pass %(threshold)s:"
                )
                % {"next": why["next"], "threshold": localize(why["threshold"])}
            )
            for b in why["blockers"]:
                self.paragraph(
                    f"{b['name']}: {places(b['score'])}. " + _("Practices furthest behind:")
                )
                for q in b["questions"]:
                    self.paragraph(f"{q['key']}: {q['text']} ({places(q['mean'])})", "List Bullet")

    def scores(self) -> None:
        c, doc = self.c, self.c["doc"]
        charts = c.get("charts", {})
        self.heading(_("Scores against targets"))
        self.chart(charts.get("dimensions"))
        header = [_("Dimension"), _("Kind"), _("Score"), _("Stage"), _("Target"), _("Below target")]
        if doc["consensus"]:
            header.append(_("Workshop consensus"))
        rows = []
        for d in c["dimension_rows"]:
            kind = _("collaboration") if d["lens"] == "stage" else _("enabler")
            row = [
                d["name"],
                kind,
                _figure(d["score"], 3),
                NOT_SAID if d["stage"] is None else str(d["stage"]),
                str(d["target"]),
                _figure(d["gap_to_target"], 3),
            ]
            if doc["consensus"]:
                row.append(_figure(d["consensus"], 3))
            rows.append(row)
        self.table(header, rows)
        self.heading(_("How IT, OT and leadership see it"), 2)
        self.chart(charts.get("radar"))
        rows = []
        for name, group in c["function_rows"]:
            shown = coverage(group, c["minimum"], short=True)
            if group.get("suppressed"):
                rows.append([name, shown, _("not shown"), ""])
            else:
                stage = NOT_SAID if group["stage"] is None else str(group["stage"])
                rows.append([name, shown, stage, _figure(group["stage_score"], 3)])
        self.table([_("Function"), _("Responses"), _("Stage"), _("Stage score")], rows)
        self.heading(_("Perception gaps"), 2)
        self.chart(charts.get("gaps"))
        threshold = localize(doc["settings"]["gap_threshold"])
        rows = []
        for d in c["dimension_rows"]:
            gap = (d["gap"] or {}).get("gap")
            flagged = NOT_SAID if gap is None else _("yes") if d["gap"]["flagged"] else _("no")
            rows.append([d["name"], _figure(gap, 3), flagged])
        header = [
            _("Dimension"),
            _("IT minus OT"),
            _("Flagged (≥ %(threshold)s)") % {"threshold": threshold},
        ]
        self.table(header, rows)

    def groups(self) -> None:
        c = self.c
        charts = c.get("charts", {})
        self.heading(_("Teams and sites"))
        if c.get("hidden_note"):
            self.paragraph(c["hidden_note"])
        for chart, rows, what in (
            (charts.get("teams"), c["team_rows"], _("Team")),
            (charts.get("sites"), c["site_rows"], _("Site")),
        ):
            self.chart(chart)
            if not rows:
                continue
            table = []
            for name, group in rows:
                shown = coverage(group, c["minimum"], short=True)
                if group.get("suppressed"):
                    table.append([name, shown, _("not shown"), ""])
                else:
                    stage = NOT_SAID if group["stage"] is None else str(group["stage"])
                    table.append([name, shown, stage, _figure(group["stage_score"], 3)])
            self.table([what, _("Responses"), _("Stage"), _("Stage score")], table)

    def divergent(self) -> None:
        c = self.c
        self.heading(_("Where people disagree"))
        if not c.get("divergent"):
            self.paragraph(_("No question divides the room."))
            return
        for item in c["divergent"]:
            self.heading(f"{item['key']}: {item['text']}", 3)
            self.chart(item["chart"])
            stats = item["stats"]
            self.paragraph(
                _(
                    "Mean %(mean)s, standard deviation %(stdev)s, agreement %(agreement)s "
                    "(%(n)s answers)."
                )
                % {
                    "mean": places(stats["mean"], 3),
                    "stdev": places(stats["stdev"], 3),
                    "agreement": places(stats["agreement"], 3),
                    "n": stats["n"],
                }
            )
            agreed = item["agreed"]
            if agreed:
                answer = _("does not apply") if agreed.is_na else item["agreed_choice"]
                self.paragraph(_("Agreed in the workshop:") + f" {answer}")

    def progress(self) -> None:
        c, doc = self.c, self.c["doc"]
        self.heading(_("Progress"))
        if not doc.get("progress"):
            self.paragraph(
                _(
                    "This is the first closed assessment of %(name)s on this question bank: the "
                    "next one will show progress against it."
                )
                % {"name": c["organization"].name}
            )
            return
        charts = c.get("charts", {})
        self.chart(charts.get("progress"))
        baseline = c["baseline"].name if c.get("baseline") else doc["progress"]["baseline"]
        rows = [
            [
                d["name"],
                _figure((d["progress"] or {}).get("delta"), 3),
                _figure((d["progress"] or {}).get("progress_to_date"), 3),
            ]
            for d in c["dimension_rows"]
        ]
        header = [
            _("Dimension"),
            _("Change since %(baseline)s") % {"baseline": baseline},
            _("Share of the way to target"),
        ]
        self.table(header, rows)
        self.chart(charts.get("trend"))

    def roadmap(self) -> None:
        self.heading(_("Roadmap"))
        self.paragraph(
            _(
                "In order of how much each step matters: the distance to the target, weighted "
                "by the dimension's weight."
            )
        )
        for r in self.c["recommendations"]:
            now = _("now Stage %(stage)s, %(gap)s below target") % {
                "stage": r["stage"],
                "gap": places(r["gap"]),
            }
            self.paragraph(f"{r['name']} ({now}): {r['text']}", "List Number")
        c = self.c
        if c.get("initiatives"):
            self.heading(_("Initiatives"), 2)
            self.paragraph(
                _(
                    "The initiatives agreed from the recommendations, soonest first; numbers as "
                    "on the matrix. Scored nowhere: the next campaign shows whether their "
                    "dimensions moved."
                )
            )
            self.chart(c.get("charts", {}).get("matrix"))
            rows = []
            for i in c["initiatives"]:
                keys = ", ".join(q["key"] for q in i["questions"])
                linked = ", ".join(i["dimensions"]) + (f" · {keys}" if keys else "")
                rows.append(
                    [
                        str(i["number"]),
                        f"{i['title']} ({i['quadrant']})\n{linked}",
                        i["owner"],
                        i["horizon"],
                        i["impact"],
                        i["effort"],
                        i["status"],
                    ]
                )
            self.table(roadmap.header(), rows, [0.7, 5.4, 2.8, 2.3, 1.9, 1.9, 2.0])
        if c.get("did_it_work"):
            baseline = c["baseline"].name if c.get("baseline") else ""
            self.heading(_("Did it work? The roadmap of %(name)s") % {"name": baseline}, 2)
            note = _(
                "Each initiative's dimensions then and now; a change counts when it is larger "
                "than its noise (twice the standard error of the difference)."
            )
            self.paragraph(f"{c['did_it_work_summary']} {note}")
            rows = []
            for w in c["did_it_work"]:
                for m in w["moves"]:
                    rows.append(
                        [
                            f"{w['title']} ({w['status']})",
                            m["name"],
                            _figure(m["before"], 2),
                            _figure(m["after"], 2),
                            roadmap.change_text(m),
                            m["says"],
                        ]
                    )
            self.table(roadmap.did_it_work_header(), rows, [5.0, 3.4, 1.6, 1.6, 2.6, 2.8])

    def methodology(self) -> None:
        """Appendix A from docs/methodology(.de).md: its headings, paragraphs, lists and
        tables in Word's styles (the Markdown marks themselves dropped)."""
        self.heading(_("Appendix A: Methodology"))
        text = client_methodology(self.language)
        table: list[list[str]] = []

        def plain(line: str) -> str:
            return re.sub(r"[*`]", "", line).strip()

        def flush() -> None:
            if table:
                self.table(table[0], table[1:])
                table.clear()

        paragraph: list[str] = []

        def end_paragraph() -> None:
            if paragraph:
                self.paragraph(plain(" ".join(paragraph)))
                paragraph.clear()

        for line in text.splitlines():
            if line.startswith("|"):
                end_paragraph()
                cells = [plain(cell) for cell in line.strip().strip("|").split("|")]
                if not all(set(cell) <= {"-", " ", ":"} for cell in cells):
                    table.append(cells)
                continue
            flush()
            if line.startswith("#"):
                end_paragraph()
                level = len(line) - len(line.lstrip("#"))
                self.heading(plain(line.lstrip("#")), min(level + 1, 3))
            elif line.startswith(("- ", "1. ", "2. ")):
                end_paragraph()
                self.paragraph(plain(line.split(" ", 1)[1]), "List Bullet")
            elif not line.strip():
                end_paragraph()
            else:
                paragraph.append(line)
        end_paragraph()
        flush()

    def questions(self) -> None:
        c = self.c
        self.heading(_("Appendix B: Results per question"))
        rows = [
            [
                f"{q['key']} {q['text']}",
                str(q["n"]),
                str(q["na"]),
                str(q["dk"]),
                _figure(q["mean"], 3),
                _figure(q["stdev"], 3),
                _figure(q["agreement"], 3),
            ]
            for q in c["question_rows"]
        ]
        header = [
            _("Question"),
            _("Answers"),
            _("N/A"),
            _("Don't know"),
            _("Mean"),
            _("Std. dev."),
            _("Agreement"),
        ]
        self.table(header, rows)

    def respondents(self) -> None:
        c, doc = self.c, self.c["doc"]
        self.heading(_("Appendix C: Respondents"))
        self.paragraph(
            _("%(submitted)s submitted, %(in_progress)s still in progress (not counted)")
            % {
                "submitted": doc["respondents"]["submitted"],
                "in_progress": doc["respondents"]["in_progress"],
            }
        )
        for title, rows in (
            (_("Per function"), c.get("function_rows", [])),
            (_("Per team"), c.get("team_rows", [])),
            (_("Per site"), c.get("site_rows", [])),
        ):
            self.heading(title, 2)
            self.table(
                [_("Name"), _("Responses")],
                [[name, coverage(group, c["minimum"], short=True)] for name, group in rows],
            )
