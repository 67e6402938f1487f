"""charts.py builds figures from score documents alone: no database."""

from __future__ import annotations

from assessments.outputs import charts
from assessments.scoring import ScoreInput, Settings, score, tally
from tests.test_scoring import BANK, RESPONSES

LABELS = charts.Labels(
    dimensions={"A": "Collaboration", "B": "Scaling", "E": "Infrastructure"},
    lenses={"A": "stage", "B": "stage", "E": "enabler"},
    stages={0: "Silos", 1: "Projects", 2: "Central team", 3: "Converged"},
    questions={"A1": "Who works on it?"},
    choices={"A1": [("0", "Nobody"), ("1", "Some"), ("2", "Most"), ("3", "All")]},
    teams={"t-it": "IT team", "t-ot": "OT team", "t-biz": "Business team"},
)


def doc(min_group_size: int = 1):
    return score(
        ScoreInput(
            "c",
            BANK,
            Settings(min_group_size=min_group_size, targets={"A": 3}, gap_threshold=1.25),
            tally(RESPONSES, BANK),
            ("t-it", "t-ot", "t-biz"),
            ("s1", "s2"),
        )
    )


def test_dimension_bars_use_the_stage_colours_and_state_the_finding():
    figure = charts.dimension_bars(doc(), LABELS)
    bars = figure.data[0]
    assert list(bars.x) == [1.6, 1.425, 1.525]  # bottom to top: E, B, A
    assert list(bars.marker.color) == [
        charts.STAGE_COLOURS[2],
        charts.STAGE_COLOURS[1],
        charts.STAGE_COLOURS[2],
    ]
    assert figure.layout.title.text == "65% of the way to the targets"
    assert list(figure.data[1].x) == [2, 2, 3]  # the targets
    # ± 2 standard errors (rule 2b): E 0.6, B 0.224, A 0.302
    assert list(bars.error_x.array) == [1.2, 0.448, 0.604]


def test_radar_overlays_it_and_ot_and_leaves_out_suppressed_groups():
    figure = charts.radar(doc(), LABELS)
    assert [trace.name for trace in figure.data] == ["Everyone", "IT", "OT"]
    assert figure.layout.title.text == "How IT and OT see each dimension"
    hidden = charts.radar(doc(min_group_size=3), LABELS)
    assert [trace.name for trace in hidden.data] == ["Everyone"]


def test_gap_title_names_the_largest_gap():
    figure = charts.gap_bars(doc(), LABELS)
    assert figure.layout.title.text == "IT rates Infrastructure 2.5 stages higher than OT"
    # Bottom to top E, B, A: each gap with ± 2 se; only flagged gaps are marked
    assert list(figure.data[0].text) == ["+2.50 ± 1.00 ⚑", "+0.50 ± 1.12", "+1.25 ± 0.35 ⚑"]
    assert charts.gap_bars(doc(min_group_size=3), LABELS) is None


def test_gap_title_says_when_no_gap_is_a_finding():
    quiet = doc()
    for gap in quiet["perception_gaps"].values():
        gap["flagged"] = False
    figure = charts.gap_bars(quiet, LABELS)
    assert figure.layout.title.text == "No IT/OT gap is larger than its threshold and its noise"


def test_heatmap_shows_no_number_for_a_suppressed_group_and_says_what_figures_rest_on():
    groups = dict(doc()["by_team"])
    groups["t-biz"] = {"n": 0, "answered": 1, "suppressed": True}
    groups["t-ot"] = {**groups["t-ot"], "answered": 3}  # as if one OT person were hidden
    figure = charts.heatmap(groups, LABELS.teams, LABELS, "teams", 2)
    heat = figure.data[0]
    rows = {y: list(text) for y, text in zip(heat.y, heat.text, strict=True)}
    assert rows["Business team (1: not shown)"] == ["\u2013"] * 3  # a dash
    suppressed_z = heat.z[list(heat.y).index("Business team (1: not shown)")]
    assert all(value is None for value in suppressed_z)
    # 2.125 reads 2.13, as in the table beside the chart (formatting.places, half up).
    assert rows["IT team (n=2)"] == ["2.13", "1.75", "3.00"]
    assert "OT team (2 of 3)" in rows
    assert figure.layout.title.text == "OT team has the lowest stage score of the teams"


def test_distribution_bars_show_shares_per_function():
    figure = charts.distribution_bars(
        "A1", {"it": {"3": 1, "2": 1}, "ot": {"1": 1, "0": 1}}, LABELS
    )
    by_choice = {trace.name.split(":")[0]: list(trace.x) for trace in figure.data}
    assert by_choice["3"] == [0.0, 0.5]  # OT (bottom), IT (top)
    assert by_choice["0"] == [0.5, 0.0]
    assert figure.layout.title.text.startswith("A1: Who works on it?")


def test_trend_needs_two_campaigns():
    points = [charts.TrendPoint("a", "2025", 0, 0.4), charts.TrendPoint("b", "2026", 1, 1.1)]
    figure = charts.trend_line(points)
    assert figure.layout.title.text == "Stage score up 0.70 over 2 campaigns"
    assert charts.trend_line(points[:1]) is None


def test_a_charts_title_reads_as_a_sentence_for_screen_readers():
    from assessments.outputs.dashboard import Chart

    figure = charts.distribution_bars(
        "Q-1", {"it": {"0": 3, "1": 2}}, charts.Labels({}, {}, {}, questions={"Q-1": "A " * 40})
    )
    assert "<br>" in figure.layout.title.text
    title = Chart("q", figure).title
    assert "<br>" not in title and "  " not in title and title.startswith("Q-1: A A")


ASKED = charts.Labels(
    dimensions=LABELS.dimensions,
    lenses=LABELS.lenses,
    stages=LABELS.stages,
    questions={"A1": "Who works on it?", "E1": "Is the network separated?"},
    choices=LABELS.choices,
    teams=LABELS.teams,
    # E is asked of IT only; A1 of business and leadership only.
    asked={
        "A1": frozenset({"business", "leadership"}),
        "B1": frozenset({"it", "ot"}),
        "E1": frozenset({"it"}),
    },
    dimension_of={"A1": "A", "B1": "B", "E1": "E"},
    team_functions={"t-it": "it", "t-ot": "ot", "t-biz": "business"},
)


def test_a_cell_a_function_was_not_asked_says_so():
    groups = dict(doc()["by_team"])
    ot = groups["t-ot"]
    groups["t-ot"] = {**ot, "dimensions": {**ot["dimensions"], "E": {"score": None}}}
    it = groups["t-it"]
    groups["t-it"] = {**it, "dimensions": {**it["dimensions"], "B": {"score": None}}}
    heat = charts.heatmap(groups, LABELS.teams, ASKED, "teams", 1).data[0]
    rows = {y.split(" (")[0]: list(text) for y, text in zip(heat.y, heat.text, strict=True)}
    assert rows["OT team"][2] == "not asked"  # nobody in OT is asked about E
    assert rows["IT team"][1] == "\u2013"  # asked, and nobody answered: a dash


def test_distribution_bars_keep_it_and_ot_when_they_were_not_asked():
    figure = charts.distribution_bars("A1", {"business": {"3": 2, "2": 2}}, ASKED)
    assert list(figure.data[0].y) == ["OT (not asked)", "IT (not asked)", "Business"]
    by_choice = {trace.name.split(":")[0]: list(trace.x) for trace in figure.data}
    assert by_choice["3"] == [0.0, 0.0, 0.5]


def test_a_long_name_is_cut_before_it_is_escaped():
    """A heatmap row's name is cut at a word, then escaped: never inside "&amp;"."""
    groups = dict(doc()["by_team"])
    names = {**LABELS.teams, "t-it": "Instandhaltung & Automatisierung & Prozessleittechnik Nord"}
    heat = charts.heatmap(groups, names, LABELS, "teams", 1).data[0]
    label = next(y for y in heat.y if y.startswith("Instandhaltung"))
    assert "&amp;" in label and "&am\u2026" not in label and "\u2026" in label
