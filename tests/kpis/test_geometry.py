"""What pages draw and the what-if API answers comes from the core: the path, the band, the
counted series and the what-if verdict, each checked against the engine's own judgement."""
import datetime as dt

import pandas as pd
import pytest

from kpis.core import engine
from kpis.core.thresholds import Thresholds
from kpis.core.whatif import whatif
from tests.kpis.conftest import build_actuals, build_targets

AS_OF = dt.date(2023, 6, 30)


def test_the_geometric_path_compounds_the_guangzhou_footnotes_10_8_percent():
    targets = build_targets({"baseline_value": 3000.0, "baseline_year": 2015, "value": 5000.0, "start_year": 2016,
                             "target_year": 2020, "kind": "flow"})
    path = engine.trajectory(targets, None, dt.date(2016, 1, 1)).set_index("year")["value"]
    assert list(path.index) == [2015, 2016, 2017, 2018, 2019, 2020]
    assert round((path[2016] / 3000 - 1) * 100, 1) == 10.8 and path[2020] == pytest.approx(5000.0)


def test_the_path_at_the_latest_year_is_the_snapshots_trajectory_value():
    targets = build_targets({"baseline_value": 676.0, "baseline_year": 2021, "value": 1200.0, "start_year": 2022},
                            {"value": 50.0, "kind": "count", "basis": "cumulative"})
    actuals = build_actuals((1, 2022, 800.0), (1, 2023, 950.0), (2, 2021, 10.0), (2, 2022, 12.0), (2, 2023, 9.0))
    result = engine.compute_progress(targets, actuals, AS_OF).set_index("target_id")
    path = engine.trajectory(targets, actuals, AS_OF).set_index(["target_id", "year"])["value"]
    for target_id in (1, 2):
        latest_year = int(result.loc[target_id, "latest_year"])
        assert path[(target_id, latest_year)] == pytest.approx(result.loc[target_id, "trajectory_value"])


def test_a_cumulative_target_counts_its_running_total_and_keeps_each_years_addition():
    targets = build_targets({"value": 50.0, "kind": "count", "basis": "cumulative", "start_year": 2021})
    actuals = build_actuals((1, 2020, 99.0), (1, 2021, 10.0), (1, 2022, 12.0), (1, 2023, 9.0))
    series = engine.counted_series(targets, actuals, AS_OF)
    assert list(series["year"]) == [2021, 2022, 2023]  # 2020 predates the plan period
    assert list(series["reported"]) == [10.0, 12.0, 9.0]
    assert list(series["value"]) == [10.0, 22.0, 31.0]
    assert engine.compute_progress(targets, actuals, AS_OF)["latest_value"].iloc[0] == 31.0
    path = engine.trajectory(targets, actuals, AS_OF)
    assert (path["year"].iloc[0], path["value"].iloc[0]) == (2020, 0.0)  # from zero before the period


@pytest.mark.parametrize("tolerance", [5.0, 10.0, 20.0])
def test_an_about_targets_band_follows_the_configured_tolerance(tolerance):
    targets = build_targets({"comparator": "approx", "value": 200.0})
    band = engine.target_band(targets, Thresholds(approx_tolerance_pct=tolerance)).iloc[0]
    assert band["band_low"] == pytest.approx(200.0 - 2 * tolerance)
    assert band["band_high"] == pytest.approx(200.0 + 2 * tolerance)
    # The band's edges are exactly where the engine stops judging the target achieved.
    inside = build_actuals((1, 2023, band["band_high"]))
    outside = build_actuals((1, 2023, band["band_high"] * 1.001))
    thresholds = Thresholds(approx_tolerance_pct=tolerance)
    assert engine.compute_progress(targets, inside, AS_OF, thresholds)["achieved"].iloc[0]
    assert not engine.compute_progress(targets, outside, AS_OF, thresholds)["achieved"].iloc[0]


def test_a_targets_own_tolerance_wins_and_a_range_is_its_two_ends():
    targets = build_targets({"comparator": "approx", "value": 100.0, "tolerance_pct": 3.0},
                            {"comparator": "range", "value": 30.0, "value_high": 50.0}, {"comparator": "gte"})
    bands = engine.target_band(targets, Thresholds(approx_tolerance_pct=10.0)).set_index("target_id")
    assert tuple(bands.loc[1]) == (97.0, 103.0)
    assert tuple(bands.loc[2]) == (30.0, 50.0)
    assert bands.loc[3].isna().all()


def verdict(target: dict, start: float, growth_pct: float, thresholds=Thresholds()) -> bool:
    targets = build_targets({"start_year": 2022, "target_year": 2025, **target})
    return bool(whatif(targets, build_actuals((1, 2023, start)), AS_OF, growth_pct, thresholds)["would_meet"].iloc[0])


def test_whatif_judges_a_range_by_its_ends():
    target = {"comparator": "range", "value": 100.0, "value_high": 120.0}
    assert verdict(target, 100.0, 0.0)  # 100 stays inside [100, 120]
    assert not verdict(target, 90.0, 0.0)
    lower = {**target, "direction": "lower"}
    assert verdict(lower, 130.0, -5.0)  # 130 * 0.95**2 = 117.3 <= 120: met from above
    assert not verdict(lower, 130.0, 0.0)


def test_whatif_judges_an_about_target_by_its_tolerance_both_ways():
    target = {"comparator": "approx", "value": 100.0}
    assert verdict(target, 100.0, 4.0)  # 108.16: within 10 %
    assert not verdict(target, 100.0, 6.0)  # 112.36: overshoots an "about" target
    assert verdict(target, 100.0, 6.0, Thresholds(approx_tolerance_pct=15.0))


def test_whatif_holds_a_strict_target_to_strictly_more():
    assert not verdict({"comparator": "gt", "value": 121.0}, 100.0, 10.0)  # lands on 121: not more than 121
    assert verdict({"comparator": "gte", "value": 121.0}, 100.0, 10.0)
    assert verdict({"comparator": "lt", "value": 90.0, "direction": "lower"}, 100.0, -6.0)


def test_whatif_starts_from_the_running_total_of_a_cumulative_target():
    targets = build_targets({"value": 50.0, "kind": "count", "basis": "cumulative", "start_year": 2021})
    result = whatif(targets, build_actuals((1, 2021, 10.0), (1, 2022, 12.0)), AS_OF, 0.0).iloc[0]
    assert (result["start_source"], result["start_year"], result["start_value"]) == ("actual", 2022, 22.0)


def test_the_picture_is_what_each_of_its_parts_says_alone():
    # picture() judges once; its parts must equal the functions that judge on their own.
    targets = build_targets(
        {"value": 50.0, "kind": "count", "basis": "cumulative", "start_year": 2021},
        {"value": 8.0, "value_high": 10.0, "comparator": "range", "baseline_value": 5.0, "baseline_year": 2020},
    )
    actuals = build_actuals((1, 2021, 12.0), (1, 2022, 9.0), (2, 2021, 6.0), (2, 2022, 7.5))
    drawn = engine.picture(targets, actuals, AS_OF)
    assert set(drawn.series["target_id"]) == {1, 2}
    pd.testing.assert_frame_equal(drawn.series, engine.counted_series(targets, actuals, AS_OF))
    pd.testing.assert_frame_equal(drawn.path, engine.trajectory(targets, actuals, AS_OF))
    pd.testing.assert_frame_equal(drawn.band, engine.target_band(targets))
    assert not drawn.path.empty and drawn.band["band_high"].notna().any()
