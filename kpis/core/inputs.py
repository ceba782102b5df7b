"""The input contract: column names, allowed codes, and normalisation of the frames
the Django side builds. Everything downstream may then rely on clean dtypes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpis.core import vocabulary
from kpis.core.thresholds import Thresholds

COMPARATORS = tuple(vocabulary.COMPARATORS)
BASES = tuple(vocabulary.BASES)
DIRECTIONS = tuple(vocabulary.DIRECTIONS)
KINDS = tuple(vocabulary.KINDS)
BASELINE_QUALIFIERS = tuple(vocabulary.BASELINE_QUALIFIERS)

TARGET_COLUMNS = (
    "target_id",
    "comparator",
    "value",
    "value_high",
    "tolerance_pct",
    "target_year",
    "start_year",
    "basis",
    "direction",
    "kind",
    "aspirational",
    "baseline_value",
    "baseline_year",
    "baseline_qualifier",
)
ACTUAL_COLUMNS = ("target_id", "year", "value")

_FLOAT_COLUMNS = ("value", "value_high", "tolerance_pct", "baseline_value", "baseline_year")
_CODE_COLUMNS = {"comparator": COMPARATORS, "basis": BASES, "direction": DIRECTIONS, "kind": KINDS}


def as_float(series: pd.Series) -> pd.Series:
    """Numbers as float64; Decimal from Django and pd.NA both become plain floats/NaN."""
    return pd.to_numeric(series.astype(object), errors="coerce").astype("float64")


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing columns: {missing}")


def require_codes(series: pd.Series, allowed: tuple[str, ...], name: str, allow_missing: bool = False) -> None:
    present = series.dropna() if allow_missing else series
    unknown = sorted(set(present.astype(str)) - set(allowed))
    if unknown:
        raise ValueError(f"unknown {name} codes {unknown}; allowed: {list(allowed)}")


def normalise_targets(targets: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Targets indexed by target_id (sorted), with float/int/bool dtypes and defaults filled."""
    require_columns(targets, TARGET_COLUMNS, "targets")
    frame = targets.loc[:, list(TARGET_COLUMNS)].copy()
    if frame["target_id"].duplicated().any():
        raise ValueError("targets must hold one row per target_id")
    frame["target_id"] = frame["target_id"].astype("int64")
    for column in _FLOAT_COLUMNS:
        frame[column] = as_float(frame[column])
    for column in ("target_year", "start_year"):
        frame[column] = as_float(frame[column]).astype("int64")
    for column, allowed in _CODE_COLUMNS.items():
        frame[column] = frame[column].astype(str).str.strip().str.lower()
        require_codes(frame[column], allowed, column)
    qualifier = frame["baseline_qualifier"].astype(object)
    frame["baseline_qualifier"] = qualifier.where(qualifier.notna(), None)
    require_codes(frame["baseline_qualifier"], BASELINE_QUALIFIERS, "baseline_qualifier", allow_missing=True)
    aspirational = frame["aspirational"].astype(object)
    frame["aspirational"] = np.where(aspirational.isna(), False, aspirational).astype(bool)
    frame["tolerance_pct"] = frame["tolerance_pct"].fillna(thresholds.approx_tolerance_pct)
    return frame.sort_values("target_id").set_index("target_id")


def normalise_actuals(actuals: pd.DataFrame | None, target_ids: pd.Index, as_of_year: int) -> pd.DataFrame:
    """Figures that are knowable as of `as_of_year`, one per (target_id, year), sorted."""
    empty = pd.DataFrame(
        {"target_id": np.array([], dtype="int64"), "year": np.array([], dtype="int64"), "value": np.array([], dtype="float64")}
    )
    if actuals is None or len(actuals) == 0:
        return empty
    require_columns(actuals, ACTUAL_COLUMNS, "actuals")
    frame = pd.DataFrame(
        {
            "target_id": as_float(actuals["target_id"]),
            "year": as_float(actuals["year"]),
            "value": as_float(actuals["value"]),
        }
    ).dropna()
    frame = frame.astype({"target_id": "int64", "year": "int64"})
    # A figure for year Y is taken to be knowable during Y (plan-year estimates are published then).
    frame = frame[(frame["year"] <= as_of_year) & frame["target_id"].isin(target_ids)]
    if frame.empty:
        return empty
    # Duplicate (target, year) rows are averaged; sorting first keeps the float sum order-independent.
    frame = frame.sort_values(["target_id", "year", "value"], kind="mergesort")
    return frame.groupby(["target_id", "year"], as_index=False, sort=True)["value"].mean()
