"""What-if arithmetic: where a growth rate leads, and what rate the target needs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpis.core.growth import compound_growth_rate, compound_projection

WHATIF_INPUT_COLUMNS = ("latest_value", "latest_year", "target_value", "target_year", "growth_pct")
WHATIF_OUTPUT_COLUMNS = ("projected_value", "required_growth_pct", "years")


def whatif_frame(scenarios: pd.DataFrame) -> pd.DataFrame:
    """Vectorised what-if: the input columns plus projected_value, required_growth_pct, years.

    projected_value = latest * (1 + g/100) ** years, years = target_year - latest_year
    (a target year already reached keeps the latest value);
    required_growth_pct = ((target / latest) ** (1 / years) - 1) * 100, NaN unless both
    values are positive and at least one year is left.
    """
    years = scenarios["target_year"].astype("int64") - scenarios["latest_year"].astype("int64")
    latest = scenarios["latest_value"].astype(float)
    growth_rate = scenarios["growth_pct"].astype(float) / 100.0
    result = scenarios.copy()
    result["years"] = years
    result["projected_value"] = compound_projection(latest, growth_rate, years)
    result["required_growth_pct"] = compound_growth_rate(latest, scenarios["target_value"].astype(float), years) * 100.0
    return result


def whatif_projection(latest_value, latest_year, target_value, target_year, growth_pct) -> dict:
    """Scalar what-if: {"projected_value": float, "required_growth_pct": float, "years": int}."""
    scenario = pd.DataFrame(
        {
            "latest_value": [latest_value],
            "latest_year": [latest_year],
            "target_value": [np.nan if target_value is None else target_value],
            "target_year": [target_year],
            "growth_pct": [np.nan if growth_pct is None else growth_pct],
        }
    )
    row = whatif_frame(scenario).iloc[0]
    return {
        "projected_value": float(row["projected_value"]),
        "required_growth_pct": float(row["required_growth_pct"]),
        "years": int(row["years"]),
    }
