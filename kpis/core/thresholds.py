"""Every tunable cut-off of the progress engine, and the method version it reports.

Formulas never hold bare numbers: they read a field of `Thresholds`, so a change of
policy is one edit here and shows up in the method version.
"""

from __future__ import annotations

from dataclasses import dataclass

# Bump when any formula, rule or default below changes: stored results carry it.
METHOD_VERSION = "cn-plan-progress/1.0.0"


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs used by `compute_progress`; the defaults are the published method."""

    # An "approx" target without its own tolerance counts as met within ±10 % of the value.
    approx_tolerance_pct: float = 10.0
    # Latest value / expected path >= this is on track; 0.1 % slack because published figures are rounded.
    on_track_ratio: float = 0.999
    # Below the path but within 10 % of it: at risk; further behind: off track.
    at_risk_ratio: float = 0.9
    # Recurring (annual) targets met in at least this share of reported years are at risk, not off track.
    at_risk_share: float = 0.6
    # Float slack when comparing with the target: sums of decimal figures are not exact in binary.
    compare_rel_tol: float = 1e-9
    compare_abs_tol: float = 1e-12
    # A growth rate needs at least this many years between its two points.
    min_cagr_years: int = 1
    # A trend projection that meets the target by the target year lifts a below-path target to on track.
    projection_rescues: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.at_risk_ratio <= self.on_track_ratio:
            raise ValueError("need 0 <= at_risk_ratio <= on_track_ratio")
        if not 0 <= self.at_risk_share <= 1:
            raise ValueError("at_risk_share must lie in [0, 1]")
        if self.approx_tolerance_pct < 0:
            raise ValueError("approx_tolerance_pct must not be negative")
        if self.min_cagr_years < 1:
            raise ValueError("min_cagr_years must be at least 1")
