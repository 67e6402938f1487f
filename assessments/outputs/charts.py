"""Plotly figures built from score documents: one definition for the dashboard and the PDF.

No database here: the functions take the `score --json` document (and labels) and return
figures. Each figure's title states its finding in words. Colours: the Okabe-Ito palette,
distinguishable with the common forms of colour blindness; one colour per stage everywhere,
and separate hues for the functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.documents import GroupScores, ScoreDocument, overall, shown
from assessments.formatting import places, share, signed
from assessments.vocabulary import DK, NA

STAGE_COLOURS = {0: "#D55E00", 1: "#E69F00", 2: "#56B4E9", 3: "#009E73"}
NO_STAGE_COLOUR = "#BBBBBB"
# Heatmap colours in bands: a cell takes the colour of the stage its score belongs to.
STAGE_BANDS = [
    [0.0, STAGE_COLOURS[0]],
    [0.5 / 3, STAGE_COLOURS[0]],
    [0.5 / 3, STAGE_COLOURS[1]],
    [1.5 / 3, STAGE_COLOURS[1]],
    [1.5 / 3, STAGE_COLOURS[2]],
    [2.5 / 3, STAGE_COLOURS[2]],
    [2.5 / 3, STAGE_COLOURS[3]],
    [1.0, STAGE_COLOURS[3]],
]
FUNCTION_COLOURS = {
    "overall": "#333333",
    "it": "#0072B2",
    "ot": "#CC79A7",
    "leadership": "#009E73",
    "business": "#E69F00",
    "other": "#999999",
}
# In the reader's language (lazy: each use reads the language active then); `function_name`
# gives the plain string a figure needs.
FUNCTION_NAMES = {
    "overall": gettext_lazy("Everyone"),
    "it": gettext_lazy("IT"),
    "ot": gettext_lazy("OT"),
    "business": gettext_lazy("Business"),
    "leadership": gettext_lazy("Leadership"),
    "other": gettext_lazy("Other"),
}
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


@dataclass(frozen=True)
class Labels:
    """Names for the keys in a score document (from the bank and the organisation)."""

    dimensions: Mapping[str, str]  # key -> name, in the bank's order
    lenses: Mapping[str, str]  # key -> "stage" | "enabler"
    stages: Mapping[int, str]  # level -> name
    questions: Mapping[str, str] = field(default_factory=dict)  # key -> text
    choices: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    teams: Mapping[str, str] = field(default_factory=dict)  # slug -> name
    sites: Mapping[str, str] = field(default_factory=dict)
    # key -> stage -> the bank's next-step advice; level -> what the stage looks like
    guidance: Mapping[str, Mapping[int, str]] = field(default_factory=dict)
    summaries: Mapping[int, str] = field(default_factory=dict)
    # Who is asked what in this campaign (the bank's audiences, the one-site choice): scored
    # question key -> functions asked it; its dimension; each team's function.
    asked: Mapping[str, frozenset[str]] = field(default_factory=dict)
    dimension_of: Mapping[str, str] = field(default_factory=dict)
    team_functions: Mapping[str, str] = field(default_factory=dict)

    def dimension(self, key: str) -> str:
        return self.dimensions.get(key, key)

    def asks(self, function: str, *, question: str = "", dimension: str = "") -> bool:
        """Whether `function` is asked `question`, or any scored question of `dimension`
        (True when the labels do not know: then nothing is said to be not asked)."""
        if not self.asked:
            return True
        if question:
            return function in self.asked.get(question, frozenset({function}))
        return any(
            function in functions
            for key, functions in self.asked.items()
            if self.dimension_of.get(key) == dimension
        )

    def plain(self) -> Labels:
        """The same labels with plotly's markup characters escaped (`plain`): what every
        figure below draws, so a name is shown, never obeyed."""
        return Labels(
            dimensions={k: plain(v) for k, v in self.dimensions.items()},
            lenses=self.lenses,
            stages={k: plain(v) for k, v in self.stages.items()},
            questions={k: plain(v) for k, v in self.questions.items()},
            choices={k: [(c, plain(t)) for c, t in v] for k, v in self.choices.items()},
            teams={k: plain(v) for k, v in self.teams.items()},
            sites={k: plain(v) for k, v in self.sites.items()},
            guidance=self.guidance,
            summaries=self.summaries,
            asked=self.asked,
            dimension_of=self.dimension_of,
            team_functions=self.team_functions,
        )


def function_name(key: str) -> str:
    return str(FUNCTION_NAMES.get(key, key))


def plain(text: str) -> str:
    """Text that plotly shows as it is. Plotly reads HTML-like markup in every label and
    title (`<b>`, `<a href>`, `<span style>`): names typed by users would become links on the
    dashboard and, with CSS, requests from the PDF's chart renderer. Entities show as the
    characters they stand for."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


TITLE_WIDTH = 80  # characters on a line of a chart's title, the PDF's width; longer ones wrap
LABEL_LIMIT = 60  # characters of a name in a legend or beside a row; longer ones are cut


def _layout(figure: go.Figure, title: str, height: int = 420, **extra: Any) -> go.Figure:
    if "<br>" not in title and len(title) > TITLE_WIDTH:
        # A long title (long names in it) wraps instead of running off the chart: the lines
        # it takes are added above the plot.
        title = _wrap(title, TITLE_WIDTH)
        added = 20 * title.count("<br>")
        margin = dict(extra.get("margin") or {"l": 10, "r": 10, "t": 60, "b": 40})
        margin["t"] = margin.get("t", 60) + added
        extra = {**extra, "margin": margin}
        height += added
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}}
        | (
            # From the top down, so its lines stay clear of a legend above the plot.
            {"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}}
            if "<br>" in title
            else {}
        ),
        "font": {"family": FONT, "size": 12, "color": "#222222"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 60, "b": 40},
        "legend": {"orientation": "h", "y": -0.15},
        # Axis numbers as the reader writes them: "0,5" in German.
        "separators": get_format("DECIMAL_SEPARATOR") + get_format("THOUSAND_SEPARATOR"),
    }
    figure.update_layout(**{**layout, **extra})
    return figure


def _wrap(text: str, width: int = 28) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _short(text: str, limit: int = LABEL_LIMIT) -> str:
    """A name cut at a word to `limit` characters, with an ellipsis; the whole name is in the
    table beside the chart."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-\u2013")
    return head + "\u2026"


def stage_colour(stage: int | None) -> str:
    return STAGE_COLOURS.get(stage, NO_STAGE_COLOUR) if stage is not None else NO_STAGE_COLOUR


# --- Dimension scores against targets ------------------------------------------------------


def dimension_bars(doc: ScoreDocument, labels: Labels) -> go.Figure:
    labels = labels.plain()
    dims = overall(doc)["dimensions"]
    keys = [k for k in labels.dimensions if k in dims][::-1]  # first dimension on top
    scores = [dims[k]["score"] for k in keys]
    names = [
        _wrap(labels.dimension(k)) + (_(" (enabler)") if labels.lenses.get(k) == "enabler" else "")
        for k in keys
    ]
    figure = go.Figure()
    figure.add_bar(
        y=names,
        x=[s if s is not None else 0 for s in scores],
        orientation="h",
        marker_color=[stage_colour(dims[k]["stage"]) for k in keys],
        text=[places(s) if s is not None else _("no answers") for s in scores],
        # At the start of the bar, where the ± 2 se whisker at its end cannot cross it.
        textposition="inside",
        insidetextanchor="start",
        textfont={"color": "#111111"},
        name=_("Score (± 2 standard errors)"),
        # How far the score could move with other respondents: ± 2·se (rule 2b).
        error_x={
            "type": "data",
            "array": [2 * (dims[k]["se"] or 0) for k in keys],
            "visible": True,
            "color": "#444444",
            "thickness": 1.5,
            "width": 4,
        },
        customdata=[
            [places(s) if s is not None else _("no answers"), places(2 * (dims[k]["se"] or 0))]
            for s, k in zip(scores, keys, strict=True)
        ],
        hovertemplate="%{y}: %{customdata[0]} ± %{customdata[1]}<extra></extra>",
    )
    figure.add_scatter(
        y=names,
        x=[dims[k]["target"] for k in keys],
        mode="markers",
        marker={"symbol": "line-ns-open", "size": 26, "line": {"width": 3}, "color": "#222222"},
        name=_("Target"),
        hovertemplate=_("Target") + " %{x}<extra></extra>",
    )
    percent = overall(doc)["percent_to_target"]
    title = (
        _("%(percent)s of the way to the targets") % {"percent": share(percent)}
        if percent is not None
        else _("No scores yet")
    )
    return _layout(
        figure,
        title,
        height=110 + 46 * len(keys),
        xaxis={
            "range": [0, 3.3],
            "tickvals": [0, 1, 2, 3],
            "gridcolor": "#e5e5e5",
            "title": _("Stage"),
        },
        showlegend=True,
    )


# --- Radar ---------------------------------------------------------------------------------


def radar(doc: ScoreDocument, labels: Labels) -> go.Figure:
    labels = labels.plain()
    keys = list(labels.dimensions)
    theta = [_wrap(labels.dimension(k), 18) for k in keys]
    figure = go.Figure()
    series: list[tuple[str, GroupScores]] = [("overall", overall(doc))]
    for function in ("it", "ot", "leadership"):
        if figures := shown(doc["by_function"][function]):
            series.append((function, figures))
    for name, group in series:
        values = [group["dimensions"][k]["score"] for k in keys]
        figure.add_scatterpolar(
            r=values + values[:1],
            theta=theta + theta[:1],
            name=function_name(name),
            line={
                "color": FUNCTION_COLOURS[name],
                "width": 3 if name == "overall" else 2,
                "dash": "solid" if name in ("overall", "it") else "dash",
            },
            connectgaps=True,
        )
    drawn = [function_name(name) for name, _group in series[1:]]
    title = (
        _("How %(groups)s see each dimension")
        % {
            "groups": _("%(some)s and %(last)s")
            % {"some": ", ".join(drawn[:-1]), "last": drawn[-1]}
            if len(drawn) > 1
            else drawn[0]
        }
        if drawn
        else _("IT and OT groups are too small to show apart")
    )
    return _layout(
        figure,
        title,
        height=520,
        polar={
            "radialaxis": {
                "range": [0, 3],
                "tickvals": [0, 1, 2, 3],
                "angle": 90,
                "gridcolor": "#dddddd",
            },
            "angularaxis": {"gridcolor": "#dddddd"},
        },
    )


# --- Perception gaps -----------------------------------------------------------------------


def _noise(se: float | None) -> str:
    """ " ± 0.16": twice the gap's standard error, what a gap must exceed to be flagged."""
    return "" if se is None else f" ± {places(2 * se)}"


def gap_bars(doc: ScoreDocument, labels: Labels) -> go.Figure | None:
    labels = labels.plain()
    gaps = doc["perception_gaps"]
    keys = [k for k in labels.dimensions if k in gaps][::-1]
    if not keys:
        return None
    values = [gaps[k]["gap"] for k in keys]
    figure = go.Figure()
    figure.add_bar(
        y=[_wrap(labels.dimension(k)) for k in keys],
        x=values,
        orientation="h",
        marker_color=[
            (FUNCTION_COLOURS["it"] if v > 0 else FUNCTION_COLOURS["ot"])
            if gaps[k]["flagged"]
            else "#cccccc"
            for k, v in zip(keys, values, strict=True)
        ],
        text=[
            signed(v) + _noise(gaps[k]["se"]) + (" ⚑" if gaps[k]["flagged"] else "")
            for k, v in zip(keys, values, strict=True)
        ],
        textposition="outside",
        customdata=[signed(v) for v in values],
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    flagged = [k for k in keys if gaps[k]["flagged"]]
    largest = max(flagged or keys, key=lambda k: abs(gaps[k]["gap"]))
    gap = gaps[largest]["gap"]
    side, other = (_("IT"), _("OT")) if gap > 0 else (_("OT"), _("IT"))
    title = (
        _("%(side)s rates %(dimension)s %(size)s stages higher than %(other)s")
        % {
            "side": side,
            "dimension": labels.dimension(largest),
            "size": places(abs(gap), 1),
            "other": other,
        }
        if flagged
        else _("No IT/OT gap is larger than its threshold and its noise")
    )
    limit = max(1.0, max(abs(v) for v in values) + 0.9)  # room for "+1.06 ± 0.16 ⚑"
    threshold = doc["settings"]["gap_threshold"]
    figure.add_vline(x=threshold, line_dash="dot", line_color="#888888")
    figure.add_vline(x=-threshold, line_dash="dot", line_color="#888888")
    return _layout(
        figure,
        title,
        height=110 + 46 * len(keys),
        showlegend=False,
        xaxis={
            "range": [-limit, limit],
            "zeroline": True,
            "zerolinecolor": "#333333",
            "title": _("← OT sees it higher · IT sees it higher →"),
            "gridcolor": "#eeeeee",
        },
    )


# --- Heatmaps ------------------------------------------------------------------------------


def heatmap(
    groups: Mapping[str, Any],
    names: Mapping[str, str],
    labels: Labels,
    what: str,
    min_group_size: int,
) -> go.Figure | None:
    """Groups (teams or sites) by dimensions. A suppressed group shows no number at all."""
    if not groups:
        return None
    # Cut before escaping, so a cut never lands inside an escaped "&amp;".
    short = {k: plain(_short(v, 44)) for k, v in names.items()}
    labels, names = labels.plain(), {k: plain(v) for k, v in names.items()}
    rows = list(groups)[::-1]
    keys = list(labels.dimensions)
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    for slug in rows:
        group = groups[slug]
        if group.get("suppressed"):
            z.append([None] * len(keys))
            text.append(["\u2013"] * len(keys))  # a dash; the row's name says "not shown"
            continue
        scores = [group["dimensions"][k]["score"] for k in keys]
        z.append(scores)
        function = labels.team_functions.get(slug) if what == "teams" else None
        text.append(
            [
                places(score)
                if score is not None
                else _("not asked")
                if function and not labels.asks(function, dimension=key)
                else "\u2013"
                for key, score in zip(keys, scores, strict=True)
            ]
        )
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[_wrap(labels.dimension(k), 16) for k in keys],
            y=[_wrap(_group_label(short.get(s, s), groups[s]), 30) for s in rows],
            text=text,
            texttemplate="%{text}",
            zmin=0,
            zmax=3,
            colorscale=STAGE_BANDS,
            # The stages' colours are named in the legend below, not on a colour bar: a bar
            # is a gradient, which the PDF drew as a dot at some chart heights.
            showscale=False,
            textfont={"size": 13},
            hoverongaps=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
        )
    )
    for level, colour in STAGE_COLOURS.items():
        figure.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 12, "color": colour},
            name=_("Stage %(stage)s") % {"stage": level},
            hoverinfo="skip",
        )
    visible = {
        s: g for s, g in groups.items() if not g.get("suppressed") and g["stage"] is not None
    }
    if visible:
        lowest = min(visible, key=lambda s: (visible[s]["stage_score"], s))
        title = (
            _("%(name)s has the lowest stage score of the teams")
            if what == "teams"
            else _("%(name)s has the lowest stage score of the sites")
        ) % {"name": names.get(lowest, lowest)}
    else:
        title = (
            _("No team can be shown without singling someone out")
            if what == "teams"
            else _("No site can be shown without singling someone out")
        )
    return _layout(
        figure,
        title,
        # Room for the dimensions' names under the columns however few the rows.
        height=max(300, 170 + 44 * len(rows) + 14 * sum(len(names.get(s, s)) > 30 for s in rows)),
        # Upright names overlap when they are long (German compounds): always turned.
        xaxis={"side": "bottom", "tickangle": -90},
        plot_bgcolor="#f2f2f2",
        showlegend=True,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )


def _group_label(name: str, group: Mapping[str, Any]) -> str:
    """A heatmap row's name with what its figures rest on (rule 8c)."""
    if group.get("suppressed"):
        return _("%(name)s (%(answered)s: not shown)") % {"name": name, **group}
    if group["n"] < group["answered"]:
        return _("%(name)s (%(n)s of %(answered)s)") % {"name": name, **group}
    return f"{name} (n={group['n']})"


# --- Divergent questions -------------------------------------------------------------------


def distribution_bars(
    question: str, distribution: Mapping[str, Mapping[str, int]], labels: Labels
) -> go.Figure | None:
    """Share of each answer, per function: IT and OT side by side."""
    if not distribution:
        return None
    labels = labels.plain()
    choices = list(labels.choices.get(question, []))
    keys = [key for key, _ in choices]
    for word, text in ((NA, _("N/A")), (DK, _("Don't know"))):
        if any(word in counts for counts in distribution.values()):
            choices.append((word, text))
            keys.append(word)
    functions = list(distribution)
    # IT and OT side by side, even when one of them is not asked the question: said so.
    unasked = [
        f for f in ("it", "ot") if f not in functions and not labels.asks(f, question=question)
    ]
    functions = (functions + unasked)[::-1]  # plotly draws the first one at the bottom
    names = [
        _("%(function)s (not asked)") % {"function": function_name(f)}
        if f in unasked
        else function_name(f)
        for f in functions
    ]
    figure = go.Figure()
    for index, (key, text) in enumerate(choices):
        shares = []
        for function in functions:
            counts = distribution.get(function, {})
            total = sum(counts.values()) or 1
            shares.append(counts.get(key, 0) / total)
        colour = STAGE_COLOURS.get(index, "#999999") if key not in (NA, DK) else "#cccccc"
        figure.add_bar(
            y=names,
            x=shares,
            orientation="h",
            name=text if key in (NA, DK) else f"{key}: {text[:40]}{'…' if len(text) > 40 else ''}",
            marker_color=colour,
            hovertemplate=f"{key}: %{{x:.0%}}<extra></extra>",
        )
    title = _wrap(f"{question}: {labels.questions.get(question, '')}", 50)
    lines = title.count("<br>") + 1  # a long question takes lines above the bars
    return _layout(
        figure,
        title,
        height=130 + 20 * lines + 40 * len(functions) + 22 * len(choices),
        margin={"l": 10, "r": 10, "t": 20 + 22 * lines, "b": 40},
        barmode="stack",
        xaxis={"tickformat": ".0%", "range": [0, 1]},
        legend={"orientation": "h", "y": -0.25, "font": {"size": 10}},
    )


# --- Progress and trend --------------------------------------------------------------------


def progress_bars(
    doc: ScoreDocument,
    baseline_doc: ScoreDocument | None,
    labels: Labels,
    names: Mapping[str, str] | None = None,
) -> go.Figure | None:
    """Each dimension then and now; `names` are the campaigns' names by slug (people read
    names, never slugs)."""
    labels = labels.plain()
    names = {slug: plain(_short(name)) for slug, name in (names or {}).items()}
    progress = doc.get("progress")
    if not progress or baseline_doc is None:
        return None
    deltas = {
        k: delta
        for k in labels.dimensions
        if k in progress["dimensions"] and (delta := progress["dimensions"][k]["delta"]) is not None
    }
    keys = list(deltas)[::-1]
    if not keys:
        return None
    rows = [_wrap(labels.dimension(k)) for k in keys]
    baseline = shown(baseline_doc["overall"])
    before_dims = baseline["dimensions"] if baseline else {}
    before = [before_dims[k]["score"] if k in before_dims else None for k in keys]
    now = [overall(doc)["dimensions"][k]["score"] for k in keys]
    figure = go.Figure()
    then = names.get(progress["baseline"], progress["baseline"])
    figure.add_bar(y=rows, x=before, orientation="h", name=then, marker_color="#bbbbbb")
    figure.add_bar(
        y=rows,
        x=now,
        orientation="h",
        name=names.get(doc["campaign"], doc["campaign"]),
        marker_color=FUNCTION_COLOURS["it"],
    )
    best = max(keys, key=lambda k: deltas[k])
    delta = deltas[best]
    title = (
        _("Most progress since %(baseline)s: %(dimension)s (%(change)s)")
        % {"baseline": then, "dimension": labels.dimension(best), "change": signed(delta)}
        if delta > 0
        else _("No dimension improved since %(baseline)s") % {"baseline": then}
    )
    return _layout(
        figure,
        title,
        height=120 + 56 * len(keys),
        barmode="group",
        xaxis={"range": [0, 3], "tickvals": [0, 1, 2, 3], "gridcolor": "#e5e5e5"},
    )


@dataclass(frozen=True)
class TrendPoint:
    campaign: str
    label: str  # e.g. a date
    stage: int | None
    stage_score: float | None


def trend_line(points: Sequence[TrendPoint], title_subject: str = "") -> go.Figure | None:
    points = [p for p in points if p.stage_score is not None]
    if len(points) < 2:
        return None
    figure = go.Figure()
    figure.add_scatter(
        x=[_wrap(plain(p.label), 26) for p in points],
        y=[p.stage_score for p in points],
        mode="lines+markers+text",
        text=[_("Stage %(stage)s") % {"stage": p.stage} for p in points],
        textposition="top center",
        marker={
            "size": 12,
            "color": [stage_colour(p.stage) for p in points],
            "line": {"color": "#333333", "width": 1},
        },
        line={"color": "#555555"},
        customdata=[[plain(p.label), places(p.stage_score or 0)] for p in points],
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
    )
    change = (points[-1].stage_score or 0) - (points[0].stage_score or 0)
    title = (
        _("Stage score up %(change)s over %(count)s campaigns%(subject)s")
        if change >= 0
        else _("Stage score down %(change)s over %(count)s campaigns%(subject)s")
    ) % {"change": places(abs(change)), "count": len(points), "subject": plain(title_subject)}
    return _layout(
        figure,
        title,
        height=360,
        showlegend=False,
        yaxis={
            "range": [0, 3.2],
            "tickvals": [0, 1, 2, 3],
            "title": _("Stage score"),
            "gridcolor": "#e5e5e5",
        },
    )


# --- Roadmap: impact against effort ----------------------------------------------------------

HORIZON_COLOURS = {3: "#1f3a5f", 12: "#0072B2", 24: "#999999"}  # soonest darkest
HORIZON_SYMBOLS = {3: "circle", 12: "square", 24: "diamond"}
_SPREAD = [(0, 0), (-0.18, 0.14), (0.18, -0.14), (0.18, 0.14), (-0.18, -0.14), (0, 0.22)]


def impact_effort(rows: Sequence[Mapping[str, Any]]) -> go.Figure | None:
    """The roadmap's initiatives on an impact/effort matrix (1-3 each), numbered as the
    roadmap's table; several in one cell are spread around it, never on top of each other."""
    if not rows:
        return None
    figure = go.Figure()
    seen: dict[tuple[int, int], int] = {}
    by_horizon: dict[int, list[tuple[float, float, Mapping[str, Any]]]] = {}
    for row in rows:
        initiative = row["initiative"]
        cell = (initiative.effort, initiative.impact)
        dx, dy = _SPREAD[seen.get(cell, 0) % len(_SPREAD)]
        seen[cell] = seen.get(cell, 0) + 1
        by_horizon.setdefault(initiative.horizon, []).append(
            (initiative.effort + dx, initiative.impact + dy, row)
        )
    for horizon in sorted(by_horizon):
        points = by_horizon[horizon]
        figure.add_scatter(
            x=[x for x, _y, _row in points],
            y=[y for _x, y, _row in points],
            mode="markers+text",
            name=plain(points[0][2]["horizon"]),
            text=[str(row["number"]) for _x, _y, row in points],
            textfont={"color": "white", "size": 12},
            marker={
                "size": 26,
                "color": HORIZON_COLOURS[horizon],
                "symbol": HORIZON_SYMBOLS[horizon],
                "line": {"color": "white", "width": 1},
            },
            customdata=[[plain(row["title"]), plain(row["owner"])] for _x, _y, row in points],
            hovertemplate="%{text}. %{customdata[0]} (%{customdata[1]})<extra></extra>",
        )
    quick = sum(1 for row in rows if row["initiative"].impact > row["initiative"].effort)
    title = (
        _("%(quick)s of %(count)s initiatives promise more impact than effort")
        % {"quick": quick, "count": len(rows)}
        if quick
        else _("No initiative promises more impact than effort")
    )
    levels = [_("low"), _("medium"), _("high")]
    axis = {
        "range": [0.5, 3.5],
        "tickvals": [1, 2, 3],
        "ticktext": levels,
        "gridcolor": "#e5e5e5",
        "zeroline": False,
    }
    # The quick wins' cells (more impact than effort), shaded: low effort for medium or high
    # impact, medium effort for high impact.
    for x0, y0 in ((0.5, 1.5), (1.5, 2.5)):
        figure.add_shape(
            type="rect",
            x0=x0,
            x1=x0 + 1,
            y0=y0,
            y1=3.5,
            fillcolor="#e8f4ee",
            line_width=0,
            layer="below",
        )
    figure.add_annotation(
        x=0.55,
        y=3.45,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        text=_("Quick wins"),
        font={"color": "#00795A", "size": 12},
    )
    return _layout(
        figure,
        title,
        height=460,
        xaxis={**axis, "title": {"text": _("Effort")}},
        yaxis={**axis, "title": {"text": _("Impact")}},
        legend={"orientation": "h", "y": -0.2, "title": {"text": _("Horizon")}},
    )
