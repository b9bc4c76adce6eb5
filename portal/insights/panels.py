"""Dashboard panels: a title that says what it shows, a figure, and the same numbers as a table
(for people who cannot or would rather not read a chart, and for CSV export)."""

from collections.abc import Callable
from dataclasses import dataclass, field

import plotly.graph_objects as go

from portal.insights import charts, metrics
from portal.insights.filters import InsightsFilters


@dataclass
class Panel:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list]
    figure: go.Figure | None = None
    empty: str = "Nothing happened in this period."
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def activity_panel(filters: InsightsFilters) -> Panel:
    by = "week" if filters.days > 62 else "day"
    series = metrics.activity_over_time(filters, by=by)
    rows = [
        [bucket.isoformat(), *(line.y[i] for line in series)]
        for i, bucket in enumerate(series[0].x if series else [])
    ]
    has_activity = any(any(line.y) for line in series)
    return Panel(
        key="activity",
        title=f"Activity per {by}: questions, answers, ideas and idea votes",
        description="What the community did, counted from the activity log.",
        columns=[by.capitalize() + " starting", *(line.label for line in series)],
        rows=rows if has_activity else [],
        figure=charts.activity_figure(series) if has_activity else None,
        empty="No questions, answers, ideas or votes in this period. Try a longer period.",
    )


def search_gaps_panel(filters: InsightsFilters) -> Panel:
    gaps = metrics.search_gaps(filters, max_results=0)
    return Panel(
        key="search-gaps",
        title="Searches that found nothing",
        description="The most frequent searches with no results: content to write, or "
        "features people expect. Trend compares with the previous period.",
        columns=["Search", "Searches", "Previous period", "Trend", "Last searched"],
        rows=[[g.query, g.searches, g.previous_searches, g.trend, g.last_searched] for g in gaps],
        figure=charts.search_gaps_figure(gaps) if gaps else None,
        empty="Every search in this period found something.",
        notes=["Searches are not tied to a product area; the plan filter applies."],
    )


def few_results_panel(filters: InsightsFilters) -> Panel:
    gaps = [
        g for g in metrics.search_gaps(filters, max_results=metrics.FEW_RESULTS) if g.results > 0
    ]
    return Panel(
        key="search-few-results",
        title=f"Searches that found little (1 to {metrics.FEW_RESULTS} results)",
        description="Frequent searches with only a result or two: likely thin coverage.",
        columns=["Search", "Searches", "Previous period", "Trend", "Most results"],
        rows=[[g.query, g.searches, g.previous_searches, g.trend, g.results] for g in gaps],
        empty="No frequent searches with only a few results in this period.",
    )


PANELS: dict[str, Callable[[InsightsFilters], Panel]] = {
    "activity": activity_panel,
    "search-gaps": search_gaps_panel,
    "search-few-results": few_results_panel,
}
