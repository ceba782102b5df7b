"""Progress of plan targets against reported actuals: pure pandas/numpy, no Django.

Entry point: `compute_progress(targets, actuals, as_of, thresholds)`; the method is
described formula by formula in docs/methodology.md. Every step works on whole
columns; nothing loops over targets or figures.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

from kpis.core import vocabulary
from kpis.core.actual_series import plan_window_series, summarise_series
from kpis.core.comparators import comparator_holds, goal_value
from kpis.core.growth import (
    baseline_is_usable,
    compound_growth_rate,
    compound_projection,
    expected_path_value,
    linear_projection,
    path_fraction,
    progress_fraction,
    relative_deviation,
    required_growth_rate,
)
from kpis.core.inputs import ACTUAL_COLUMNS, TARGET_COLUMNS, normalise_actuals, normalise_targets
from kpis.core.milestone_states import MILESTONE_COLUMNS, MILESTONE_STATES, milestone_states
from kpis.core.reasons import explain_status
from kpis.core.recurring import judge_recurring_years
from kpis.core.status_rules import STATUSES, classify_status
from kpis.core.thresholds import METHOD_VERSION, Thresholds

__all__ = [
    "ACTUAL_COLUMNS",
    "METHOD_VERSION",
    "MILESTONE_COLUMNS",
    "MILESTONE_STATES",
    "OUTPUT_COLUMNS",
    "STATUSES",
    "TARGET_COLUMNS",
    "Thresholds",
    "compute_progress",
    "counted_series",
    "milestone_states",
    "target_band",
    "picture",
    "Picture",
    "trajectory",
]

OUTPUT_COLUMNS = (
    "target_id",
    "basis",
    "aspirational",
    "latest_year",
    "latest_value",
    "progress",
    "gap",
    "years_left",
    "trajectory_value",
    "trajectory_ratio",
    "actual_cagr",
    "required_cagr",
    "projection_compound",
    "projection_linear",
    "projection",
    "expected_progress",
    "shortfall",
    "anticipated_progress",
    "achieved",
    "years_met",
    "years_due",
    "years_reported",
    "share_met",
    "status",
    "status_rank",
    "reason",
    "reason_zh",
    "method_version",
)
_COUNT_COLUMNS = ("latest_year", "years_left", "years_met", "years_due", "years_reported", "status_rank")


def describe_plan(targets: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Normalised targets plus the terms every formula needs: higher, base_year, goal."""
    plan = normalise_targets(targets, thresholds)
    plan["higher"] = plan["direction"].eq("higher")
    # The plan's base year: the stated baseline year, else the year before the plan starts.
    plan["base_year"] = plan["baseline_year"].fillna(plan["start_year"] - 1)
    plan["goal"] = goal_value(plan["comparator"], plan["value"], plan["value_high"], plan["higher"])
    return plan


def _add_anchor(frame: pd.DataFrame) -> pd.DataFrame:
    """Starting point of the expected path and of the observed growth rate.

    level: the baseline, else the earliest figure when there are two or more;
    cumulative: zero just before the plan starts; annual: none (each year stands alone).
    """
    level, cumulative = frame["basis"].eq("level"), frame["basis"].eq("cumulative")
    from_baseline = level & frame["baseline_value"].notna()
    from_first_figure = level & frame["baseline_value"].isna() & (frame["n_points"] >= 2)
    conditions = [from_baseline, from_first_figure, cumulative]
    frame["anchor_value"] = np.select(conditions, [frame["baseline_value"], frame["first_value"], 0.0], np.nan)
    frame["anchor_year"] = np.select(conditions, [frame["base_year"], frame["first_year"], frame["start_year"] - 1], np.nan)
    # The baseline progress is measured from: cumulative totals start from zero, annual has none.
    frame["progress_baseline"] = np.where(level, frame["baseline_value"], np.where(cumulative, 0.0, np.nan))
    frame["baseline_usable"] = baseline_is_usable(frame["goal"], frame["progress_baseline"], frame["higher"])
    return frame


def _add_position(frame: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Where the latest figure stands: progress, gap, years left, achieved."""
    direction = np.where(frame["higher"], 1.0, -1.0)
    frame["progress"] = progress_fraction(frame["latest_value"], frame["goal"], frame["progress_baseline"], frame["higher"])
    frame["gap"] = direction * (frame["goal"] - frame["latest_value"])
    frame["years_left"] = frame["target_year"] - frame["latest_year"]
    latest_meets = comparator_holds(
        frame["latest_value"], frame["comparator"], frame["value"], frame["value_high"], frame["tolerance_pct"],
        frame["higher"], thresholds,
    )
    every_year_met = (frame["years_reported"] > 0) & (frame["years_met"] == frame["years_reported"])
    frame["achieved"] = np.where(frame["basis"].eq("annual"), every_year_met, latest_meets)
    return frame


def _add_geometric(frame: pd.DataFrame) -> pd.DataFrame:
    """Whether the expected path grows by a constant rate (money-like levels) or linearly."""
    geometric = frame["kind"].isin(vocabulary.GEOMETRIC_KINDS) & frame["basis"].eq("level")
    frame["geometric"] = geometric & (frame["anchor_value"] > 0) & (frame["goal"] > 0)
    return frame


def _add_trajectory(frame: pd.DataFrame) -> pd.DataFrame:
    """Expected value at the latest year and how the latest figure compares with it."""
    frame = _add_geometric(frame)
    fraction = path_fraction(frame["latest_year"], frame["anchor_year"], frame["target_year"])
    path = expected_path_value(frame["anchor_value"], frame["goal"], fraction, frame["geometric"])
    # An annual target expects the full value every year.
    has_figure = frame["n_points"] > 0
    frame["trajectory_value"] = np.where(frame["basis"].eq("annual") & has_figure, frame["goal"], path)
    frame["trajectory_ratio"] = 1.0 + relative_deviation(frame["latest_value"], frame["trajectory_value"], frame["higher"])
    # The progress the path expects by the latest year, measured exactly as progress is.
    frame["expected_progress"] = progress_fraction(
        frame["trajectory_value"], frame["goal"], frame["progress_baseline"], frame["higher"]
    )
    # How far progress trails the path (positive: behind), the measure "furthest behind" sorts by.
    frame["shortfall"] = frame["expected_progress"] - frame["progress"]
    return frame


def _add_growth_and_projections(frame: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Observed and required growth rates, trend projections and their progress."""
    annual = frame["basis"].eq("annual")
    years_observed = frame["latest_year"] - frame["anchor_year"]
    observed = compound_growth_rate(frame["anchor_value"], frame["latest_value"], years_observed, thresholds.min_cagr_years)
    required = required_growth_rate(
        frame["latest_value"], frame["goal"], frame["years_left"], frame["achieved"], thresholds.min_cagr_years
    )
    # Growth of a figure that restarts every year means nothing.
    frame["actual_cagr"] = np.where(annual, np.nan, observed)
    frame["required_cagr"] = np.where(annual, np.nan, required)
    frame["projection_compound"] = compound_projection(frame["latest_value"], frame["actual_cagr"], frame["years_left"])
    fitted_at_target = frame["fit_mean_value"] + frame["fit_slope"] * (frame["target_year"] - frame["fit_mean_year"])
    with np.errstate(all="ignore"):
        anchor_slope = (frame["latest_value"] - frame["anchor_value"]) / years_observed.where(years_observed > 0)
    frame["projection_linear"] = linear_projection(frame["latest_value"], fitted_at_target, anchor_slope, frame["years_left"])
    # Compound growth for levels that grow geometrically, a straight line for the rest.
    compound_usable = frame["geometric"] & np.isfinite(frame["projection_compound"])
    frame["projection"] = np.where(compound_usable, frame["projection_compound"], frame["projection_linear"])
    frame["anticipated_progress"] = progress_fraction(
        frame["projection"], frame["goal"], frame["progress_baseline"], frame["higher"]
    )
    frame["projection_meets_target"] = comparator_holds(
        frame["projection"], frame["comparator"], frame["value"], frame["value_high"], frame["tolerance_pct"],
        frame["higher"], thresholds,
    )
    return frame


def _finalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Public columns in a fixed order and dtype, one row per target_id ascending."""
    result = frame.reset_index().loc[:, list(OUTPUT_COLUMNS)]
    for column in _COUNT_COLUMNS:
        result[column] = pd.array(result[column].round(), dtype="Int64")
    result["achieved"] = result["achieved"].astype(bool)
    result["aspirational"] = result["aspirational"].astype(bool)
    for column in ("status", "reason", "reason_zh", "basis", "method_version"):
        result[column] = result[column].astype(object)
    return result.sort_values("target_id", kind="mergesort", ignore_index=True)


def _judged_terms(targets, actuals, as_of: dt.date, thresholds: Thresholds) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per target: its terms, the summary of the figures it is judged on and its path's anchor;
    and the long frame of those figures (counted_series)."""
    plan = describe_plan(targets, thresholds)
    figures = normalise_actuals(actuals, plan.index, as_of.year)
    series = plan_window_series(plan, figures)
    frame = plan.join(summarise_series(series)).join(judge_recurring_years(plan, series, as_of.year, thresholds))
    frame["n_points"] = frame["n_points"].fillna(0)
    return _add_anchor(frame), series


def counted_series(
    targets: pd.DataFrame, actuals: pd.DataFrame | None, as_of: dt.date, thresholds: Thresholds = Thresholds()
) -> pd.DataFrame:
    """The figures each target is judged on, year by year: target_id, year, `value` (what counts:
    the running total since the plan began for a cumulative target) and `reported` (the figure as
    reported: that year's addition for a cumulative target)."""
    _frame, series = _judged_terms(targets, actuals, as_of, thresholds)
    return series


def trajectory(
    targets: pd.DataFrame, actuals: pd.DataFrame | None, as_of: dt.date, thresholds: Thresholds = Thresholds()
) -> pd.DataFrame:
    """The path each target is judged against, year by year: target_id, year, value.

    It runs from the anchor (the baseline; else the first figure of two or more; zero the year
    before a cumulative period) to the goal in the target year, geometric where the engine judges
    geometrically; a recurring target expects its goal in every year of the period. A target
    without an anchor has no path. The value at the latest year is the snapshot's trajectory_value.
    """
    frame, _series = _judged_terms(targets, actuals, as_of, thresholds)
    return _path(frame)


def _path(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _add_geometric(frame)
    annual = frame["basis"].eq("annual")
    first_year = frame["start_year"].where(annual, frame["anchor_year"])
    drawn = frame[first_year.notna() & (first_year <= frame["target_year"])]
    first_year = first_year[drawn.index].astype("int64")
    spans = (drawn["target_year"] - first_year + 1).to_numpy()
    rows = drawn.loc[drawn.index.repeat(spans)]
    spans_of_years = [np.arange(start, end + 1) for start, end in zip(first_year, drawn["target_year"])]
    years = np.concatenate(spans_of_years) if spans_of_years else np.array([], dtype="int64")
    path = expected_path_value(
        rows["anchor_value"], rows["goal"], path_fraction(years, rows["anchor_year"], rows["target_year"]), rows["geometric"]
    )
    value = np.where(rows["basis"].eq("annual"), rows["goal"], path)
    return pd.DataFrame({"target_id": rows.index.to_numpy(), "year": np.asarray(years, dtype="int64"), "value": value})


def target_band(targets: pd.DataFrame, thresholds: Thresholds = Thresholds()) -> pd.DataFrame:
    """The band of values that meet a range or an "about" target: target_id, band_low, band_high
    (NaN for the other comparators, which a single goal line shows). "About" is the value plus or
    minus its tolerance (the target's own, else thresholds.approx_tolerance_pct), as comparator_holds
    judges it."""
    return _band(describe_plan(targets, thresholds))


def _band(plan: pd.DataFrame) -> pd.DataFrame:
    spread = plan["value"].abs() * plan["tolerance_pct"] / 100.0
    is_range, is_about = plan["comparator"].eq("range"), plan["comparator"].eq("approx")
    low = np.select([is_range, is_about], [plan["value"], plan["value"] - spread], np.nan)
    high = np.select([is_range, is_about], [plan["value_high"], plan["value"] + spread], np.nan)
    return pd.DataFrame({"target_id": plan.index.to_numpy(), "band_low": low, "band_high": high})


class Picture(NamedTuple):
    """Everything a target's chart draws, from one judgement of the targets: `terms` (describe_plan's
    columns with the anchor, indexed by target_id), `series` (counted_series), `path` (trajectory)
    and `band` (target_band)."""

    terms: pd.DataFrame
    series: pd.DataFrame
    path: pd.DataFrame
    band: pd.DataFrame


def picture(
    targets: pd.DataFrame, actuals: pd.DataFrame | None, as_of: dt.date, thresholds: Thresholds = Thresholds()
) -> Picture:
    """counted_series, trajectory, target_band and the terms at once: the targets are normalised and
    judged once, not once for each (a page that draws one target pays the frames' overhead once)."""
    frame, series = _judged_terms(targets, actuals, as_of, thresholds)
    return Picture(terms=frame, series=series, path=_path(frame.copy()), band=_band(frame))


def compute_progress(
    targets: pd.DataFrame,
    actuals: pd.DataFrame | None,
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
) -> pd.DataFrame:
    """One row per target with progress measures, status and reasons (see OUTPUT_COLUMNS).

    Inputs are not modified; the same inputs in any row order give the same frame.
    """
    frame, _series = _judged_terms(targets, actuals, as_of, thresholds)
    frame = _add_position(frame, thresholds)
    frame = _add_trajectory(frame)
    frame = _add_growth_and_projections(frame, thresholds)
    frame["status"] = classify_status(frame, as_of.year, thresholds)
    frame["status_rank"] = frame["status"].map(vocabulary.STATUS_RANKS)
    frame["reason"], frame["reason_zh"] = explain_status(frame, as_of.year, thresholds)
    frame["method_version"] = METHOD_VERSION
    return _finalise(frame)
