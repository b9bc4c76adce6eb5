"""Figure builders: plain data in, a plotly Figure out. No queries here."""

import plotly.graph_objects as go

from portal.insights.metrics import SearchGap, Series

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]


def _layout(figure: go.Figure, *, height: int = 320, y_title: str | None = None) -> go.Figure:
    figure.update_layout(
        height=height,
        margin={"l": 48, "r": 16, "t": 16, "b": 40},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        legend={"orientation": "h", "y": -0.2},
        colorway=PALETTE,
        hovermode="x unified",
    )
    figure.update_xaxes(showgrid=False)
    figure.update_yaxes(gridcolor="rgba(128,128,128,0.25)", rangemode="tozero", title=y_title)
    return figure


def _count_axis(max_value: int) -> dict:
    """Counts are whole numbers: no 0.5 ticks on small charts."""
    return {"tickformat": ",d", "dtick": 1} if max_value <= 8 else {"tickformat": ",d"}


def activity_figure(series: list[Series]) -> go.Figure:
    figure = go.Figure()
    for line in series:
        figure.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in line.x],
                y=line.y,
                name=line.label,
                mode="lines+markers",
                line={"width": 2},
                marker={"size": 4},
            )
        )
    figure = _layout(figure, y_title="count")
    figure.update_yaxes(**_count_axis(max((max(s.y, default=0) for s in series), default=0)))
    return figure


def search_gaps_figure(gaps: list[SearchGap]) -> go.Figure:
    ordered = list(reversed(gaps))
    figure = go.Figure(
        go.Bar(
            x=[gap.searches for gap in ordered],
            y=[gap.query for gap in ordered],
            orientation="h",
            marker={"color": PALETTE[5]},
            hovertemplate="%{y}: %{x} searches<extra></extra>",
        )
    )
    figure = _layout(figure, height=max(220, 28 * len(gaps) + 60))
    figure.update_layout(hovermode="closest")
    figure.update_yaxes(automargin=True, gridcolor="rgba(0,0,0,0)")
    figure.update_xaxes(title="searches", **_count_axis(max((g.searches for g in gaps), default=0)))
    return figure
