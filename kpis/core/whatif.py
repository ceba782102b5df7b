"""What-if arithmetic: where a growth rate leads, and what rate the target needs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpis.core.comparators import comparator_holds
from kpis.core.growth import compound_growth_rate, compound_projection
from kpis.core.thresholds import Thresholds

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


WHATIF_COLUMNS = (
    "target_id", "start_year", "start_value", "start_source", "target_year", "goal", "growth_pct", "years",
    "projected_value", "required_growth_pct", "would_meet",
)


def whatif(targets: pd.DataFrame, actuals: pd.DataFrame | None, as_of, growth_pct: float,
           thresholds: Thresholds = Thresholds()) -> pd.DataFrame:
    """Per target: from where it stands at `as_of` (its latest counted figure, a cumulative target's
    running total; else its stated baseline), where `growth_pct` a year lands by the target year,
    the growth needed to reach the goal, and whether the landing meets the target by its own
    comparator (ranges, "about" and strict comparators included). A target with neither figure nor
    baseline has no starting point: start_source is "none" and the numbers are NaN."""
    from kpis.core.engine import _judged_terms  # the engine's reading of the figures, once

    frame, _series = _judged_terms(targets, actuals, as_of, thresholds)
    from_figure = frame["latest_value"].notna()
    from_baseline = ~from_figure & frame["baseline_value"].notna()
    scenarios = pd.DataFrame({
        "latest_value": frame["latest_value"].where(from_figure, frame["baseline_value"]),
        "latest_year": frame["latest_year"].where(from_figure, frame["base_year"]).fillna(frame["target_year"]),
        "target_value": frame["goal"],
        "target_year": frame["target_year"],
        "growth_pct": float(growth_pct),
    }, index=frame.index)
    result = whatif_frame(scenarios)
    meets = comparator_holds(result["projected_value"], frame["comparator"], frame["value"], frame["value_high"],
                             frame["tolerance_pct"], frame["higher"], thresholds)
    return pd.DataFrame({
        "target_id": frame.index.to_numpy(),
        "start_year": result["latest_year"].where(from_figure | from_baseline).astype("Int64"),
        "start_value": result["latest_value"],
        "start_source": np.select([from_figure, from_baseline], ["actual", "baseline"], "none"),
        "target_year": frame["target_year"].to_numpy(),
        "goal": frame["goal"].to_numpy(),
        "growth_pct": float(growth_pct),
        "years": result["years"].to_numpy(),
        "projected_value": result["projected_value"].to_numpy(),
        "required_growth_pct": result["required_growth_pct"].to_numpy(),
        "would_meet": meets & (from_figure | from_baseline).to_numpy(),
    }).loc[:, list(WHATIF_COLUMNS)].reset_index(drop=True)
