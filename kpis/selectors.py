"""Reads for the KPI side: the engine's input frames, built from the database in a few queries,
and the core's answers for one target (its counted figures, path, band, what-if) for the pages
and the API, so that no surface does the arithmetic itself.

Which version of a figure counts on a date is trackers.selectors.counting_versions.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
from django.conf import settings
from django.db.models import FloatField, Max, QuerySet
from django.db.models.functions import Cast

from config.bulk import frame_read
from kpis.core import engine, opensdg
from kpis.core.whatif import whatif
from kpis.models import RecomputeRun
from trackers.models import Milestone, Target
from trackers.quantities import convert
from trackers.selectors import counting_versions, end_of_day, published_targets

TARGET_FIELDS = (
    "id", "comparator", "value", "value_high", "unit", "tolerance_pct", "year", "plan__start_year",
    "basis", "indicator__direction", "indicator__kind", "indicator__unit", "aspirational",
    "baseline__value", "baseline__unit", "baseline__year", "baseline__qualifier", "indicator_id", "region_id",
    "plan_id",
)
FIGURE_COLUMNS = ["version_id", "actual_id", "indicator_id", "region_id", "year", "value"]


def engine_thresholds() -> engine.Thresholds:
    """The engine's cut-offs as this installation sets them (KPI_* settings)."""
    return engine.Thresholds(
        approx_tolerance_pct=settings.KPI_APPROX_TOLERANCE_PCT, at_risk_ratio=settings.KPI_AT_RISK_RATIO
    )


def targets_frame(targets: QuerySet[Target], default_tolerance_pct: float) -> pd.DataFrame:
    """Engine input: one row per target, values converted exactly to the indicator's unit."""
    rows = list(targets.order_by().values_list(*TARGET_FIELDS))  # no sort: the engine needs none
    frame = pd.DataFrame(rows, columns=TARGET_FIELDS)
    if frame.empty:
        return _empty_targets()
    # Exact unit conversion, one factor per distinct (unit, indicator unit) pair.
    frame["value"] = frame["value"] * _factors(frame["unit"], frame["indicator__unit"])
    frame["value_high"] = frame["value_high"] * _factors(frame["unit"], frame["indicator__unit"])
    has_baseline = frame["baseline__value"].notna()
    frame.loc[has_baseline, "baseline__value"] = frame.loc[has_baseline, "baseline__value"] * _factors(
        frame.loc[has_baseline, "baseline__unit"], frame.loc[has_baseline, "indicator__unit"]
    )
    frame["tolerance_pct"] = frame["tolerance_pct"].where(frame["tolerance_pct"].notna(), default_tolerance_pct)
    return frame.rename(columns={
        "id": "target_id", "year": "target_year", "plan__start_year": "start_year",
        "indicator__direction": "direction", "indicator__kind": "kind",
        "baseline__value": "baseline_value", "baseline__year": "baseline_year",
        "baseline__qualifier": "baseline_qualifier",
    })


def counted_figures_frame(targets: QuerySet[Target], as_of: dt.date) -> pd.DataFrame:
    """The version of every figure that counted at `as_of`, for the indicators and regions targeted.
    Read without a Python object per row (config.bulk.frame_read: COPY on PostgreSQL) and without
    the versions' default ordering: a sort of 1.5 million rows that nothing needs."""
    versions = counting_versions(as_of).filter(
        actual__indicator__in=targets.values("indicator"), actual__region__in=targets.values("region"),
    ).annotate(
        # The engine computes in floats; converting 1.5 million Decimals in Python costs seconds.
        value_float=Cast("value_in_indicator_unit", FloatField()),
    ).order_by().values_list("id", "actual_id", "actual__indicator_id", "actual__region_id", "actual__year",
                             "value_float")
    frame = frame_read(versions, FIGURE_COLUMNS, float_columns=["value"])
    return frame.astype({"year": "int64"}) if not frame.empty else frame


def actuals_frame(targets: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Engine input: each target's series; one figure serves every target of its indicator."""
    if figures.empty or targets.empty:
        return pd.DataFrame(columns=["target_id", "year", "value", "version_id"])
    joined = targets[["target_id", "indicator_id", "region_id"]].merge(
        figures, on=["indicator_id", "region_id"], how="inner"
    )
    return joined[["target_id", "year", "value", "version_id"]]


def engine_inputs(targets: QuerySet[Target], as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, engine.Thresholds]:
    """Targets and the figures that counted at `as_of`, as the engine takes them."""
    thresholds = engine_thresholds()
    plan = targets_frame(targets, thresholds.approx_tolerance_pct)
    series = actuals_frame(plan, counted_figures_frame(targets, as_of))
    return plan, series, thresholds


def progress_frame(targets: QuerySet[Target], as_of: dt.date) -> pd.DataFrame:
    """The engine's verdict for each target at `as_of`, with the Open SDG method beside it, the
    target value in the indicator's unit and the version behind the latest value: what a
    snapshot stores."""
    plan, series, thresholds = engine_inputs(targets, as_of)
    inputs, figures = plan[list(engine.TARGET_COLUMNS)], series[list(engine.ACTUAL_COLUMNS)]
    result = engine.compute_progress(inputs, figures, as_of, thresholds)
    result = result.merge(opensdg.opensdg_status(inputs, figures, as_of, engine_thresholds=thresholds),
                          on="target_id", how="left")
    result = result.merge(plan[["target_id", "value", "plan_id"]], on="target_id", how="left")
    return result.merge(_latest_versions(series, result), on="target_id", how="left")


def _latest_versions(series: pd.DataFrame, result: pd.DataFrame) -> pd.DataFrame:
    """The version behind each target's latest value (for a cumulative target, the latest year's
    addition), for the report's who-and-when columns."""
    latest = result[["target_id", "latest_year"]].dropna()
    if series.empty or latest.empty:
        return pd.DataFrame({"target_id": result["target_id"], "version_id": np.nan})
    merged = latest.astype({"latest_year": "int64"}).merge(
        series.astype({"year": "int64"}), left_on=["target_id", "latest_year"], right_on=["target_id", "year"]
    )
    return merged[["target_id", "version_id"]].drop_duplicates("target_id")


def milestones_frame(milestones: QuerySet[Milestone], as_of: dt.date) -> pd.DataFrame:
    """Deadlines from the plan; completion as it was recorded by the end of `as_of` (the audit
    history), so a completion entered later does not rewrite a past date's state."""
    frame = pd.DataFrame(list(milestones.values_list("id", "deadline")), columns=["milestone_id", "deadline"])
    recorded = Milestone.history.filter(
        id__in=frame["milestone_id"].tolist(), history_date__lte=end_of_day(as_of)
    ).order_by("id", "history_date", "history_id").values_list("id", "completed_on")
    known = dict(recorded)  # the last record per milestone wins
    frame["completed_on"] = frame["milestone_id"].map(known)
    return frame


# One target, for its page and the what-if API: the core's answers, computed once.

def target_picture(target: Target, as_of: dt.date) -> dict:
    """What the target's page draws, all from the core: `series` (year, value counted, value
    reported, version_id), `path` (year, value), `band` (low, high) or None, `goal` and
    `baseline` (year, value) in the indicator's unit."""
    plan, series, thresholds = engine_inputs(Target.objects.filter(pk=target.pk), as_of)
    inputs, figures = plan[list(engine.TARGET_COLUMNS)], series[list(engine.ACTUAL_COLUMNS)]
    drawn = engine.picture(inputs, figures, as_of, thresholds)
    counted = drawn.series.merge(series[["year", "version_id"]].astype({"year": "int64"}), on="year", how="left")
    band, terms = drawn.band.iloc[0], drawn.terms.iloc[0]
    has_band = pd.notna(band["band_low"]) and pd.notna(band["band_high"])
    return {
        "series": counted[["year", "value", "reported", "version_id"]],
        "path": drawn.path[["year", "value"]],
        "band": (float(band["band_low"]), float(band["band_high"])) if has_band else None,
        "goal": float(terms["goal"]),
        "baseline": (int(terms["base_year"]), float(terms["baseline_value"]))
        if pd.notna(terms["baseline_value"]) else None,
    }


def target_whatif(target: Target, as_of: dt.date, growth_pct: float) -> dict:
    """The core's what-if for one target (kpis.core.whatif.whatif), as a plain dict."""
    plan, series, thresholds = engine_inputs(Target.objects.filter(pk=target.pk), as_of)
    result = whatif(plan[list(engine.TARGET_COLUMNS)], series[list(engine.ACTUAL_COLUMNS)], as_of, growth_pct,
                    thresholds)
    return result.iloc[0].to_dict()


def _factors(units: pd.Series, indicator_units: pd.Series) -> pd.Series:
    pairs = pd.Series(list(zip(units, indicator_units)), index=units.index)
    table = {pair: convert(Decimal(1), *pair) for pair in set(pairs)}
    return pairs.map(table)


def _empty_targets() -> pd.DataFrame:
    return pd.DataFrame(columns=[*engine.TARGET_COLUMNS, "indicator_id", "region_id", "indicator__unit", "unit",
                                 "baseline__unit"])


# A recomputation of everything, in parts that workers take one at a time

def recompute_parts(part_size: int) -> list[tuple[int, int, int, int]]:
    """Every target, as parts of at most part_size targets of one plan: (plan id, first target
    id, last target id, targets). One query of ids; a plan larger than part_size is cut into
    consecutive slices of its ids."""
    parts: list[list[int]] = []
    for plan_id, target_id in published_targets().order_by("plan_id", "pk").values_list("plan_id", "pk").iterator(
        chunk_size=20_000
    ):
        if not parts or parts[-1][0] != plan_id or parts[-1][3] >= part_size:
            parts.append([plan_id, target_id, target_id, 0])
        parts[-1][2], parts[-1][3] = target_id, parts[-1][3] + 1
    return [tuple(part) for part in parts]


def recompute_part_targets(plan_id: int, first_id: int, last_id: int) -> QuerySet[Target]:
    return published_targets().filter(plan_id=plan_id, pk__gte=first_id, pk__lte=last_id)


# Snapshot dates: read from the recomputation log, a small table, not from the snapshots.

def snapshot_dates() -> list[dt.date]:
    """The as-of dates with stored snapshots, newest first."""
    return list(RecomputeRun.objects.order_by("-as_of").values_list("as_of", flat=True).distinct())


def latest_snapshot_date(on_or_before: dt.date | None = None) -> dt.date | None:
    runs = RecomputeRun.objects.all()
    if on_or_before:
        runs = runs.filter(as_of__lte=on_or_before)
    return runs.aggregate(latest=Max("as_of"))["latest"]
