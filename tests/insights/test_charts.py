"""Every figure builder gives a figure plotly accepts (validated, unlike in production)."""

from datetime import date

import plotly.graph_objects as go

from portal.insights import charts
from portal.insights.metrics import AreaHealth, SearchGap, Series


def test_every_builder_makes_a_valid_figure():
    figures = [
        charts.activity_figure([Series("Questions", [date(2026, 3, 1), date(2026, 3, 2)], [1, 3])]),
        charts.search_gaps_figure([SearchGap("dark mode", 3, 1, 0, None)]),
        charts.bar_figure(["A very long idea title " * 3, "Short"], [5, 2], axis_title="votes"),
        charts.bar_figure(["Pro"], [2.5], axis_title="demand score", colour=charts.PALETTE[5]),
        charts.support_health_figure([AreaHealth("Billing", "billing", 3, 1, 1, 3.0, None)]),
        charts.funnel_figure([("New", 3), ("Shipped", 1)]),
        charts.share_figure(["Team", "Community"], [2, 5]),
    ]
    for figure in figures:
        rebuilt = go.Figure(figure)  # validates every property
        assert rebuilt.to_dict()["data"] == figure["data"]
    assert figures[2]["layout"]["xaxis"]["dtick"] == 1  # small counts: whole-number ticks
    assert figures[2]["data"][0]["y"][0] == "Short"  # largest at the top
    assert "dtick" not in figures[3]["layout"]["xaxis"]  # a score is not a count


def test_legends_sit_above_the_plot_clear_of_the_axis_title():
    """Below the plot, the support health legend ran into its x-axis title ("hours")."""
    health = charts.support_health_figure([AreaHealth("Billing", "billing", 3, 1, 1, 3.0, 5.0)])
    activity = charts.activity_figure([Series("Questions", [date(2026, 3, 1)], [1])])
    for figure in (health, activity):
        legend = figure["layout"]["legend"]
        assert legend["y"] >= 1 and legend["yanchor"] == "bottom"
    assert health["layout"]["xaxis"]["title"]["text"] == "median hours"
