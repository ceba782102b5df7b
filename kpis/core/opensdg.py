"""Second opinion: the Open SDG progress status (Statistics Canada method), vectorised.

With a target: ratio = sign * direction * CAGR_observed / |CAGR_required|, where
CAGR_observed runs from the base value to the latest value and CAGR_required from the
base value to the target; ratio >= 0.95 substantial, >= 0.6 moderate, >= 0 limited,
below 0 deterioration. A latest value already at the target is target_achieved.
Without a target value the direction-signed observed CAGR is cut at 1.5 % / 0.5 % / 0.

Where this departs from Open SDG (docs/methodology.md A16): Open SDG's ratio is the plain
CAGR_observed / CAGR_required; the direction factor and |CAGR_required| are ours, so the verdict
follows which way is better even when the base already beats the target. Open SDG swaps only a
zero target for 0.001; we also swap a zero base value. "Achieved" compares with the target itself (a zero target is met at 0).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpis.core.actual_series import plan_window_series, summarise_series
from kpis.core.engine import describe_plan
from kpis.core.inputs import normalise_actuals
from kpis.core.thresholds import Thresholds

OPENSDG_STATUSES = (
    "target_achieved",
    "substantial_progress",
    "moderate_progress",
    "limited_progress",
    "deterioration",
    "not_available",
)
OPENSDG_COLUMNS = ("target_id", "opensdg_ratio", "opensdg_status")

__all__ = ["OPENSDG_COLUMNS", "OPENSDG_STATUSES", "OpenSdgThresholds", "opensdg_status"]


@dataclass(frozen=True)
class OpenSdgThresholds:
    """Open SDG's defaults; its sites may configure them per indicator."""

    substantial: float = 0.95
    moderate: float = 0.6
    limited: float = 0.0
    # Used only when a target has no value: cut-offs on the direction-signed observed CAGR.
    no_target_substantial: float = 0.015
    no_target_moderate: float = 0.005
    no_target_limited: float = 0.0
    # Stands in for a zero target (as Open SDG does) and a zero base value (our addition) in the growth
    # rates only, since a growth rate from or to 0 is undefined; "achieved" still compares with 0.
    zero_substitute: float = 0.001


def _base_point(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The plan's baseline for level targets, else the earliest figure on or after the base
    year (Open SDG's "next available year"); a running total's first figure for cumulative."""
    from_baseline = frame["basis"].eq("level") & frame["baseline_value"].notna()
    base_value = frame["baseline_value"].where(from_baseline, frame["first_value"])
    base_year = frame["base_year"].where(from_baseline, frame["first_year"])
    return base_value, base_year


def _progress_ratio(frame: pd.DataFrame, thresholds: OpenSdgThresholds) -> np.ndarray:
    base_value, base_year = _base_point(frame)
    base_value = base_value.mask(base_value.eq(0), thresholds.zero_substitute)
    goal = frame["goal"].mask(frame["goal"].eq(0), thresholds.zero_substitute)
    latest = frame["latest_value"]
    sign = np.where(base_value < 0, -1.0, 1.0)
    direction = np.where(frame["higher"], 1.0, -1.0)
    years_observed = frame["latest_year"] - base_year
    opposite_signs = ((base_value > 0) & (latest < 0)) | ((base_value < 0) & (latest > 0))
    with np.errstate(all="ignore"):
        observed = (latest / base_value) ** (1.0 / years_observed) - 1.0
        required = (goal / base_value) ** (1.0 / (frame["target_year"] - base_year)) - 1.0
        observed = np.where((years_observed >= 1) & ~opposite_signs, observed, np.nan)
        # A target across zero from the base, or equal to it, has no usable required rate.
        required_defined = (frame["target_year"] > base_year) & (goal * base_value > 0) & (required != 0)
        required = np.where(required_defined, required, np.nan)
        with_target = sign * direction * observed / np.abs(required)
    without_target = sign * direction * observed
    return np.where(frame["goal"].isna(), without_target, with_target)


def _status(frame: pd.DataFrame, ratio: np.ndarray, thresholds: OpenSdgThresholds) -> np.ndarray:
    has_target = frame["goal"].notna().to_numpy()
    latest, goal = frame["latest_value"].to_numpy(dtype=float), frame["goal"].to_numpy(dtype=float)
    higher = frame["higher"].to_numpy(dtype=bool)
    # Open SDG's own test: direction only, whatever the plan's comparator says.
    achieved = has_target & np.where(higher, latest >= goal, latest <= goal)
    cuts = np.where(
        has_target[:, None],
        [thresholds.substantial, thresholds.moderate, thresholds.limited],
        [thresholds.no_target_substantial, thresholds.no_target_moderate, thresholds.no_target_limited],
    )
    with np.errstate(invalid="ignore"):
        rules = [
            (achieved, "target_achieved"),
            (np.isnan(ratio), "not_available"),
            (ratio >= cuts[:, 0], "substantial_progress"),
            (ratio >= cuts[:, 1], "moderate_progress"),
            (ratio >= cuts[:, 2], "limited_progress"),
        ]
    return np.select([condition for condition, _ in rules], [status for _, status in rules], default="deterioration")


def opensdg_status(
    targets: pd.DataFrame,
    actuals: pd.DataFrame | None,
    as_of: dt.date,
    thresholds: OpenSdgThresholds = OpenSdgThresholds(),
    engine_thresholds: Thresholds = Thresholds(),
) -> pd.DataFrame:
    """One row per target_id: opensdg_ratio (NaN when not computable) and opensdg_status.

    Same input frames as `compute_progress`; the figures used are the same (as_of filter,
    plan window, running totals for cumulative targets).
    """
    plan = describe_plan(targets, engine_thresholds)
    figures = normalise_actuals(actuals, plan.index, as_of.year)
    frame = plan.join(summarise_series(plan_window_series(plan, figures)))
    ratio = _progress_ratio(frame, thresholds)
    result = pd.DataFrame(
        {"opensdg_ratio": ratio.astype(float), "opensdg_status": _status(frame, ratio, thresholds)}, index=frame.index
    )
    return result.reset_index().loc[:, list(OPENSDG_COLUMNS)]

