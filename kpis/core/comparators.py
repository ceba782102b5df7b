"""Whether a figure satisfies a target's comparator, for whole columns at once."""

from __future__ import annotations

import numpy as np

from kpis.core.thresholds import Thresholds


def goal_value(comparator, value, value_high, higher) -> np.ndarray:
    """The single number progress is measured against.

    A range is approached from below when higher is better (its low end) and from
    above when lower is better (its high end, or the low end if no high end is given).
    """
    value = np.asarray(value, dtype=float)
    value_high = np.asarray(value_high, dtype=float)
    use_high_end = (np.asarray(comparator) == "range") & ~np.asarray(higher, dtype=bool) & ~np.isnan(value_high)
    return np.where(use_high_end, value_high, value)


def comparator_holds(actual, comparator, value, value_high, tolerance_pct, higher, thresholds: Thresholds) -> np.ndarray:
    """Boolean array: does each actual meet its own comparator? NaN actuals never do."""
    actual = np.asarray(actual, dtype=float)
    comparator = np.asarray(comparator)
    value = np.asarray(value, dtype=float)
    high_end = np.asarray(value_high, dtype=float)
    high_end = np.where(np.isnan(high_end), value, high_end)
    higher = np.asarray(higher, dtype=bool)

    def close(left, right):
        # Equality up to float noise, so 0.1 + 0.2 meets a target of 0.3.
        return np.isclose(left, right, rtol=thresholds.compare_rel_tol, atol=thresholds.compare_abs_tol)

    distance = np.abs(actual - value)
    band = np.abs(value) * np.asarray(tolerance_pct, dtype=float) / 100.0
    with np.errstate(invalid="ignore"):
        outcome_by_comparator = {
            "gte": (actual >= value) | close(actual, value),
            "gt": (actual > value) & ~close(actual, value),
            "lte": (actual <= value) | close(actual, value),
            "lt": (actual < value) & ~close(actual, value),
            "eq": close(actual, value),
            "approx": (distance <= band) | close(distance, band),
            "range": np.where(
                higher,
                (actual >= value) | close(actual, value),
                (actual <= high_end) | close(actual, high_end),
            ),
        }
    conditions = [comparator == name for name in outcome_by_comparator]
    holds = np.select(conditions, list(outcome_by_comparator.values()), default=False)
    return holds.astype(bool) & ~np.isnan(actual)
