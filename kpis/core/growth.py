"""Column-wise growth formulas: growth rates, expected paths, progress, projections.

Each function takes numpy arrays (or Series) and returns a float array with NaN
wherever the formula has no meaning; callers decide what NaN means for a status.
"""

from __future__ import annotations

import numpy as np


def _floats(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def compound_growth_rate(start_value, end_value, years, min_years: int = 1) -> np.ndarray:
    """(end / start) ** (1 / years) - 1; NaN unless both values are positive and years >= min_years."""
    start_value, end_value, years = _floats(start_value), _floats(end_value), _floats(years)
    defined = (start_value > 0) & (end_value > 0) & (years >= min_years)
    with np.errstate(all="ignore"):
        rate = (end_value / start_value) ** (1.0 / years) - 1.0
    return np.where(defined, rate, np.nan)


def path_fraction(year, base_year, target_year) -> np.ndarray:
    """Share of the plan period elapsed at `year`, clipped to [0, 1].

    When the target year equals the base year the whole target is due at once (1.0).
    """
    year, base_year, target_year = _floats(year), _floats(base_year), _floats(target_year)
    span = target_year - base_year
    with np.errstate(all="ignore"):
        fraction = np.where(span > 0, (year - base_year) / span, 1.0)
    return np.where(np.isnan(year) | np.isnan(base_year), np.nan, np.clip(fraction, 0.0, 1.0))


def expected_path_value(base_value, goal, fraction, geometric) -> np.ndarray:
    """Value the plan implies after `fraction` of its period.

    Geometric (constant growth rate) b * (T / b) ** f where `geometric` is set,
    otherwise linear b + (T - b) * f. Callers only set `geometric` when b > 0 and T > 0.
    """
    base_value, goal, fraction = _floats(base_value), _floats(goal), _floats(fraction)
    with np.errstate(all="ignore"):
        geometric_path = base_value * (goal / base_value) ** fraction
    linear_path = base_value + (goal - base_value) * fraction
    return np.where(np.asarray(geometric, dtype=bool), geometric_path, linear_path)


def progress_fraction(actual, goal, baseline, higher) -> np.ndarray:
    """Share of the way to the goal; 1.0 means the goal value is reached.

    With a usable baseline b (on the far side of T from the good direction):
    (a - b) / (T - b), which serves both directions. Without one:
    a / T when higher is better (T > 0), T / a when lower is better (a > 0, T >= 0).
    """
    actual, goal, baseline = _floats(actual), _floats(goal), _floats(baseline)
    higher = np.asarray(higher, dtype=bool)
    with np.errstate(all="ignore"):
        from_baseline = (actual - baseline) / (goal - baseline)
        of_goal_higher = np.where(goal > 0, actual / goal, np.nan)
        of_goal_lower = np.where((actual > 0) & (goal >= 0), goal / actual, np.nan)
    without_baseline = np.where(higher, of_goal_higher, of_goal_lower)
    return np.where(baseline_is_usable(goal, baseline, higher), from_baseline, without_baseline)


def baseline_is_usable(goal, baseline, higher) -> np.ndarray:
    """A baseline helps only if the target lies beyond it in the good direction."""
    direction = np.where(np.asarray(higher, dtype=bool), 1.0, -1.0)
    with np.errstate(invalid="ignore"):
        return direction * (_floats(goal) - _floats(baseline)) > 0  # NaN baselines give False


def relative_deviation(actual, expected, higher) -> np.ndarray:
    """Signed distance from the expected path as a share of it; positive = ahead of the path.

    A zero path value leaves no scale: ahead is +inf, behind is -inf, level is 0.
    """
    actual, expected = _floats(actual), _floats(expected)
    direction = np.where(np.asarray(higher, dtype=bool), 1.0, -1.0)
    ahead_by = direction * (actual - expected)
    with np.errstate(all="ignore"):
        scaled = ahead_by / np.abs(expected)
    unscaled = np.select([ahead_by > 0, ahead_by < 0, ahead_by == 0], [np.inf, -np.inf, 0.0], np.nan)
    return np.where(expected == 0, unscaled, scaled)


def compound_projection(latest_value, rate, years_ahead) -> np.ndarray:
    """latest * (1 + rate) ** years; a target year already reached keeps the latest value."""
    latest_value, rate, years_ahead = _floats(latest_value), _floats(rate), _floats(years_ahead)
    with np.errstate(all="ignore"):
        projected = latest_value * (1.0 + rate) ** years_ahead
    return np.where(years_ahead <= 0, latest_value, projected)


def linear_projection(latest_value, fitted_at_target, slope, years_ahead) -> np.ndarray:
    """Straight-line value at the target year.

    `fitted_at_target` (least squares over several points) wins; otherwise the latest
    value is carried forward along `slope` (baseline -> latest for a single point).
    """
    latest_value, fitted_at_target = _floats(latest_value), _floats(fitted_at_target)
    slope, years_ahead = _floats(slope), _floats(years_ahead)
    carried = np.where(np.isnan(fitted_at_target), latest_value + slope * years_ahead, fitted_at_target)
    return np.where(years_ahead <= 0, latest_value, carried)


def required_growth_rate(latest_value, goal, years_left, achieved, min_years: int = 1) -> np.ndarray:
    """Growth a year needed from the latest value to the goal by the target year.

    Once achieved no growth is needed: the rate is capped at 0 (a negative rate shows how
    far the figure could fall and still meet the target). With no year left and the
    target missed there is no rate to give (NaN).
    """
    rate = compound_growth_rate(latest_value, goal, years_left, min_years)
    achieved = np.asarray(achieved, dtype=bool)
    return np.where(achieved, np.where(np.isnan(rate), 0.0, np.minimum(rate, 0.0)), rate)
