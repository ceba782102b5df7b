"""The status rules, first match wins (see docs/methodology.md, "Status rules")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpis.core import vocabulary
from kpis.core.thresholds import Thresholds

STATUSES = tuple(vocabulary.STATUSES)


def classify_status(frame: pd.DataFrame, as_of_year: int, thresholds: Thresholds) -> np.ndarray:
    """One status per row of `frame` (columns made by the engine)."""
    no_data = frame["n_points"].fillna(0).to_numpy() == 0
    annual = frame["basis"].eq("annual").to_numpy()
    achieved = frame["achieved"].to_numpy(dtype=bool)
    share_met = frame["share_met"].to_numpy(dtype=float)
    ratio = frame["trajectory_ratio"].to_numpy(dtype=float)
    target_year_passed = frame["target_year"].to_numpy() < as_of_year
    projection_meets = frame["projection_meets_target"].to_numpy(dtype=bool) & thresholds.projection_rescues
    with np.errstate(invalid="ignore"):
        ahead_of_path = ratio >= thresholds.on_track_ratio
        near_path = ratio >= thresholds.at_risk_ratio
        share_near = share_met >= thresholds.at_risk_share
    rules = [
        (no_data, "no_data"),
        (annual & achieved, "achieved"),
        (annual & share_near, "at_risk"),
        (annual, "off_track"),
        (achieved, "achieved"),
        (target_year_passed, "overdue"),
        (ahead_of_path | projection_meets, "on_track"),
        # No path to compare with (no baseline, one figure): flag for attention rather than guess.
        (near_path | np.isnan(ratio), "at_risk"),
    ]
    return np.select([condition for condition, _ in rules], [status for _, status in rules], default="off_track")
