"""Unit tests of compute_progress and milestone_states: one behaviour per test."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from kpis.core.engine import (
    METHOD_VERSION,
    OUTPUT_COLUMNS,
    TARGET_COLUMNS,
    Thresholds,
    compute_progress,
    milestone_states,
)
from tests.kpis.conftest import build_actuals, build_targets

AS_OF = dt.date(2023, 6, 30)
NAN = np.nan


def run(targets, actuals, as_of=AS_OF, thresholds=Thresholds()):
    return compute_progress(targets, actuals, as_of, thresholds).set_index("target_id")


def only(targets, actuals, as_of=AS_OF, thresholds=Thresholds()):
    """The single output row, for one-target cases."""
    frame = run(targets, actuals, as_of, thresholds)
    assert len(frame) == 1
    return frame.iloc[0]


# --- comparators ---------------------------------------------------------------------------

COMPARATOR_CASES = [
    # comparator, value, value_high, tolerance_pct, direction, actual, achieved
    ("gte", 100.0, NAN, NAN, "higher", 100.0, True),
    ("gte", 100.0, NAN, NAN, "higher", 99.9, False),
    ("gt", 100.0, NAN, NAN, "higher", 100.0, False),
    ("gt", 100.0, NAN, NAN, "higher", 100.1, True),
    ("lte", 100.0, NAN, NAN, "lower", 100.0, True),
    ("lte", 100.0, NAN, NAN, "lower", 100.1, False),
    ("lt", 100.0, NAN, NAN, "lower", 100.0, False),
    ("lt", 100.0, NAN, NAN, "lower", 99.9, True),
    ("eq", 100.0, NAN, NAN, "higher", 100.0, True),
    ("eq", 100.0, NAN, NAN, "higher", 100.5, False),
    ("approx", 100.0, NAN, NAN, "higher", 109.9, True),
    ("approx", 100.0, NAN, NAN, "higher", 90.1, True),
    ("approx", 100.0, NAN, NAN, "higher", 110.5, False),
    ("approx", 100.0, NAN, 5.0, "higher", 95.5, True),
    ("approx", 100.0, NAN, 5.0, "higher", 94.0, False),
    ("range", 5.0, 6.0, NAN, "higher", 5.5, True),
    ("range", 5.0, 6.0, NAN, "higher", 4.9, False),
    ("range", 5.0, 6.0, NAN, "higher", 6.5, True),
    ("range", 3.0, 4.0, NAN, "lower", 3.5, True),
    ("range", 3.0, 4.0, NAN, "lower", 4.2, False),
    ("range", 3.0, NAN, NAN, "lower", 3.0, True),
    ("range", 3.0, NAN, NAN, "lower", 3.1, False),
]


@pytest.mark.parametrize("comparator,value,value_high,tolerance,direction,actual,expected", COMPARATOR_CASES)
def test_each_comparator_decides_achieved(comparator, value, value_high, tolerance, direction, actual, expected):
    targets = build_targets(
        {"comparator": comparator, "value": value, "value_high": value_high, "tolerance_pct": tolerance, "direction": direction}
    )
    row = only(targets, build_actuals((1, 2023, actual)))
    assert bool(row["achieved"]) is expected
    assert (row["status"] == "achieved") is expected


def test_approx_default_tolerance_is_a_threshold_parameter():
    targets = build_targets({"comparator": "approx", "value": 100.0})
    actuals = build_actuals((1, 2023, 115.0))
    assert not only(targets, actuals)["achieved"]
    assert only(targets, actuals, thresholds=Thresholds(approx_tolerance_pct=20.0))["achieved"]


@pytest.mark.parametrize("comparator", ["eq", "gte", "lte"])
def test_sums_with_float_noise_still_meet_an_exact_target(comparator):
    # 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
    targets = build_targets({"comparator": comparator, "value": 0.3, "basis": "cumulative", "kind": "count"})
    row = only(targets, build_actuals((1, 2021, 0.1), (1, 2022, 0.2)))
    assert row["achieved"]


# --- direction: progress and gap ----------------------------------------------------------


def test_progress_from_baseline_when_higher_is_better():
    targets = build_targets({"value": 100.0, "baseline_value": 50.0, "baseline_year": 2020})
    row = only(targets, build_actuals((1, 2023, 75.0)))
    assert row["progress"] == pytest.approx(0.5)
    assert row["gap"] == pytest.approx(25.0)


def test_progress_from_baseline_when_lower_is_better():
    targets = build_targets(
        {"comparator": "lte", "direction": "lower", "value": 10.0, "baseline_value": 20.0, "baseline_year": 2020, "kind": "rate"}
    )
    row = only(targets, build_actuals((1, 2023, 15.0)))
    assert row["progress"] == pytest.approx(0.5)
    assert row["gap"] == pytest.approx(5.0)  # positive: still 5 units to cut


def test_progress_without_baseline_is_actual_over_target_when_higher_is_better():
    row = only(build_targets({"value": 100.0}), build_actuals((1, 2023, 80.0)))
    assert row["progress"] == pytest.approx(0.8)
    assert row["gap"] == pytest.approx(20.0)
    assert "no baseline: progress = actual/target" in row["reason"]


def test_progress_without_baseline_is_target_over_actual_when_lower_is_better():
    targets = build_targets({"comparator": "lte", "direction": "lower", "value": 10.0, "kind": "rate"})
    row = only(targets, build_actuals((1, 2023, 20.0)))
    assert row["progress"] == pytest.approx(0.5)
    assert row["gap"] == pytest.approx(10.0)
    assert "progress = target/actual" in row["reason"]


def test_gap_turns_negative_once_the_target_is_passed():
    row = only(build_targets({"value": 100.0}), build_actuals((1, 2023, 120.0)))
    assert row["gap"] == pytest.approx(-20.0)


def test_baseline_beyond_target_falls_back_to_actual_over_target():
    targets = build_targets({"value": 100.0, "baseline_value": 120.0, "baseline_year": 2020})
    row = only(targets, build_actuals((1, 2023, 90.0)))
    assert row["progress"] == pytest.approx(0.9)
    assert "baseline already at or beyond target" in row["reason"]


# --- basis ------------------------------------------------------------------------------


def test_cumulative_target_sums_annual_additions_from_start_year():
    targets = build_targets({"basis": "cumulative", "value": 100.0, "start_year": 2021, "target_year": 2025})
    actuals = build_actuals((1, 2019, 50.0), (1, 2021, 20.0), (1, 2022, 30.0), (1, 2023, 25.0))
    row = only(targets, actuals)
    assert row["latest_value"] == pytest.approx(75.0)  # the 2019 addition predates the plan
    assert row["progress"] == pytest.approx(0.75)
    # Straight path from 0 at the end of 2020 to 100 in 2025: 60 due by 2023.
    assert row["trajectory_value"] == pytest.approx(60.0)
    assert row["status"] == "on_track"


def test_cumulative_target_ignores_additions_after_the_target_year():
    targets = build_targets({"basis": "cumulative", "value": 100.0, "start_year": 2021, "target_year": 2025})
    additions = [(1, year, 20.0) for year in range(2021, 2026)] + [(1, 2026, 50.0)]
    row = only(targets, build_actuals(*additions), as_of=dt.date(2027, 3, 1))
    assert row["latest_year"] == 2025
    assert row["latest_value"] == pytest.approx(100.0)
    assert row["status"] == "achieved"


def test_cumulative_target_short_after_the_deadline_is_overdue():
    targets = build_targets({"basis": "cumulative", "value": 100.0, "start_year": 2021, "target_year": 2025})
    additions = [(1, year, 16.0) for year in range(2021, 2026)]
    row = only(targets, build_actuals(*additions), as_of=dt.date(2026, 6, 1))
    assert row["latest_value"] == pytest.approx(80.0)
    assert row["status"] == "overdue"


def annual_target(**overrides):
    return build_targets({"basis": "annual", "kind": "rate", "value": 7.0, "start_year": 2021, "target_year": 2025, **overrides})


def test_annual_target_counts_share_of_years_met():
    actuals = build_actuals((1, 2020, 1.0), (1, 2021, 7.5), (1, 2022, 6.9), (1, 2023, 7.0))
    row = only(annual_target(), actuals)
    assert (row["years_met"], row["years_reported"], row["years_due"]) == (2, 3, 3)
    assert row["share_met"] == pytest.approx(2 / 3)
    assert row["status"] == "at_risk"
    assert not row["achieved"]
    assert row["reason"] == "met in 2 of 3 reported years"
    assert row["reason_zh"] == "已报告的3个年份中2个达标"


def test_annual_target_met_every_year_so_far_is_achieved():
    row = only(annual_target(), build_actuals((1, 2021, 7.5), (1, 2022, 7.1), (1, 2023, 7.0)))
    assert row["status"] == "achieved"
    assert row["achieved"]
    assert row["share_met"] == 1.0


def test_annual_target_met_in_few_years_is_off_track():
    row = only(annual_target(), build_actuals((1, 2021, 7.5), (1, 2022, 6.1), (1, 2023, 6.0)))
    assert row["share_met"] == pytest.approx(1 / 3)
    assert row["status"] == "off_track"


def test_annual_share_cut_off_is_a_threshold_parameter():
    actuals = build_actuals((1, 2021, 7.5), (1, 2022, 6.9), (1, 2023, 7.0))
    assert only(annual_target(), actuals, thresholds=Thresholds(at_risk_share=0.7))["status"] == "off_track"


def test_annual_target_notes_due_years_without_figures():
    row = only(annual_target(), build_actuals((1, 2021, 7.5), (1, 2022, 7.1), (1, 2023, 7.0)), as_of=dt.date(2024, 5, 1))
    assert (row["years_reported"], row["years_due"]) == (3, 4)
    assert row["status"] == "achieved"  # judged on the years reported
    assert "1 due years unreported" in row["reason"]


def test_annual_target_only_judges_the_plan_period():
    actuals = build_actuals(*[(1, year, 7.2) for year in range(2021, 2026)], (1, 2026, 1.0))
    row = only(annual_target(), actuals, as_of=dt.date(2030, 1, 1))
    assert (row["years_met"], row["years_due"]) == (5, 5)
    assert row["status"] == "achieved"


def test_annual_target_without_figures_has_no_data():
    row = only(annual_target(), build_actuals())
    assert row["status"] == "no_data"
    assert (row["years_reported"], row["years_due"]) == (0, 3)


def test_non_annual_targets_leave_year_counts_empty():
    row = only(build_targets({}), build_actuals((1, 2023, 50.0)))
    assert pd.isna(row["years_met"]) and pd.isna(row["share_met"])


# --- kind: shape of the expected path ----------------------------------------------------


def path_target(kind, baseline):
    return build_targets({"kind": kind, "value": 400.0, "baseline_value": baseline, "baseline_year": 2021, "target_year": 2025})


@pytest.mark.parametrize("kind", ["flow", "stock"])
def test_flows_and_stocks_follow_a_geometric_path(kind):
    row = only(path_target(kind, 100.0), build_actuals((1, 2023, 200.0)))
    assert row["trajectory_value"] == pytest.approx(200.0)  # 100 * 4 ** (2 / 4)
    assert row["trajectory_ratio"] == pytest.approx(1.0)
    assert row["status"] == "on_track"


@pytest.mark.parametrize("kind", ["count", "share", "rate"])
def test_counts_shares_and_rates_follow_a_straight_path(kind):
    row = only(path_target(kind, 100.0), build_actuals((1, 2023, 200.0)))
    assert row["trajectory_value"] == pytest.approx(250.0)
    assert row["trajectory_ratio"] == pytest.approx(0.8)
    assert row["status"] == "off_track"


@pytest.mark.parametrize("baseline,expected_path", [(0.0, 200.0), (-100.0, 150.0)])
def test_geometric_kind_falls_back_to_a_straight_path_when_baseline_is_not_positive(baseline, expected_path):
    row = only(path_target("flow", baseline), build_actuals((1, 2023, 100.0)))
    assert row["trajectory_value"] == pytest.approx(expected_path)


def test_share_target_uses_a_straight_path_in_percentage_points():
    targets = build_targets({"kind": "share", "value": 50.0, "baseline_value": 40.0, "baseline_year": 2020, "target_year": 2025})
    row = only(targets, build_actuals((1, 2023, 46.0)))
    assert row["trajectory_value"] == pytest.approx(46.0)
    assert row["progress"] == pytest.approx(0.6)
    assert row["status"] == "on_track"


# --- aspirational flag ----------------------------------------------------------------------


def test_aspirational_flag_is_carried_and_judged_the_same():
    targets = build_targets({"aspirational": True}, {"aspirational": False})
    frame = run(targets, build_actuals((1, 2023, 70.0), (2, 2023, 70.0)))
    assert list(frame["aspirational"]) == [True, False]
    assert frame.loc[1, "status"] == frame.loc[2, "status"]
    assert frame.loc[1, "progress"] == frame.loc[2, "progress"]


# --- status rules ---------------------------------------------------------------------------


def linear_target(**overrides):
    """b = 100 in 2020, T = 200 in 2025, straight path: 160 due by 2023."""
    return build_targets({"kind": "count", "value": 200.0, "baseline_value": 100.0, "baseline_year": 2020, **overrides})


@pytest.mark.parametrize(
    "actual,status,reason",
    [
        (160.0, "on_track", "at or above trajectory"),
        (170.0, "on_track", "at or above trajectory"),
        (152.0, "at_risk", "below trajectory by 5.0%"),
        (128.0, "off_track", "below trajectory by 20.0%"),
    ],
)
def test_status_follows_the_ratio_to_the_expected_path(actual, status, reason):
    row = only(linear_target(), build_actuals((1, 2023, actual)))
    assert row["trajectory_value"] == pytest.approx(160.0)
    assert row["status"] == status
    assert row["reason"] == reason


def test_rounding_slack_below_the_path_is_on_track_and_configurable():
    actuals = build_actuals((1, 2023, 159.9))
    assert only(linear_target(), actuals)["status"] == "on_track"
    assert only(linear_target(), actuals, thresholds=Thresholds(on_track_ratio=1.0))["status"] == "at_risk"


def test_at_risk_cut_off_is_a_threshold_parameter():
    actuals = build_actuals((1, 2023, 152.0))
    assert only(linear_target(), actuals, thresholds=Thresholds(at_risk_ratio=0.96))["status"] == "off_track"


def test_projection_that_meets_target_lifts_status_to_on_track():
    # Below the path (152 < 160) but the 2022->2023 trend reaches 256 by 2025.
    actuals = build_actuals((1, 2022, 100.0), (1, 2023, 152.0))
    row = only(linear_target(), actuals)
    assert row["projection_linear"] == pytest.approx(256.0)
    assert row["status"] == "on_track"
    assert row["reason"] == "below trajectory by 5.0%; projection meets target by 2025"
    strict = Thresholds(projection_rescues=False)
    assert only(linear_target(), actuals, thresholds=strict)["status"] == "at_risk"


def test_missed_target_after_the_target_year_is_overdue():
    row = only(linear_target(), build_actuals((1, 2025, 180.0)), as_of=dt.date(2026, 4, 1))
    assert row["status"] == "overdue"
    assert row["reason"] == "target year 2025 passed; latest (2025) misses target"
    assert "目标年份2025年已过" in row["reason_zh"]


def test_target_met_late_counts_as_achieved():
    row = only(linear_target(), build_actuals((1, 2025, 180.0), (1, 2026, 210.0)), as_of=dt.date(2027, 4, 1))
    assert row["status"] == "achieved"
    assert row["latest_year"] == 2026


def test_figures_after_the_as_of_year_are_ignored():
    actuals = build_actuals((1, 2023, 160.0), (1, 2024, 300.0))
    assert only(linear_target(), actuals, as_of=dt.date(2023, 12, 31))["latest_year"] == 2023
    row = only(linear_target(), actuals, as_of=dt.date(2024, 1, 1))
    assert (row["latest_year"], row["status"]) == (2024, "achieved")


def test_target_without_figures_has_no_data():
    targets = linear_target()
    row = only(targets, build_actuals((99, 2023, 1.0)))
    assert row["status"] == "no_data"
    assert row["reason"] == "no approved actuals"
    assert row["reason_zh"] == "暂无已审定的实际数据"
    late = only(targets, build_actuals(), as_of=dt.date(2026, 1, 1))
    assert (late["status"], late["reason"]) == ("no_data", "no approved actuals; target year 2025 passed")


def test_figures_before_the_base_year_do_not_count_for_a_level_target():
    row = only(linear_target(), build_actuals((1, 2018, 150.0)))
    assert row["status"] == "no_data"


def test_years_left_counts_from_the_latest_figure():
    row = only(linear_target(), build_actuals((1, 2022, 140.0)))
    assert row["years_left"] == 3


# --- edge cases -----------------------------------------------------------------------------


def test_zero_baseline_gives_actual_over_target_and_a_straight_path():
    targets = build_targets({"value": 100.0, "baseline_value": 0.0, "baseline_year": 2020})
    row = only(targets, build_actuals((1, 2023, 40.0)))
    assert row["progress"] == pytest.approx(0.4)
    assert row["trajectory_value"] == pytest.approx(60.0)
    assert np.isnan(row["actual_cagr"])
    assert "no CAGR: values not both positive" in row["reason"]


def test_missing_baseline_and_one_figure_leaves_the_path_unknown():
    row = only(build_targets({"value": 100.0}), build_actuals((1, 2023, 60.0)))
    assert np.isnan(row["trajectory_value"])
    assert row["status"] == "at_risk"
    assert row["reason"].startswith("trajectory unknown: no baseline and a single figure")


def test_missing_baseline_uses_the_earliest_figure_as_path_start():
    targets = build_targets({"value": 146.41, "start_year": 2021, "target_year": 2025})
    row = only(targets, build_actuals((1, 2021, 100.0), (1, 2023, 121.0)))
    assert row["trajectory_value"] == pytest.approx(121.0)  # 100 * 1.4641 ** 0.5
    assert row["actual_cagr"] == pytest.approx(0.1)
    assert row["progress"] == pytest.approx(121.0 / 146.41)  # still actual / target
    assert row["status"] == "on_track"


def test_baseline_qualified_as_over_is_used_as_is_and_noted():
    exact = {"value": 200.0, "baseline_value": 100.0, "baseline_year": 2020, "baseline_qualifier": "exact"}
    targets = build_targets(exact, {**exact, "baseline_qualifier": "over"})
    frame = run(targets, build_actuals((1, 2023, 150.0), (2, 2023, 150.0)))
    assert frame.loc[1, "progress"] == frame.loc[2, "progress"] == pytest.approx(0.5)
    assert "lower bound" not in frame.loc[1, "reason"]
    assert "baseline is a lower bound ('over')" in frame.loc[2, "reason"]
    assert "下限" in frame.loc[2, "reason_zh"]


def test_single_figure_projects_along_baseline_to_latest():
    targets = build_targets({"kind": "count", "value": 200.0, "baseline_value": 100.0, "baseline_year": 2020})
    row = only(targets, build_actuals((1, 2023, 130.0)))
    assert row["projection_linear"] == pytest.approx(150.0)  # +10 a year for two more years
    assert row["actual_cagr"] == pytest.approx(1.3 ** (1 / 3) - 1)
    assert row["projection_compound"] == pytest.approx(100.0 * 1.3 ** (5 / 3))


def test_least_squares_line_over_several_figures():
    targets = build_targets({"kind": "count", "value": 100.0})
    row = only(targets, build_actuals((1, 2021, 10.0), (1, 2022, 14.0), (1, 2023, 30.0)))
    assert row["projection_linear"] == pytest.approx(48.0)  # mean 18 at 2022, slope 10 a year


def test_compound_projection_and_anticipated_progress_for_a_flow():
    targets = build_targets({"value": 200.0, "baseline_value": 100.0, "baseline_year": 2020})
    row = only(targets, build_actuals((1, 2022, 121.0)), as_of=dt.date(2022, 12, 31))
    assert row["actual_cagr"] == pytest.approx(0.1)
    assert row["projection_compound"] == pytest.approx(161.051)
    assert row["anticipated_progress"] == pytest.approx(0.61051)


def test_target_already_met_needs_no_growth():
    targets = build_targets({"value": 150.0, "baseline_value": 100.0, "baseline_year": 2020})
    row = only(targets, build_actuals((1, 2023, 180.0)))
    assert row["status"] == "achieved"
    assert row["required_cagr"] == pytest.approx((150 / 180) ** 0.5 - 1)
    assert row["required_cagr"] < 0


def test_lower_is_better_target_met_needs_zero_growth():
    targets = build_targets({"comparator": "lte", "direction": "lower", "value": 10.0, "kind": "rate"})
    row = only(targets, build_actuals((1, 2023, 8.0)))
    assert row["achieved"]
    assert row["required_cagr"] == 0.0


def test_required_growth_before_the_target_is_met():
    targets = build_targets({"value": 200.0, "baseline_value": 100.0, "baseline_year": 2020})
    row = only(targets, build_actuals((1, 2023, 160.0)))
    assert row["required_cagr"] == pytest.approx(1.25**0.5 - 1)


def test_values_of_opposite_sign_have_no_growth_rate():
    targets = build_targets({"kind": "rate", "value": 20.0, "baseline_value": -10.0, "baseline_year": 2020})
    row = only(targets, build_actuals((1, 2023, 5.0)))
    assert np.isnan(row["actual_cagr"])
    assert row["progress"] == pytest.approx(0.5)  # (5 + 10) / (20 + 10)
    assert row["trajectory_value"] == pytest.approx(8.0)
    assert "no CAGR: values of opposite sign" in row["reason"]
    assert "符号相反" in row["reason_zh"]


@pytest.mark.parametrize("actual,status,required", [(90.0, "off_track", None), (130.0, "achieved", 0.0)])
def test_target_year_equal_to_baseline_year(actual, status, required):
    targets = build_targets(
        {"kind": "count", "value": 120.0, "baseline_value": 100.0, "baseline_year": 2025, "start_year": 2021, "target_year": 2025}
    )
    row = only(targets, build_actuals((1, 2025, actual)), as_of=dt.date(2025, 12, 31))
    assert row["trajectory_value"] == pytest.approx(120.0)  # the whole target is due at once
    assert np.isnan(row["actual_cagr"])
    assert row["years_left"] == 0
    assert row["status"] == status
    if required is None:
        assert np.isnan(row["required_cagr"])
    else:
        assert row["required_cagr"] == required


def test_latest_year_equal_to_target_year_has_no_required_rate_unless_met():
    targets = build_targets({"value": 200.0, "baseline_value": 100.0, "baseline_year": 2020}, {"value": 150.0})
    frame = run(targets, build_actuals((1, 2025, 180.0), (2, 2025, 180.0)), as_of=dt.date(2025, 12, 31))
    assert list(frame["years_left"]) == [0, 0]
    assert np.isnan(frame.loc[1, "required_cagr"])
    assert frame.loc[2, "required_cagr"] == 0.0
    assert frame.loc[1, "projection_linear"] == frame.loc[1, "latest_value"]


def test_duplicate_figures_for_a_year_are_averaged():
    row = only(build_targets({}), build_actuals((1, 2023, 100.0), (1, 2023, 120.0)))
    assert row["latest_value"] == pytest.approx(110.0)


@pytest.mark.parametrize("actuals", [None, build_actuals()])
def test_missing_or_empty_actuals_give_no_data(actuals):
    frame = run(build_targets({}, {}), actuals)
    assert list(frame["status"]) == ["no_data", "no_data"]


@pytest.mark.parametrize("empty", [build_targets().iloc[0:0], pd.DataFrame(columns=list(TARGET_COLUMNS))])
def test_no_targets_give_an_empty_frame_with_all_columns(empty):
    frame = compute_progress(empty, build_actuals((1, 2023, 1.0)), AS_OF)
    assert frame.empty
    assert tuple(frame.columns) == OUTPUT_COLUMNS


def test_decimal_inputs_from_django_are_accepted():
    targets = build_targets({"value": Decimal("200"), "baseline_value": Decimal("100"), "baseline_year": 2020})
    actuals = pd.DataFrame({"target_id": [1], "year": [2023], "value": [Decimal("160.0")]})
    row = only(targets, actuals)
    assert row["progress"] == pytest.approx(0.6)


def test_inputs_are_not_modified():
    targets = linear_target()
    actuals = build_actuals((1, 2023, 150.0), (1, 2022, 120.0))
    before = (targets.copy(), actuals.copy())
    compute_progress(targets, actuals, AS_OF)
    pd.testing.assert_frame_equal(targets, before[0])
    pd.testing.assert_frame_equal(actuals, before[1])


def test_output_contract():
    frame = compute_progress(linear_target(), build_actuals((1, 2023, 150.0)), AS_OF)
    assert tuple(frame.columns) == OUTPUT_COLUMNS
    assert frame["latest_year"].dtype == "Int64"
    assert frame["achieved"].dtype == bool
    assert frame["method_version"].iloc[0] == METHOD_VERSION
    assert frame["reason_zh"].iloc[0] == "低于预期进度6.2%"


@pytest.mark.parametrize(
    "column,bad_value",
    [("comparator", "about"), ("basis", "yearly"), ("direction", "up"), ("kind", "money"), ("baseline_qualifier", "roughly")],
)
def test_unknown_codes_are_rejected(column, bad_value):
    with pytest.raises(ValueError, match=column):
        compute_progress(build_targets({column: bad_value}), build_actuals(), AS_OF)


def test_duplicate_target_ids_and_missing_columns_are_rejected():
    with pytest.raises(ValueError, match="one row per target_id"):
        compute_progress(build_targets({"target_id": 1}, {"target_id": 1}), build_actuals(), AS_OF)
    with pytest.raises(ValueError, match="missing columns"):
        compute_progress(build_targets({}).drop(columns="kind"), build_actuals(), AS_OF)


def test_inconsistent_thresholds_are_rejected():
    with pytest.raises(ValueError):
        Thresholds(at_risk_ratio=0.95, on_track_ratio=0.9)
    with pytest.raises(ValueError):
        Thresholds(at_risk_share=1.5)


# --- milestones -----------------------------------------------------------------------------


def test_milestone_states_as_of_a_day():
    milestones = pd.DataFrame(
        {
            "milestone_id": [1, 2, 3, 4, 5, 6],
            "deadline": [dt.date(2023, 6, 30)] * 3 + [dt.date(2023, 7, 1), dt.date(2023, 5, 31), dt.date(2023, 5, 31)],
            "completed_on": [dt.date(2023, 6, 30), dt.date(2023, 7, 10), None, None, None, dt.date(2023, 8, 1)],
        }
    )
    states = milestone_states(milestones, dt.date(2023, 7, 15)).set_index("milestone_id")
    assert list(states["state"]) == ["done", "done_late", "overdue", "overdue", "overdue", "overdue"]
    assert list(states["days_late"]) == [0, 10, 15, 14, 45, 45]


def test_milestone_due_today_is_still_pending_and_later_completion_is_not_yet_known():
    milestones = pd.DataFrame(
        {
            "milestone_id": [1, 2],
            "deadline": pd.to_datetime(["2023-07-15", "2023-12-31"]),
            "completed_on": pd.to_datetime([None, "2024-01-05"]),
        }
    )
    states = milestone_states(milestones, dt.date(2023, 7, 15))
    assert list(states["state"]) == ["pending", "pending"]
    assert list(states["days_late"]) == [0, 0]
    later = milestone_states(milestones, dt.date(2024, 2, 1))
    assert list(later["state"]) == ["overdue", "done_late"]


def test_milestone_without_deadline_is_rejected():
    milestones = pd.DataFrame({"milestone_id": [1], "deadline": [None], "completed_on": [None]})
    with pytest.raises(ValueError, match="deadline"):
        milestone_states(milestones, dt.date(2023, 1, 1))
