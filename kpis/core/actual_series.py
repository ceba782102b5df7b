"""Which actual figures count for a target, in the target's own terms, and their
per-target summary (first, latest, least-squares line)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def plan_window_series(plan: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Long frame (target_id, year, value) of the figures each target is judged on.

    - level: figures from the base year on (earlier ones predate the plan's baseline);
    - annual: each year of the plan period, start_year..target_year;
    - cumulative: the running sum of annual additions from start_year, up to target_year.
    `plan` is indexed by target_id and carries basis, start_year, target_year, base_year.
    """
    terms = plan[["basis", "start_year", "target_year", "base_year"]].reset_index()
    rows = figures.merge(terms, on="target_id", how="inner")
    is_level = rows["basis"].eq("level")
    in_level_window = rows["year"] >= rows["base_year"]
    in_plan_period = rows["year"].between(rows["start_year"], rows["target_year"])
    rows = rows[np.where(is_level, in_level_window, in_plan_period)]
    rows = rows.sort_values(["target_id", "year"], kind="mergesort")
    running_total = rows.groupby("target_id")["value"].cumsum()
    value = rows["value"].where(rows["basis"].ne("cumulative"), running_total)
    # `reported` is the figure as reported (a year's addition for cumulative targets), `value` what counts.
    return pd.DataFrame(
        {"target_id": rows["target_id"], "year": rows["year"], "value": value, "reported": rows["value"]}
    ).reset_index(drop=True)


def summarise_series(series: pd.DataFrame) -> pd.DataFrame:
    """Per target: n_points, first/latest year and value, and the least-squares line
    (fit_slope per year, through fit_mean_year / fit_mean_value; slope NaN for one point)."""
    grouped = series.groupby("target_id")
    summary = pd.DataFrame(
        {
            "n_points": grouped.size(),
            "first_year": grouped["year"].first(),
            "first_value": grouped["value"].first(),
            "latest_year": grouped["year"].last(),
            "latest_value": grouped["value"].last(),
            "fit_mean_year": grouped["year"].mean(),
            "fit_mean_value": grouped["value"].mean(),
        }
    )
    year_offset = series["year"] - grouped["year"].transform("mean")
    value_offset = series["value"] - grouped["value"].transform("mean")
    co_moment = (year_offset * value_offset).groupby(series["target_id"]).sum()
    year_moment = (year_offset * year_offset).groupby(series["target_id"]).sum()
    summary["fit_slope"] = co_moment / year_moment.where(year_moment > 0)
    return summary
