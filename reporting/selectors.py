"""Reads for dashboards and reports: stored snapshots joined to what they measure.

Everything here runs a fixed number of queries whatever the number of targets, and returns
pandas frames so the figure builders and exporters stay pure.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Q, QuerySet

from kpis.models import MilestoneSnapshot, ProgressSnapshot
from trackers.models import Milestone, Target
from trackers.selectors import answerer_names, plan_list, promises_answered_by_department

SNAPSHOT_COLUMNS = [
    "target_id", "as_of", "status", "reason", "reason_zh", "progress", "expected_progress", "gap", "latest_year",
    "latest_value", "target_value", "trajectory_value", "actual_growth", "required_growth", "projection",
    "projection_compound", "projection_linear", "anticipated_progress", "achieved", "years_left", "years_met",
    "years_due", "opensdg_status", "opensdg_ratio", "method_version", "latest_version_id",
]
TARGET_COLUMNS = {
    "id": "target_id", "key": "target_key", "plan_id": "plan_id", "plan__code": "plan_code",
    "plan__short_title": "plan", "region_id": "region_id", "region__code": "region_code", "region__name": "region",
    "indicator_id": "indicator_id", "indicator__code": "indicator_code", "indicator__name": "indicator",
    "indicator__name_en": "indicator_en", "indicator__unit": "indicator_unit", "indicator__direction": "direction",
    "clause": "clause", "value_text": "value_text", "comparator": "comparator", "value": "value",
    "value_high": "value_high", "unit": "unit", "year": "target_year", "basis": "basis",
    "aspirational": "aspirational", "baseline__value": "baseline_value", "baseline__unit": "baseline_unit",
    "baseline__year": "baseline_year", "baseline__qualifier": "baseline_qualifier",
    "plan__start_year": "start_year", "plan__end_year": "end_year",
}


def scoped_targets(*, plan: str | None = None, region: str | None = None, department: str | None = None,
                   plan_status: str | None = None) -> QuerySet[Target]:
    """Targets in a scope given by codes: a plan, a region (and the regions below it), a department."""
    targets = Target.objects.all()
    if plan:
        targets = targets.filter(plan__code=plan)
    if region:
        targets = targets.filter(Q(region__code=region) | Q(region__parent__code=region))
    if department:
        targets = promises_answered_by_department(targets, department)
    if plan_status:
        targets = targets.filter(plan__in=plan_list().filter(status=plan_status).values("pk"))
    return targets


def progress_table(targets: QuerySet[Target], as_of: dt.date) -> pd.DataFrame:
    """One row per target in scope: what was promised, its snapshot at `as_of` (status no_data
    where none is stored), and the departments that answer for it. Three queries."""
    promised = pd.DataFrame(
        list(targets.order_by("plan__code", "key").values_list(*TARGET_COLUMNS)), columns=list(TARGET_COLUMNS.values())
    )
    if promised.empty:
        return promised.reindex(columns=[*TARGET_COLUMNS.values(), *SNAPSHOT_COLUMNS[1:], "lead", "cooperating"])
    stored = pd.DataFrame(
        list(
            ProgressSnapshot.objects.filter(as_of=as_of, target__in=targets.values("pk")).values_list(*SNAPSHOT_COLUMNS)
        ),
        columns=SNAPSHOT_COLUMNS,
    )
    table = promised.merge(stored, on="target_id", how="left")
    table["status"] = table["status"].fillna("no_data")
    table["as_of"] = as_of
    names = answerer_names(targets)
    # "lead": the departments accountable for the target (kpis.core.responsibility); "cooperating": the rest.
    table["lead"] = ["、".join(names.get(pk, {}).get("accountable", [])) for pk in table["target_id"]]
    table["cooperating"] = ["、".join(names.get(pk, {}).get("supporting", [])) for pk in table["target_id"]]
    return table


def milestone_table(milestones: QuerySet[Milestone], as_of: dt.date) -> pd.DataFrame:
    """Milestones in scope with their stored state at `as_of` (pending/overdue/done/done_late)."""
    rows = pd.DataFrame(
        list(
            milestones.order_by("deadline", "key").values_list(
                "id", "plan__code", "plan__short_title", "region__name", "title", "clause", "deadline"
            )
        ),
        columns=["milestone_id", "plan_code", "plan", "region", "title", "clause", "deadline"],
    )
    states = pd.DataFrame(
        list(
            MilestoneSnapshot.objects.filter(as_of=as_of, milestone__in=milestones.values("pk")).values_list(
                "milestone_id", "state", "completed_on"
            )
        ),
        columns=["milestone_id", "state", "completed_on"],
    )
    table = rows.merge(states, on="milestone_id", how="left")
    table["state"] = table["state"].fillna("unknown")
    return table
