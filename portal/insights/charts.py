"""Figure builders: plain data in, a plotly figure out. No queries here.

A figure is plotly's own JSON shape, `{"data": [...], "layout": {...}}`, as plain dicts that
the page embeds and plotly.js draws. Plotly's Python classes are not used while serving
(validating and serialising a dozen figures through them cost about 200 ms per dashboard);
the tests turn `VALIDATE` on, which passes every figure through `plotly.graph_objects.Figure`,
so a wrong property still fails there."""

from portal.insights.metrics import AreaHealth, SearchGap, Series

Figure = dict  # {"data": [trace, ...], "layout": {...}}

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
VALIDATE = False  # tests turn it on
# Legend text this size makes each entry (a toggle: click hides the series) 24 px tall or more.
LEGEND = {
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "y": 1.02,
    "yanchor": "bottom",
    "font": {"size": 17},
}


def _figure(
    traces: list[dict],
    *,
    height: int = 320,
    hovermode: str = "x unified",
    xaxis: dict | None = None,
    yaxis: dict | None = None,
    **layout,
) -> Figure:
    figure = {
        "data": traces,
        "layout": {
            "height": height,
            "margin": {"l": 48, "r": 16, "t": 16, "b": 40},
            "font": {
                "family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
                "size": 13,
            },
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            # Above the plot: below it, the legend ran into the x-axis title ("hours").
            "legend": LEGEND,
            "colorway": PALETTE,
            "hovermode": hovermode,
            "xaxis": {"showgrid": False, **(xaxis or {})},
            "yaxis": {
                "gridcolor": "rgba(128,128,128,0.25)",
                "rangemode": "tozero",
                **(yaxis or {}),
            },
            **layout,
        },
    }
    if VALIDATE:
        import plotly.graph_objects as go  # only tests validate: plotly is slow to import

        go.Figure(figure)  # raises on an unknown property or a bad value
    return figure


def _title(text: str | None) -> dict:
    return {"title": {"text": text}} if text else {}


def _count_axis(max_value: int) -> dict:
    """Counts are whole numbers: no 0.5 ticks on small charts."""
    return {"tickformat": ",d", "dtick": 1} if max_value <= 8 else {"tickformat": ",d"}


def activity_figure(series: list[Series]) -> Figure:
    traces = [
        {
            "type": "scatter",
            "x": [d.isoformat() for d in line.x],
            "y": line.y,
            "name": line.label,
            "mode": "lines+markers",
            "line": {"width": 2},
            "marker": {"size": 4},
        }
        for line in series
    ]
    top = max((max(s.y, default=0) for s in series), default=0)
    return _figure(traces, yaxis={**_title("count"), **_count_axis(top)})


def search_gaps_figure(gaps: list[SearchGap]) -> Figure:
    ordered = list(reversed(gaps))
    trace = {
        "type": "bar",
        "x": [gap.searches for gap in ordered],
        "y": [gap.query for gap in ordered],
        "orientation": "h",
        "marker": {"color": PALETTE[5]},
        "hovertemplate": "%{y}: %{x} searches<extra></extra>",
    }
    return _figure(
        [trace],
        height=max(220, 28 * len(gaps) + 60),
        hovermode="closest",
        yaxis={"automargin": True, "gridcolor": "rgba(0,0,0,0)"},
        xaxis={**_title("searches"), **_count_axis(max((g.searches for g in gaps), default=0))},
    )


def bar_figure(
    labels: list[str], values: list[float], *, axis_title: str, colour: str = PALETTE[0]
) -> Figure:
    """Horizontal bars, largest at the top (labels can be long: idea titles, areas)."""
    trace = {
        "type": "bar",
        "x": list(reversed(values)),
        "y": [_short(label) for label in reversed(labels)],
        "orientation": "h",
        "marker": {"color": colour},
        "hovertemplate": "%{y}: %{x}<extra></extra>",
    }
    xaxis = _title(axis_title)
    if all(float(v).is_integer() for v in values):
        xaxis.update(_count_axis(int(max(values, default=0))))
    return _figure(
        [trace],
        height=max(220, 28 * len(labels) + 60),
        hovermode="closest",
        yaxis={"automargin": True, "gridcolor": "rgba(0,0,0,0)"},
        xaxis=xaxis,
    )


def _short(label: str, length: int = 38) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def support_health_figure(rows: list[AreaHealth]) -> Figure:
    """Median hours to the first and to the accepted answer, per product area."""
    areas = [row.area for row in reversed(rows)]
    traces = [
        {
            "type": "bar",
            "x": list(reversed(values)),
            "y": areas,
            "name": name,
            "orientation": "h",
            "marker": {"color": colour},
            "hovertemplate": "%{y}: %{x:.1f} h<extra>" + name + "</extra>",
        }
        for name, values, colour in (
            (
                "To first answer",
                [r.median_first_answer_hours for r in rows],
                PALETTE[0],
            ),
            (
                "To accepted answer",
                [r.median_accepted_hours for r in rows],
                PALETTE[1],
            ),
        )
    ]
    return _figure(
        traces,
        height=max(240, 44 * len(rows) + 90),
        hovermode="closest",
        barmode="group",
        yaxis={"automargin": True, "gridcolor": "rgba(0,0,0,0)"},
        xaxis=_title("median hours"),  # legend entries are short: a phone shows them whole
    )


def funnel_figure(stages: list[tuple[str, int]]) -> Figure:
    trace = {
        "type": "funnel",
        "y": [label for label, _ in stages],
        "x": [count for _, count in stages],
        "marker": {"color": PALETTE[2]},
        "textinfo": "value",
        "hovertemplate": "%{y}: %{x}<extra></extra>",
    }
    return _figure([trace], height=300, hovermode="closest", yaxis={"automargin": True})


def share_figure(labels: list[str], values: list[int]) -> Figure:
    trace = {
        "type": "pie",
        "labels": labels,
        "values": values,
        "hole": 0.55,
        "sort": False,
        "marker": {"colors": [PALETTE[0], PALETTE[1]]},
        "hovertemplate": "%{label}: %{value} answers (%{percent})<extra></extra>",
    }
    return _figure([trace], height=260, hovermode="closest")
