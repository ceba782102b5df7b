"""The figure builders are pure: numbers in, the same numbers out, titled, with units, and status
never by colour alone."""
import json

import pandas as pd
import plotly.graph_objects as go

from reporting import figures

LABELS = {s: s.replace("_", " ") for s in figures.STATUS_ORDER}


def drawn(build, *args) -> go.Figure:
    """The figure as plotly.graph_objects reads it: every property validated (an unknown or
    ill-typed one raises), then read back by attribute."""
    return go.Figure(build(*args))


def test_status_counts_draw_the_counts_they_are_given():
    table = pd.DataFrame({"plan": ["A", "A", "B"], "status": ["achieved", "off_track", "no_data"],
                          "targets": [2, 1, 1]})
    figure = drawn(figures.status_counts_figure, table, LABELS, "T", {"x": "Number of targets", "y": "Plan"})
    bars = {trace.meta: dict(zip(trace.y, trace.x)) for trace in figure.data}
    assert bars["achieved"] == {"A": 2, "B": 0} and bars["off_track"] == {"A": 1, "B": 0}
    assert bars["no_data"] == {"A": 0, "B": 1}
    assert figure.layout.title.text == "T" and figure.layout.xaxis.title.text == "Number of targets"
    patterns = {trace.meta: trace.marker.pattern.shape for trace in figure.data}
    assert len(set(patterns.values())) == len(patterns)  # every status has its own pattern
    assert all(text.startswith(LABELS[trace.meta]) for trace in figure.data for text in trace.text if text)


def test_progress_bars_show_percent_and_status_words():
    table = pd.DataFrame({"label": ["营收", "企业"], "status": ["at_risk", "achieved"], "progress": [0.456, 1.2],
                          "expected": [0.6, 0.5]})
    figure = drawn(figures.progress_bars_figure, table, LABELS, "Progress", {"x": "Progress (%)", "expected": "path"})
    by_status = {trace.meta: trace for trace in figure.data if trace.meta}
    assert list(by_status["at_risk"].x) == [45.6] and by_status["at_risk"].text[0] == "at risk 46%"
    assert list(by_status["achieved"].x) == [120.0]
    path = next(trace for trace in figure.data if trace.name == "path")
    assert list(path.x) == [60.0, 50.0]
    assert figure.layout.xaxis.title.text == "Progress (%)"


def test_target_series_carries_actuals_band_trajectory_and_projection():
    series = pd.DataFrame({"year": [2022, 2023], "value": [800.0, 950.0]})
    target = {"unit": "亿元", "value": 1200.0, "low": 1080.0, "high": 1320.0, "target_year": 2025, "start_year": 2021,
              "baseline_year": 2021, "baseline_value": 676.0, "projection": ((2023, 950.0), (2025, 1128.0)),
              "trajectory": [(2021, 676.0), (2023, 900.6), (2025, 1200.0)]}
    labels = {k: k for k in ("title", "x", "y", "band", "trajectory", "target", "baseline", "actual", "projection",
                             "additions")}
    figure = drawn(figures.target_series_figure, series, target, labels)
    traces = {trace.name: trace for trace in figure.data}
    assert list(traces["actual"].y) == [800.0, 950.0]
    assert list(traces["projection"].y) == [950.0, 1128.0]
    assert traces["trajectory"].y[0] == 676.0 and traces["trajectory"].y[-1] == 1200.0
    assert set(traces["band"].y) == {1080.0, 1320.0}
    assert figure.layout.yaxis.title.text == "y"  # the caller titles the axis with its unit (names.label_with_unit)
    assert traces["target"].text[0] == "target 1,200 亿元"  # the unit as given, after its number


def test_a_cumulative_target_draws_its_running_total_as_a_line_and_its_additions_as_bars():
    series = pd.DataFrame({"year": [2021, 2022], "value": [1.0, 3.0], "reported": [1.0, 2.0]})
    target = {"unit": "家", "value": 5.0, "target_year": 2025, "start_year": 2020, "cumulative": True,
              "trajectory": [(2020, 0.0), (2025, 5.0)], "projection": None}
    labels = {k: k for k in ("title", "x", "y", "band", "trajectory", "target", "baseline", "actual", "projection",
                             "additions")}
    traces = {trace.meta: trace for trace in drawn(figures.target_series_figure, series, target, labels).data if trace.meta}
    assert list(traces["actual"].y) == [1.0, 3.0]
    assert traces["additions"].type == "bar" and list(traces["additions"].y) == [1.0, 2.0]
    assert list(traces["trajectory"].y) == [0.0, 5.0]


def test_milestone_timeline_marks_overdue_distinctly():
    milestones = pd.DataFrame({"title": ["网站", "平台"], "deadline": ["2018-12-31", "2020-12-31"],
                               "state": ["overdue", "done"]})
    figure = drawn(figures.milestone_timeline_figure, milestones, {"overdue": "逾期", "done": "完成"}, "M", {"x": "Deadline"})
    overdue = next(trace for trace in figure.data if trace.meta == "overdue")
    assert list(overdue.y) == ["网站"] and overdue.marker.symbol == "x" and overdue.text[0] == "逾期"


def test_completeness_parts_add_up_to_what_is_owed():
    table = pd.DataFrame({"department": ["市发展改革委"], "owed": [10], "submitted": [7], "approved": [5], "overdue": [2]})
    labels = {k: k for k in ("approved", "submitted", "missing", "overdue")}
    figure = drawn(figures.completeness_figure, table, labels, "C", {"x": "n"})
    parts = {trace.meta: trace.x[0] for trace in figure.data}
    assert parts == {"approved": 5, "submitted": 2, "missing": 1, "overdue": 2}
    assert sum(parts.values()) == 10


def test_the_json_a_page_embeds_is_the_figure_plotly_validates():
    table = pd.DataFrame({"label": ["营收"], "status": ["off_track"], "progress": [float("nan")], "expected": [0.4]})
    spec = figures.progress_bars_figure(table, LABELS, "P", {"x": "Progress (%)"})
    embedded = json.loads(figures.figure_json(spec))
    validated = json.loads(go.Figure(spec).to_json())
    validated["layout"].pop("template")  # plotly.py's default look; the page uses Plotly.js's
    assert embedded == validated
    assert embedded["data"][0]["x"] == [None]  # a missing progress is a gap, never "NaN" text
    assert "template" not in embedded["layout"]
