"""Properties of compute_progress that must hold for any input (hypothesis)."""

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpis.core.engine import STATUSES, compute_progress
from kpis.core.inputs import BASELINE_QUALIFIERS, BASES, COMPARATORS, DIRECTIONS, KINDS
from tests.kpis.conftest import build_actuals, build_targets

AS_OF = dt.date(2023, 6, 30)
PROPERTY_SETTINGS = settings(max_examples=80, deadline=None)

magnitudes = st.floats(min_value=1.0, max_value=1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False)
signed_values = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False, allow_subnormal=False)
fractions = st.floats(min_value=0.0, max_value=3.0, allow_nan=False, allow_subnormal=False)


def run(targets, actuals, as_of=AS_OF):
    return compute_progress(targets, actuals, as_of).set_index("target_id")


# --- progress is monotone in the actual ---------------------------------------------------


@PROPERTY_SETTINGS
@given(goal=magnitudes, baseline_share=st.none() | st.floats(0.0, 0.99), low=fractions, high=fractions)
def test_progress_never_falls_as_the_actual_rises_when_higher_is_better(goal, baseline_share, low, high):
    low, high = sorted((low, high))
    baseline = np.nan if baseline_share is None else goal * baseline_share
    twin = {"value": goal, "baseline_value": baseline, "baseline_year": 2020}
    frame = run(build_targets(twin, twin), build_actuals((1, 2023, goal * low), (2, 2023, goal * high)))
    assert np.isfinite(frame["progress"]).all()
    assert frame.loc[1, "progress"] <= frame.loc[2, "progress"]


@PROPERTY_SETTINGS
@given(goal=magnitudes, baseline_factor=st.none() | st.floats(1.01, 10.0), low=st.floats(0.01, 5.0), high=st.floats(0.01, 5.0))
def test_progress_never_rises_as_the_actual_rises_when_lower_is_better(goal, baseline_factor, low, high):
    low, high = sorted((low, high))
    baseline = np.nan if baseline_factor is None else goal * baseline_factor
    twin = {"comparator": "lte", "direction": "lower", "kind": "rate", "value": goal, "baseline_value": baseline,
            "baseline_year": 2020}
    frame = run(build_targets(twin, twin), build_actuals((1, 2023, goal * low), (2, 2023, goal * high)))
    assert np.isfinite(frame["progress"]).all()
    assert frame.loc[1, "progress"] >= frame.loc[2, "progress"]


# --- achieved is exactly the comparator -------------------------------------------------


def comparator_definition(comparator, actual, value, value_high, tolerance_pct, higher):
    """The comparators as the input contract states them."""
    if comparator == "gte":
        return actual >= value
    if comparator == "gt":
        return actual > value
    if comparator == "lte":
        return actual <= value
    if comparator == "lt":
        return actual < value
    if comparator == "eq":
        return actual == value
    if comparator == "approx":
        return abs(actual - value) <= abs(value) * tolerance_pct / 100
    return actual >= value if higher else actual <= value_high


def clear_of_float_noise(comparator, actual, value, value_high, tolerance_pct):
    """Exclude pairs so close that the engine's 1e-9 float slack could decide them."""
    points = [value, value_high]
    if comparator == "approx":
        band = abs(value) * tolerance_pct / 100
        return abs(abs(actual - value) - band) > 1e-6 * max(1.0, band)
    return all(actual == point or abs(actual - point) > 1e-6 * max(1.0, abs(point)) for point in points)


@PROPERTY_SETTINGS
@given(
    comparator=st.sampled_from(COMPARATORS),
    direction=st.sampled_from(DIRECTIONS),
    value=signed_values,
    width=st.floats(0.0, 100.0),
    tolerance_pct=st.floats(0.0, 50.0),
    offset=st.one_of(st.just(0.0), signed_values),
)
def test_achieved_exactly_when_the_comparator_holds(comparator, direction, value, width, tolerance_pct, offset):
    actual, value_high = value + offset, value + width
    assume(clear_of_float_noise(comparator, actual, value, value_high, tolerance_pct))
    targets = build_targets(
        {"comparator": comparator, "direction": direction, "kind": "rate", "value": value, "value_high": value_high,
         "tolerance_pct": tolerance_pct}
    )
    row = run(targets, build_actuals((1, 2023, actual))).loc[1]
    expected = comparator_definition(comparator, actual, value, value_high, tolerance_pct, direction == "higher")
    assert bool(row["achieved"]) is bool(expected)
    assert (row["status"] == "achieved") is bool(expected)


# --- random plans ---------------------------------------------------------------------------


@st.composite
def target_rows(draw):
    start_year = draw(st.integers(2016, 2026))
    baseline_value = draw(st.none() | signed_values)
    return {
        "comparator": draw(st.sampled_from(COMPARATORS)),
        "value": draw(signed_values),
        "value_high": draw(st.none() | signed_values),
        "tolerance_pct": draw(st.none() | st.floats(0.0, 30.0)),
        "start_year": start_year,
        "target_year": start_year + draw(st.integers(0, 9)),
        "basis": draw(st.sampled_from(BASES)),
        "direction": draw(st.sampled_from(DIRECTIONS)),
        "kind": draw(st.sampled_from(KINDS)),
        "aspirational": draw(st.booleans()),
        "baseline_value": np.nan if baseline_value is None else baseline_value,
        "baseline_year": draw(st.none() | st.integers(start_year - 3, start_year + 1)),
        "baseline_qualifier": draw(st.none() | st.sampled_from(BASELINE_QUALIFIERS)),
    }


@st.composite
def figures_for(draw, target_id, row):
    """A few figures around the plan period, many of them near the target value."""
    scale = row["value"] if row["value"] != 0 else 1.0
    values = st.one_of(signed_values, st.floats(-0.5, 2.0).map(lambda factor: scale * factor))
    years = st.integers(row["start_year"] - 2, row["target_year"] + 1)
    return draw(st.lists(st.tuples(st.just(target_id), years, values), max_size=6))


@st.composite
def plans(draw):
    """(targets, actuals, as_of) with up to six targets and a few figures each, duplicates allowed."""
    rows = draw(st.lists(target_rows(), min_size=1, max_size=6))
    rows = [{key: (np.nan if value is None and key != "baseline_qualifier" else value) for key, value in row.items()}
            for row in rows]
    figures = [figure for position, row in enumerate(rows) for figure in draw(figures_for(position + 1, row))]
    first_year = min(row["start_year"] for row in rows)
    last_year = max(row["target_year"] for row in rows)
    as_of = dt.date(draw(st.integers(first_year - 1, last_year + 2)), draw(st.integers(1, 12)), 1)
    return build_targets(*rows), build_actuals(*figures), as_of


@PROPERTY_SETTINGS
@given(plan=plans())
def test_required_growth_is_zero_or_negative_once_achieved(plan):
    targets, actuals, as_of = plan
    frame = compute_progress(targets, actuals, as_of)
    assert set(frame["status"]) <= set(STATUSES)
    achieved = frame[frame["achieved"] & frame["basis"].ne("annual")]
    assert (achieved["required_cagr"] <= 0).all()  # NaN would fail this too


@PROPERTY_SETTINGS
@given(plan=plans(), seed=st.integers(0, 2**32 - 2))
def test_row_order_of_targets_and_actuals_does_not_matter(plan, seed):
    targets, actuals, as_of = plan
    expected = compute_progress(targets, actuals, as_of)
    shuffled_targets = targets.sample(frac=1.0, random_state=seed)
    shuffled_actuals = actuals.sample(frac=1.0, random_state=seed + 1)
    pd.testing.assert_frame_equal(compute_progress(shuffled_targets, shuffled_actuals, as_of), expected, check_exact=True)


@PROPERTY_SETTINGS
@given(plan=plans())
def test_same_input_gives_identical_output_and_leaves_input_untouched(plan):
    targets, actuals, as_of = plan
    targets_before, actuals_before = targets.copy(), actuals.copy()
    first = compute_progress(targets, actuals, as_of)
    second = compute_progress(targets, actuals, as_of)
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    pd.testing.assert_frame_equal(targets, targets_before)
    pd.testing.assert_frame_equal(actuals, actuals_before)
    assert list(first["target_id"]) == sorted(targets["target_id"])
