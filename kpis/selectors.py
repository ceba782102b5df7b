"""Reads for the KPI jobs: the engine's input frames, built from the database in a few queries.

The approved figure that counts for (indicator, region, year) as of a date is the version with the
latest approval at or before the end of that day, so a past date sees the figures known then.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from decimal import Decimal
from django.db.models import FloatField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from trackers.models import ActualVersion, Milestone, Target
from trackers.quantities import convert

TARGET_FIELDS = (
    "id", "comparator", "value", "value_high", "unit", "tolerance_pct", "year", "plan__start_year",
    "basis", "indicator__direction", "indicator__kind", "indicator__unit", "aspirational",
    "baseline__value", "baseline__unit", "baseline__year", "baseline__qualifier", "indicator_id", "region_id",
)


def end_of_day(as_of: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))


def targets_frame(targets: QuerySet[Target], default_tolerance_pct: float) -> pd.DataFrame:
    """Engine input: one row per target, values converted exactly to the indicator's unit."""
    rows = list(targets.values_list(*TARGET_FIELDS))
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


def approved_figures_frame(targets: QuerySet[Target], as_of: dt.date) -> pd.DataFrame:
    """Every figure's counting version as of the date, for the indicators and regions targeted."""
    versions = ActualVersion.objects.filter(
        approved_at__isnull=False,
        approved_at__lte=end_of_day(as_of),
        actual__year__lte=as_of.year,
        actual__indicator__in=targets.values("indicator"),
        actual__region__in=targets.values("region"),
    ).annotate(
        # The engine computes in floats; converting 1.5 million Decimals in Python costs seconds.
        value_float=Cast("value_in_indicator_unit", FloatField()),
    ).values_list("id", "actual_id", "actual__indicator_id", "actual__region_id", "actual__year",
                  "value_float", "approved_at")
    frame = pd.DataFrame(
        list(versions),
        columns=["version_id", "actual_id", "indicator_id", "region_id", "year", "value", "approved_at"],
    )
    if frame.empty:
        return frame
    frame = frame.sort_values(["actual_id", "approved_at", "version_id"], kind="mergesort")
    return frame.drop_duplicates("actual_id", keep="last")


def actuals_frame(targets: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Engine input: each target's series; one figure serves every target of its indicator."""
    if figures.empty or targets.empty:
        return pd.DataFrame(columns=["target_id", "year", "value", "version_id"])
    joined = targets[["target_id", "indicator_id", "region_id"]].merge(
        figures, on=["indicator_id", "region_id"], how="inner"
    )
    return joined[["target_id", "year", "value", "version_id"]]


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


def _factors(units: pd.Series, indicator_units: pd.Series) -> pd.Series:
    pairs = pd.Series(list(zip(units, indicator_units)), index=units.index)
    table = {pair: convert(Decimal(1), *pair) for pair in set(pairs)}
    return pairs.map(table)


def _empty_targets() -> pd.DataFrame:
    from kpis.core.engine import TARGET_COLUMNS

    return pd.DataFrame(columns=[*TARGET_COLUMNS, "indicator_id", "region_id", "indicator__unit", "unit",
                                 "baseline__unit"])


def starting_point(target: Target, as_of: dt.date) -> dict | None:
    """Where a what-if starts: the latest approved figure known at `as_of` (for a cumulative
    target, the additions summed since the plan began), else the plan's stated baseline."""
    versions = (
        ActualVersion.objects.filter(
            approved_at__isnull=False, approved_at__lte=end_of_day(as_of), actual__indicator=target.indicator_id,
            actual__region=target.region_id, actual__year__lte=as_of.year,
        )
        .order_by("actual__year", "approved_at", "pk")
        .values_list("actual_id", "actual__year", "value_in_indicator_unit")
    )
    latest_per_figure = {actual_id: (year, value) for actual_id, year, value in versions}
    if latest_per_figure:
        if target.basis == Target.Basis.CUMULATIVE:
            points = [(y, v) for y, v in latest_per_figure.values() if y >= target.plan.start_year]
            if points:
                return {"year": max(y for y, _ in points), "value": sum(v for _, v in points), "source": "actual"}
        else:
            year, value = max(latest_per_figure.values())
            return {"year": year, "value": value, "source": "actual"}
    if target.baseline_id:
        baseline = target.baseline
        return {
            "year": baseline.year, "value": convert(baseline.value, baseline.unit, target.indicator.unit),
            "source": "baseline",
        }
    return None
