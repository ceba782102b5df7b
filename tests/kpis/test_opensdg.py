"""Open SDG progress status: categories, threshold boundaries and special cases."""

import datetime as dt

import numpy as np
import pytest

from kpis.core.engine import compute_progress
from kpis.core.opensdg import OPENSDG_COLUMNS, OpenSdgThresholds, opensdg_status
from tests.kpis.conftest import build_actuals, build_targets

AS_OF = dt.date(2020, 12, 31)
# Base 100 in 2015, target 200 in 2025: the required growth rate is 2 ** 0.1 - 1 a year.
REQUIRED_RATE = 2**0.1 - 1
DOUBLING = {"value": 200.0, "baseline_value": 100.0, "baseline_year": 2015, "start_year": 2016, "target_year": 2025}


def status_of(targets, actuals, as_of=AS_OF, thresholds=OpenSdgThresholds()):
    return opensdg_status(targets, actuals, as_of, thresholds).set_index("target_id")


def growing_at(share_of_required):
    """The 2020 figure after five years at `share_of_required` times the required rate."""
    return 100.0 * (1 + share_of_required * REQUIRED_RATE) ** 5


@pytest.mark.parametrize(
    "share,status",
    [
        (1.2, "substantial_progress"),
        (0.95 + 1e-6, "substantial_progress"),
        (0.95 - 1e-6, "moderate_progress"),
        (0.6 + 1e-6, "moderate_progress"),
        (0.6 - 1e-6, "limited_progress"),
        (0.0, "limited_progress"),
        (-0.2, "deterioration"),
    ],
)
def test_ratio_of_observed_to_required_growth_sets_the_category(share, status):
    row = status_of(build_targets(DOUBLING), build_actuals((1, 2020, growing_at(share)))).loc[1]
    assert row["opensdg_ratio"] == pytest.approx(share, abs=1e-9)
    assert row["opensdg_status"] == status


@pytest.mark.parametrize(
    "share,field,at_boundary,just_below",
    [
        (0.95, "substantial", "substantial_progress", "moderate_progress"),
        (0.6, "moderate", "moderate_progress", "limited_progress"),
        (0.3, "limited", "limited_progress", "deterioration"),
    ],
)
def test_each_threshold_includes_its_boundary(share, field, at_boundary, just_below):
    targets, actuals = build_targets(DOUBLING), build_actuals((1, 2020, growing_at(share)))
    ratio = status_of(targets, actuals).loc[1, "opensdg_ratio"]
    # Put the cut-off exactly on the computed ratio, then one float step above it.
    on_boundary = OpenSdgThresholds(**{field: ratio})
    above = OpenSdgThresholds(**{field: np.nextafter(ratio, np.inf)})
    assert status_of(targets, actuals, thresholds=on_boundary).loc[1, "opensdg_status"] == at_boundary
    assert status_of(targets, actuals, thresholds=above).loc[1, "opensdg_status"] == just_below


def test_latest_value_at_the_target_is_target_achieved():
    row = status_of(build_targets(DOUBLING), build_actuals((1, 2020, 200.0))).loc[1]
    assert row["opensdg_status"] == "target_achieved"


def test_lower_is_better_flips_the_sign():
    falling = {**DOUBLING, "value": 50.0, "comparator": "lte", "direction": "lower", "kind": "rate"}
    halving_rate = 1 - 0.5**0.1
    frame = status_of(
        build_targets(falling, falling),
        build_actuals((1, 2020, 100.0 * (1 - halving_rate) ** 5), (2, 2020, 110.0)),
    )
    assert frame.loc[1, "opensdg_ratio"] == pytest.approx(1.0)
    assert frame.loc[1, "opensdg_status"] == "substantial_progress"
    assert frame.loc[2, "opensdg_ratio"] < 0
    assert frame.loc[2, "opensdg_status"] == "deterioration"


def test_negative_base_value_flips_the_sign():
    # From -100 towards -50 (higher is better): -80 five years on is progress.
    targets = build_targets({**DOUBLING, "value": -50.0, "baseline_value": -100.0, "kind": "rate"})
    row = status_of(targets, build_actuals((1, 2020, -80.0))).loc[1]
    assert row["opensdg_ratio"] == pytest.approx((1 - 0.8**0.2) / (1 - 0.5**0.1))
    assert row["opensdg_status"] == "moderate_progress"


def test_base_and_latest_of_opposite_sign_are_not_available():
    targets = build_targets({**DOUBLING, "baseline_value": -10.0, "kind": "rate"})
    row = status_of(targets, build_actuals((1, 2020, 5.0))).loc[1]
    assert np.isnan(row["opensdg_ratio"])
    assert row["opensdg_status"] == "not_available"


def test_zero_base_value_is_replaced_by_a_small_number():
    targets = build_targets({**DOUBLING, "baseline_value": 0.0})
    row = status_of(targets, build_actuals((1, 2020, 50.0))).loc[1]
    assert np.isfinite(row["opensdg_ratio"]) and row["opensdg_ratio"] > 0
    assert row["opensdg_status"] != "not_available"


def test_target_across_zero_from_the_base_is_not_available():
    # One year to go makes the power integral, so only the explicit sign check catches it.
    targets = build_targets(
        {**DOUBLING, "value": -50.0, "direction": "lower", "comparator": "lte", "kind": "rate", "target_year": 2016}
    )
    row = status_of(targets, build_actuals((1, 2016, 90.0)), as_of=dt.date(2016, 12, 31)).loc[1]
    assert row["opensdg_status"] == "not_available"


def test_target_equal_to_base_value_is_not_available():
    targets = build_targets({**DOUBLING, "value": 100.0})
    row = status_of(targets, build_actuals((1, 2020, 90.0))).loc[1]
    assert row["opensdg_status"] == "not_available"


def test_without_baseline_the_earliest_figure_is_the_base():
    targets = build_targets({"value": 200.0, "start_year": 2016, "target_year": 2026})
    # From 100 in 2016 the target needs 2 ** 0.1 a year; 2 ** 0.5 by 2021 is exactly on pace.
    row = status_of(targets, build_actuals((1, 2016, 100.0), (1, 2021, 100.0 * 2**0.5)), as_of=dt.date(2021, 12, 31)).loc[1]
    assert row["opensdg_ratio"] == pytest.approx(1.0)
    assert row["opensdg_status"] == "substantial_progress"


@pytest.mark.parametrize("actuals", [build_actuals(), build_actuals((1, 2020, 150.0))])
def test_too_few_figures_are_not_available(actuals):
    targets = build_targets({"value": 200.0, "start_year": 2016, "target_year": 2025})
    row = status_of(targets, actuals).loc[1]
    assert row["opensdg_status"] == "not_available"


@pytest.mark.parametrize(
    "yearly_growth,direction,status",
    [
        (0.02, "higher", "substantial_progress"),
        (0.01, "higher", "moderate_progress"),
        (0.002, "higher", "limited_progress"),
        (-0.01, "higher", "deterioration"),
        (-0.02, "lower", "substantial_progress"),
        (0.01, "lower", "deterioration"),
    ],
)
def test_without_a_target_value_observed_growth_sets_the_category(yearly_growth, direction, status):
    targets = build_targets({**DOUBLING, "value": np.nan, "direction": direction})
    row = status_of(targets, build_actuals((1, 2020, 100.0 * (1 + yearly_growth) ** 5))).loc[1]
    assert row["opensdg_status"] == status


def test_opensdg_judges_by_direction_not_by_comparator():
    # An "approx 200" target is met by 190 for the engine, not for Open SDG (needs >= 200).
    targets, actuals = build_targets({**DOUBLING, "comparator": "approx"}), build_actuals((1, 2020, 190.0))
    assert status_of(targets, actuals).loc[1, "opensdg_status"] == "substantial_progress"
    assert compute_progress(targets, actuals, AS_OF).loc[0, "status"] == "achieved"


def test_output_has_one_row_per_target_in_id_order():
    targets = build_targets({**DOUBLING, "target_id": 7}, {**DOUBLING, "target_id": 3})
    frame = opensdg_status(targets, build_actuals((7, 2020, 150.0)), AS_OF)
    assert tuple(frame.columns) == OPENSDG_COLUMNS
    assert list(frame["target_id"]) == [3, 7]
    assert list(frame["opensdg_status"]) == ["not_available", "substantial_progress"]
