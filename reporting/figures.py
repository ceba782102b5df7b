"""Plotly figures for the dashboards: pure functions, DataFrame in, figure out. No Django here.

Status is never shown by colour alone: every status trace also carries its name as text and a
fill pattern. Every figure has a title and axis titles with units. Labels come in as arguments so
the caller can translate them; so do units and the axis titles carrying them (trackers.names.label_with_unit
writes '营业收入（亿元）' or 'Revenue (100 million yuan)').

A figure is Plotly's figure as plain data, {"data": [traces], "layout": {...}}, which Plotly.js
draws as it is. Building plotly.graph_objects instead validates every property as it is set: 40-130
ms of a page's CPU for a chart of a few dozen bars. The tests pass every figure through
plotly.graph_objects.Figure, which validates it strictly, so an invalid property still fails there.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.io

from kpis.core import vocabulary
from kpis.core.missing import is_missing
from reporting.formatting import amount, with_unit

STATUS_ORDER = list(vocabulary.STATUSES)
STATUS_COLOURS = {
    "achieved": "#1a7f37", "on_track": "#0969da", "at_risk": "#bf8700",
    "off_track": "#cf222e", "overdue": "#82071e", "no_data": "#8c959f",
}
STATUS_PATTERNS = {"achieved": "", "on_track": "/", "at_risk": "x", "off_track": "-", "overdue": "+", "no_data": "."}
MILESTONE_SYMBOLS = {"done": "circle", "done_late": "circle-open", "pending": "diamond-open", "overdue": "x",
                     "unknown": "square-open"}
MILESTONE_COLOURS = {"done": "#1a7f37", "done_late": "#bf8700", "pending": "#0969da", "overdue": "#cf222e",
                     "unknown": "#8c959f"}


Figure = dict[str, Any]


def _figure(title: str, axis_titles: tuple[str, str], **layout) -> Figure:
    x_title, y_title = axis_titles
    return {"data": [], "layout": {"title": {"text": title}, "xaxis": {"title": {"text": x_title}},
                                   "yaxis": {"title": {"text": y_title}}, **layout}}


def _bar(**trace) -> dict:
    return {"type": "bar", **trace}


def _scatter(**trace) -> dict:
    return {"type": "scatter", **trace}


def figure_json(figure: Figure) -> str:
    """The figure as the JSON Plotly.js takes (numbers, NaN, dates and numpy values encoded as
    Plotly encodes them)."""
    return plotly.io.to_json(figure, validate=False)


def status_counts_figure(table: pd.DataFrame, labels: dict, title: str, axis: dict) -> Figure:
    """Stacked bars: per plan, how many targets are in each status. table: plan, status, targets
    (the counts, as reporting.selectors.status_counts gives them)."""
    counts = table.pivot_table(index="plan", columns="status", values="targets", aggfunc="sum", fill_value=0)
    counts = counts.reindex(columns=STATUS_ORDER, fill_value=0)
    figure = _figure(title, (axis["x"], axis["y"]), barmode="stack", legend={"title": {"text": axis.get("legend", "")}})
    for status in STATUS_ORDER:
        values = [int(v) for v in counts.get(status, [])]
        figure["data"].append(_bar(
            name=labels[status], y=list(counts.index), x=values, orientation="h",
            marker={"color": STATUS_COLOURS[status], "pattern": {"shape": STATUS_PATTERNS[status]}},
            text=[f"{labels[status]} {v}" if v else "" for v in values], textposition="inside",
            meta=status,
        ))
    return _readable(figure, 160 + 48 * max(len(counts), 1))


def progress_bars_figure(table: pd.DataFrame, labels: dict, title: str, axis: dict) -> Figure:
    """Per target: progress (%) against the trajectory expected by now, coloured and labelled by
    status. table: label, status, progress, expected (fractions)."""
    # Room right of the longest bar for its label ("进度滞后 135%"), which would otherwise be cut off.
    longest = max([p for p in (_percent(v) for v in table["progress"]) if p is not None] + [100])
    figure = _figure(title, (axis["x"], axis.get("y", "")), barmode="overlay")
    figure["layout"]["xaxis"]["range"] = [0, longest * 1.3]
    for status in STATUS_ORDER:
        part = table[table["status"] == status]
        if part.empty:
            continue
        percent = [_percent(v) for v in part["progress"]]
        figure["data"].append(_bar(
            name=labels[status], y=list(part["label"]), x=percent, orientation="h",
            marker={"color": STATUS_COLOURS[status], "pattern": {"shape": STATUS_PATTERNS[status]}},
            text=[f"{labels[status]} {p:.0f}%" if p is not None else labels[status] for p in percent],
            textposition="outside", cliponaxis=False, meta=status,
        ))
    if "expected" in table and table["expected"].notna().any():
        figure["data"].append(_scatter(
            name=axis.get("expected", "expected"), y=list(table["label"]), x=[_percent(v) for v in table["expected"]],
            mode="markers", marker={"symbol": "line-ns-open", "size": 18, "color": "#24292f", "line": {"width": 3}},
        ))
    # 100 %: a dashed line across the whole plot height, as Plotly's add_vline draws it.
    figure["layout"]["shapes"] = [{"type": "line", "x0": 100, "x1": 100, "xref": "x", "y0": 0, "y1": 1,
                                   "yref": "y domain", "line": {"dash": "dash", "color": "#57606a"}}]
    return _readable(figure, 180 + 34 * max(len(table), 1))


def target_series_figure(series: pd.DataFrame, target: dict, labels: dict) -> Figure:
    """One target over time: the counted figures, the trajectory from the anchor to the target,
    the target band (range or tolerance), the projection to the target year and the baseline.
    For a cumulative target the line is the running total and the yearly additions are bars.

    series: year, value (as counted), reported (as reported). target: unit, target_year, value,
    low, high, baseline_year, baseline_value, trajectory [(year, value)], projection
    ((year, value), (year, value)) or None, cumulative, shown [(year, value, text)]: published
    figures that do not count, drawn apart. series may carry kind and publisher for the hover.
    Every number comes from the core."""
    unit = target["unit"]
    figure = _figure(labels["title"], (labels["x"], labels["y"]), barmode="overlay")
    figure["layout"]["xaxis"]["dtick"] = 1
    traces = figure["data"]
    years = [year for year, _value in target.get("trajectory") or []] or [target["start_year"], target["target_year"]]
    if target.get("low") is not None and target.get("high") is not None:
        first, last = min(years), target["target_year"]
        traces.append(_scatter(
            name=labels["band"], x=[first, last, last, first], y=[target["low"], target["low"], target["high"], target["high"]],
            fill="toself", mode="lines", line={"width": 0}, fillcolor="rgba(9,105,218,0.12)", hoverinfo="skip",
        ))
    if target.get("cumulative") and not series.empty:
        traces.append(_bar(name=labels["additions"], x=list(series["year"]), y=list(series["reported"]),
                           marker={"color": "#9ec5fe", "pattern": {"shape": "/"}},
                           text=[_number(v) for v in series["reported"]], textposition="outside", cliponaxis=False,
                           meta="additions"))
    if target.get("trajectory"):
        path_years, path_values = zip(*target["trajectory"])
        traces.append(_scatter(name=labels["trajectory"], x=list(path_years), y=list(path_values), mode="lines",
                               line={"dash": "dash", "color": "#57606a"}, meta="trajectory"))
    if target.get("value") is not None:
        traces.append(_scatter(name=labels["target"], x=[target["target_year"]], y=[target["value"]],
                               mode="markers+text", marker={"symbol": "star", "size": 16, "color": "#82071e"},
                               text=[f"{labels['target']} {with_unit(_number(target['value']), unit)}"],
                               textposition="top center"))
    if target.get("baseline_value") is not None:
        traces.append(_scatter(name=labels["baseline"], x=[target["baseline_year"]], y=[target["baseline_value"]],
                               mode="markers", marker={"symbol": "square", "size": 11, "color": "#6e7781"}))
    if not series.empty:
        # The hover names each point's kind of figure (submitted, published, demo) and its source.
        kinds = list(series["kind"]) if "kind" in series else [""] * len(series)
        sources = list(series["publisher"]) if "publisher" in series else [""] * len(series)
        traces.append(_scatter(name=labels["actual"], x=list(series["year"]), y=list(series["value"]),
                               mode="lines+markers+text", text=[_number(v) for v in series["value"]],
                               textposition="bottom right", line={"color": "#0969da", "width": 3}, meta="actual",
                               customdata=[[kind, source] for kind, source in zip(kinds, sources)],
                               hovertemplate=f"%{{x}}: {with_unit('%{y}', unit)}<br>{labels.get('kind', '')}: %{{customdata[0]}}"
                                             "<br>%{customdata[1]}<extra></extra>"))
    if target.get("shown"):
        shown_years, values, texts = zip(*target["shown"])
        traces.append(_scatter(name=labels["shown"], x=list(shown_years), y=list(values), mode="markers",
                               marker={"symbol": "x-open", "size": 12, "color": "#9a6700"}, meta="shown",
                               text=list(texts), hovertemplate=f"%{{x}}: %{{text}}<br>{labels['shown']}<extra></extra>"))
    if target.get("projection"):
        (start_year, start_value), (end_year, end_value) = target["projection"]
        traces.append(_scatter(name=labels["projection"], x=[start_year, end_year], y=[start_value, end_value],
                               mode="lines+markers", line={"dash": "dot", "color": "#8250df"}, meta="projection"))
    for trace in traces:
        if trace["type"] == "scatter":
            trace["cliponaxis"] = False  # the target's and the values' labels
    return _readable(figure, 460)


def milestone_timeline_figure(milestones: pd.DataFrame, labels: dict, title: str, axis: dict) -> Figure:
    """Deadlines on a time line; overdue ones stand out by colour, symbol and name.
    milestones: title, deadline, state."""
    deadlines = pd.to_datetime(milestones["deadline"])
    padding = pd.Timedelta(days=120)  # a lone deadline would otherwise zoom to milliseconds
    figure = _figure(title, (axis["x"], axis.get("y", "")))
    figure["layout"]["xaxis"].update({"type": "date", "range": [deadlines.min() - padding, deadlines.max() + padding]})
    for state, part in milestones.groupby("state", sort=False):
        figure["data"].append(_scatter(
            name=labels.get(state, state), x=list(pd.to_datetime(part["deadline"])), y=list(part["title"]),
            mode="markers", marker={"symbol": MILESTONE_SYMBOLS.get(state, "circle"), "size": 14,
                                    "color": MILESTONE_COLOURS.get(state, "#57606a"), "line": {"width": 2}},
            text=[labels.get(state, state)] * len(part), hovertemplate="%{y}<br>%{x|%Y-%m-%d}<br>%{text}<extra></extra>",
            meta=state,
        ))
    return _readable(figure, 180 + 32 * max(len(milestones), 1))


def region_comparison_figure(table: pd.DataFrame, labels: dict, title: str, axis: dict) -> Figure:
    """The same indicator across regions and plans: target and latest value side by side.
    table: label, target_value, latest_value, status; axis["y"] names the indicator with its unit."""
    figure = _figure(title, (axis["x"], axis["y"]), barmode="group")
    figure["data"].append(_bar(name=labels["target"], x=list(table["label"]), y=list(table["target_value"]),
                               marker={"color": "#d0d7de", "pattern": {"shape": "/"}},
                               text=[_number(v) for v in table["target_value"]], textposition="outside",
                               cliponaxis=False))
    figure["data"].append(_bar(
        name=labels["latest"], x=list(table["label"]), y=list(table["latest_value"]),
        marker={"color": [STATUS_COLOURS.get(s, "#8c959f") for s in table["status"]],
                "pattern": {"shape": [STATUS_PATTERNS.get(s, "") for s in table["status"]]}},
        text=[f"{_number(v)} · {labels['statuses'].get(s, s)}" for v, s in zip(table["latest_value"], table["status"])],
        textposition="outside", cliponaxis=False,
    ))
    return _readable(figure, 460)


def completeness_figure(table: pd.DataFrame, labels: dict, title: str, axis: dict) -> Figure:
    """Per department: figures approved, submitted awaiting review, missing and overdue.
    table: department, owed, submitted, approved, overdue."""
    pending = table["submitted"] - table["approved"]
    missing = table["owed"] - table["submitted"] - table["overdue"]
    parts = [("approved", table["approved"], "#1a7f37", ""), ("submitted", pending, "#0969da", "/"),
             ("missing", missing, "#8c959f", "."), ("overdue", table["overdue"], "#cf222e", "x")]
    figure = _figure(title, (axis["x"], axis.get("y", "")), barmode="stack")
    for key, values, colour, pattern in parts:
        values = [int(v) for v in values]
        figure["data"].append(_bar(name=labels[key], y=list(table["department"]), x=values, orientation="h",
                                   marker={"color": colour, "pattern": {"shape": pattern}},
                                   text=[f"{labels[key]} {v}" if v else "" for v in values], textposition="inside",
                                   meta=key))
    return _readable(figure, 180 + 36 * max(len(table), 1))


def _readable(figure: Figure, height: int) -> Figure:
    """Layout every chart shares so that it reads at any width: it fills its box (no fixed width;
    static/js/dashboards.js draws it responsive and narrows it further on a phone), margins grow
    to fit the axis labels and the title, the legend sits in a row above the plot rather than
    beside it, and a bar label too small to read is hidden rather than shrunk (status also shows
    as pattern and legend)."""
    layout = figure["layout"]
    layout.update(
        autosize=True, height=max(height, 280),
        margin={"l": 8, "r": 24, "t": 96, "b": 8, "pad": 4},
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    layout["title"].update({"x": 0, "xanchor": "left", "xref": "container", "automargin": True, "font": {"size": 16}})
    layout["legend"] = {**layout.get("legend", {}),
                        "orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
    layout["xaxis"]["automargin"] = True
    layout["yaxis"]["automargin"] = True
    return figure


def _percent(value) -> float | None:
    """A fraction as a percentage for a chart axis (a number, not text); missing stays None."""
    return None if is_missing(value) else round(float(value) * 100, 1)


def _number(value) -> str:
    """A data label: whole numbers from 100 up, else at most two decimals (reporting.formatting)."""
    return amount(value, places=0 if not is_missing(value) and abs(float(value)) >= 100 else 2)
