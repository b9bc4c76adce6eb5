"""Figure builders: plain data in, a plotly Figure out. No queries here."""

import plotly.graph_objects as go

from portal.insights.metrics import AreaHealth, SearchGap, Series

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


def bar_figure(
    labels: list[str], values: list[float], *, axis_title: str, colour: str = PALETTE[0]
) -> go.Figure:
    """Horizontal bars, largest at the top (labels can be long: idea titles, areas)."""
    figure = go.Figure(
        go.Bar(
            x=list(reversed(values)),
            y=[_short(label) for label in reversed(labels)],
            orientation="h",
            marker={"color": colour},
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    figure = _layout(figure, height=max(220, 28 * len(labels) + 60))
    figure.update_layout(hovermode="closest")
    figure.update_yaxes(automargin=True, gridcolor="rgba(0,0,0,0)")
    figure.update_xaxes(title=axis_title)
    if all(float(v).is_integer() for v in values):
        figure.update_xaxes(**_count_axis(int(max(values, default=0))))
    return figure


def _short(label: str, length: int = 38) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def support_health_figure(rows: list[AreaHealth]) -> go.Figure:
    """Median hours to the first and to the accepted answer, per product area."""
    areas = [row.area for row in reversed(rows)]
    figure = go.Figure()
    for name, values, colour in (
        ("Median hours to first answer", [r.median_first_answer_hours for r in rows], PALETTE[0]),
        ("Median hours to accepted answer", [r.median_accepted_hours for r in rows], PALETTE[1]),
    ):
        figure.add_trace(
            go.Bar(
                x=list(reversed(values)),
                y=areas,
                name=name,
                orientation="h",
                marker={"color": colour},
                hovertemplate="%{y}: %{x:.1f} h<extra>" + name + "</extra>",
            )
        )
    figure = _layout(figure, height=max(240, 44 * len(rows) + 90))
    figure.update_layout(hovermode="closest", barmode="group")
    figure.update_yaxes(automargin=True, gridcolor="rgba(0,0,0,0)")
    figure.update_xaxes(title="hours")
    return figure


def funnel_figure(stages: list[tuple[str, int]]) -> go.Figure:
    figure = go.Figure(
        go.Funnel(
            y=[label for label, _ in stages],
            x=[count for _, count in stages],
            marker={"color": PALETTE[2]},
            textinfo="value",
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    figure = _layout(figure, height=300)
    figure.update_layout(hovermode="closest")
    figure.update_yaxes(automargin=True)
    return figure


def share_figure(labels: list[str], values: list[int]) -> go.Figure:
    figure = go.Figure(
        go.Pie(
            labels=labels,
            values=values,
            hole=0.55,
            sort=False,
            marker={"colors": [PALETTE[0], PALETTE[1]]},
            hovertemplate="%{label}: %{value} answers (%{percent})<extra></extra>",
        )
    )
    figure = _layout(figure, height=260)
    figure.update_layout(hovermode="closest")
    return figure
