"""Builders for the engine's input frames, shared by the kpis tests.

Plain functions, imported by the test modules, so hypothesis tests can call them freely.
"""

import numpy as np
import pandas as pd

TARGET_DEFAULTS = {
    "comparator": "gte",
    "value": 100.0,
    "value_high": np.nan,
    "tolerance_pct": np.nan,
    "target_year": 2025,
    "start_year": 2021,
    "basis": "level",
    "direction": "higher",
    "kind": "flow",
    "aspirational": False,
    "baseline_value": np.nan,
    "baseline_year": np.nan,
    "baseline_qualifier": None,
}


def build_targets(*rows):
    """Target frame from dicts; target_id defaults to 1, 2, ... in the given order."""
    records = [{"target_id": position + 1, **TARGET_DEFAULTS, **row} for position, row in enumerate(rows)]
    columns = ["target_id", *TARGET_DEFAULTS]
    return pd.DataFrame.from_records(records, columns=columns)


def build_actuals(*triples):
    """Actuals frame from (target_id, year, value) triples; an empty call gives an empty frame."""
    frame = pd.DataFrame.from_records(list(triples), columns=["target_id", "year", "value"])
    return frame.astype({"target_id": "int64", "year": "int64", "value": "float64"})

