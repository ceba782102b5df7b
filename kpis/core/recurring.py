"""Recurring targets (basis "annual"): every year of the plan period is judged on its own."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpis.core.comparators import comparator_holds
from kpis.core.thresholds import Thresholds


def judge_recurring_years(plan: pd.DataFrame, series: pd.DataFrame, as_of_year: int, thresholds: Thresholds) -> pd.DataFrame:
    """Per annual target: years_met, years_reported, years_due and share_met.

    years_due counts start_year..min(target_year, as_of_year); share_met is over the
    reported years, so a year whose figure is not out yet does not count as missed.
    """
    annual = plan[plan["basis"].eq("annual")]
    rows = series[series["target_id"].isin(annual.index)]
    terms = annual[["comparator", "value", "value_high", "tolerance_pct", "higher"]].reset_index()
    rows = rows.merge(terms, on="target_id", how="inner", suffixes=("", "_target"))
    met = comparator_holds(
        rows["value"], rows["comparator"], rows["value_target"], rows["value_high"], rows["tolerance_pct"], rows["higher"],
        thresholds,
    )
    counts = pd.DataFrame({"target_id": rows["target_id"], "met": met}).groupby("target_id")["met"].agg(["sum", "size"])
    counts = counts.reindex(annual.index, fill_value=0)
    last_due_year = np.minimum(annual["target_year"], as_of_year)
    judged = pd.DataFrame(index=annual.index)
    judged["years_met"] = counts["sum"].astype("int64")
    judged["years_reported"] = counts["size"].astype("int64")
    judged["years_due"] = (last_due_year - annual["start_year"] + 1).clip(lower=0).astype("int64")
    judged["share_met"] = judged["years_met"] / judged["years_reported"].where(judged["years_reported"] > 0)
    return judged
