"""Reads for dashboards and reports: stored snapshots joined to what they measure.

Everything here runs a fixed number of queries whatever the number of targets, and returns
pandas frames so the figure builders and exporters stay pure.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from kpis.core import vocabulary
from kpis.models import MilestoneSnapshot, ProgressSnapshot, RecomputeRun
from trackers.models import Indicator, Milestone, Plan, Target
from trackers.selectors import (
    answerer_names,
    plan_list,
    promises_answered_by_department,
    published_targets,
    targets_valid_on,
)

SNAPSHOT_COLUMNS = [
    "target_id", "as_of", "status", "reason", "reason_zh", "progress", "expected_progress", "gap", "latest_year",
    "latest_value", "target_value", "trajectory_value", "actual_growth", "required_growth", "projection",
    "projection_compound", "projection_linear", "anticipated_progress", "achieved", "years_left", "years_met",
    "years_due", "opensdg_status", "opensdg_ratio", "method_version", "latest_version_id",
]
TARGET_COLUMNS = {
    "id": "target_id", "key": "target_key", "plan_id": "plan_id", "plan__code": "plan_code",
    "plan__short_title": "plan", "region_id": "region_id", "region__code": "region_code", "region__name": "region",
    "region__name_en": "region_en",
    "indicator_id": "indicator_id", "indicator__code": "indicator_code", "indicator__name": "indicator",
    "indicator__name_en": "indicator_en", "indicator__unit": "indicator_unit", "indicator__direction": "direction",
    "clause": "clause", "value_text": "value_text", "comparator": "comparator", "value": "value",
    "value_high": "value_high", "unit": "unit", "year": "target_year", "basis": "basis",
    "aspirational": "aspirational", "baseline__value": "baseline_value", "baseline__unit": "baseline_unit",
    "baseline__year": "baseline_year", "baseline__qualifier": "baseline_qualifier",
    "plan__start_year": "start_year", "plan__end_year": "end_year",
}


def scoped_targets(*, as_of: dt.date | None = None, plan: str | None = None, region: str | None = None,
                   department: str | None = None, plan_status: str | None = None) -> QuerySet[Target]:
    """Targets of published plans in a scope given by codes: a plan, a region (and the regions
    below it), a department. The current versions; with `as_of`, the versions valid that day."""
    targets = targets_valid_on(as_of) if as_of else published_targets()
    if plan:
        targets = targets.filter(plan__code=plan)
    if region:
        targets = targets.filter(Q(region__code=region) | Q(region__parent__code=region))
    if department:
        targets = promises_answered_by_department(targets, department)
    if plan_status:
        targets = targets.filter(plan__in=plan_list().filter(status=plan_status).values("pk"))
    return targets


# How the pages may sort a table of targets. Snapshot keys sort by an indexed column of the
# snapshots at the date (ProgressSnapshot's indexes lead with as_of and plan); target keys sort the
# targets themselves. "-key" descends; missing values go last either way.
SNAPSHOT_SORTS = {
    "status": "status_rank",
    "progress_pct": "progress",
    "gap": "gap",
    "required_growth_pct": "required_growth",
    "actual_growth_pct": "actual_growth",
    # Furthest behind the path first with "-behind": by shortfall (expected progress minus progress).
    "behind": "shortfall",
}
TARGET_SORTS = {"indicator": "indicator__name", "target_year": "year", "region": "region__name"}
SORTS = {*SNAPSHOT_SORTS, *TARGET_SORTS}


# What the tables read of a date's snapshots changes only when a recomputation writes snapshots or a
# target is added, so their counts and orderings are kept in the cache under that version.
CACHE_SECONDS = 600


def tables_version() -> tuple:
    """The latest recomputation and the latest target: what cached table reads depend on. One query."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {RecomputeRun._meta.db_table}), "
                       f"(SELECT MAX(id) FROM {Target._meta.db_table})")
        return tuple(cursor.fetchone())


def _cache_key(kind: str, targets: QuerySet[Target], *parts, version: tuple | None = None) -> str:
    scope = str(targets.query) if targets.query.where else "all"
    raw = repr((version or tables_version(), kind, scope, parts))
    return f"tables:{hashlib.sha1(raw.encode()).hexdigest()}"


def _cached(kind: str, targets: QuerySet[Target], *parts, compute):
    return cache.get_or_set(_cache_key(kind, targets, *parts), compute, CACHE_SECONDS)


def scope_size(targets: QuerySet[Target]) -> int:
    """How many targets are in scope (for paging), from the cache when nothing changed."""
    return _cached("size", targets, compute=targets.count)


def sort_key(sort: str) -> str:
    """The sort asked for if the tables know it, else by status."""
    return sort if sort.lstrip("-") in SORTS else "status"


def _order(field: str, sort: str):
    expression = F(field)
    return expression.desc(nulls_last=True) if sort.startswith("-") else expression.asc(nulls_last=True)


def with_snapshot(targets: QuerySet[Target], as_of: dt.date) -> QuerySet[Target]:
    """Targets joined (LEFT) to their snapshot at `as_of`, as `snapshot__<field>`."""
    return targets.annotate(snapshot=FilteredRelation("snapshots", condition=Q(snapshots__as_of=as_of)))


def snapshots_in(targets: QuerySet[Target], as_of: dt.date, plan: Plan | None = None) -> QuerySet[ProgressSnapshot]:
    """The snapshots at `as_of` of the targets in scope. Name the plan when the scope is exactly a
    plan's targets: the snapshots' plan column and its index then stand in for the scope."""
    snapshots = ProgressSnapshot.objects.filter(as_of=as_of)
    if plan is not None:
        return snapshots.filter(plan=plan)
    if targets.query.where:
        snapshots = snapshots.filter(target__in=targets.values("pk"))
    return snapshots


def without_snapshot(targets: QuerySet[Target], as_of: dt.date) -> QuerySet[Target]:
    """Targets in scope with no snapshot at the date (added since it was computed): no data."""
    return targets.exclude(Exists(ProgressSnapshot.objects.filter(target=OuterRef("pk"), as_of=as_of)))


# A scope's ordering is cached whole, in blocks of ORDER_BLOCK positions: any page, the last one
# included, then reads one or two blocks, not the index up to an OFFSET (page 2,500 of a 150,000
# target plan: 100-1,000 ms of database time a request under load, for every sort).
ORDER_BLOCK = 1000


def ordered_target_ids(targets: QuerySet[Target], as_of: dt.date, sort: str, window: slice,
                       plan: Plan | None = None) -> list[int]:
    """The ids of the targets in `window` of the scope ordered by `sort`, in that order. Sorting
    by a snapshot figure reads the snapshots' index; targets without a snapshot at the date come
    last, by id. The whole ordering is read once (a query or two, whatever the number of targets)
    and kept in the cache until a recomputation or a new target changes it."""
    version = tables_version()
    first, last = window.start // ORDER_BLOCK, max(window.stop - 1, window.start) // ORDER_BLOCK

    def key(block: int) -> str:
        return _cache_key("order", targets, as_of, sort_key(sort), plan and plan.pk, block, version=version)

    size_key = key(-1)  # how many ids the ordering holds: blocks past it are empty, not missing
    wanted = [key(block) for block in range(first, last + 1)]
    found = cache.get_many([size_key, *wanted])
    if size_key in found:
        wanted = wanted[:max(0, -(-found[size_key] // ORDER_BLOCK) - first)]
    if size_key not in found or any(k not in found for k in wanted):
        ordering = _ordering(targets, as_of, sort, plan)
        blocks = {key(b): ordering[b * ORDER_BLOCK:(b + 1) * ORDER_BLOCK] for b in range(-(-len(ordering) // ORDER_BLOCK))}
        cache.set_many({size_key: len(ordering), **blocks}, CACHE_SECONDS)
        found = blocks
    ids = [pk for k in wanted for pk in found.get(k, [])]
    offset = window.start - first * ORDER_BLOCK
    return ids[offset:offset + window.stop - window.start]


def _ordering(targets, as_of, sort, plan) -> list[int]:
    """Every target id of the scope in the order of `sort`."""
    sort = sort_key(sort)
    key = sort.lstrip("-")
    if key in TARGET_SORTS:
        return list(targets.order_by(_order(TARGET_SORTS[key], sort), "pk").values_list("pk", flat=True))
    snapshots = snapshots_in(targets, as_of, plan).order_by(_order(SNAPSHOT_SORTS[key], sort), "target_id")
    # Targets with no snapshot at the date (added since it was computed) come last, by id.
    return [*snapshots.values_list("target_id", flat=True),
            *without_snapshot(targets, as_of).order_by("pk").values_list("pk", flat=True)]


def progress_table(targets: QuerySet[Target], as_of: dt.date, labelled: bool = False) -> pd.DataFrame:
    """One row per target in scope, by plan and key: what was promised, its snapshot at `as_of`
    (status no_data where none is stored), and the departments that answer for it (accountable
    ones in "lead"; `labelled`: with their regions, as pages show them). Two queries, whatever the
    number of targets."""
    rows = with_snapshot(targets, as_of).order_by("plan__code", "key")
    columns = [*TARGET_COLUMNS.values(), *SNAPSHOT_COLUMNS[1:]]
    table = pd.DataFrame(
        list(rows.values_list(*TARGET_COLUMNS, *(f"snapshot__{name}" for name in SNAPSHOT_COLUMNS[1:]))),
        columns=columns,
    )
    if table.empty:
        return table.reindex(columns=[*columns, "lead", "cooperating"])
    table["status"] = table["status"].fillna("no_data")
    table["as_of"] = as_of
    # All versions: a report for a past date lists versions a revision has since replaced.
    names = answerer_names(Target.all_versions.filter(pk__in=list(table["target_id"])), labelled=labelled)
    table["lead"] = ["、".join(names.get(pk, {}).get("accountable", [])) for pk in table["target_id"]]
    table["cooperating"] = ["、".join(names.get(pk, {}).get("supporting", [])) for pk in table["target_id"]]
    return table


def progress_rows(ids: list[int], as_of: dt.date) -> pd.DataFrame:
    """progress_table for the targets named, in the order named, as pages show it."""
    table = progress_table(Target.all_versions.filter(pk__in=ids), as_of, labelled=True)
    if table.empty:
        return table
    return table.set_index("target_id").loc[ids].reset_index()


def status_counts(targets: QuerySet[Target], as_of: dt.date, plan: Plan | None = None) -> pd.DataFrame:
    """How many targets of each plan stand in each status at `as_of` (no snapshot: no data),
    counted by the database: plan_code, plan, status, targets. From the cache when nothing changed."""
    return _cached("counts", targets, as_of, plan and plan.pk, compute=lambda: _status_counts(targets, as_of, plan))


def _status_counts(targets: QuerySet[Target], as_of: dt.date, plan: Plan | None) -> pd.DataFrame:
    # Grouped by the indexed columns (an index-only scan), named afterwards.
    stored = snapshots_in(targets, as_of, plan).values_list("plan_id", "status_rank").order_by()
    stored = stored.annotate(n=Count("status_rank"))
    counted = pd.DataFrame(list(stored), columns=["plan_id", "status_rank", "targets"])
    totals = dict(targets.values_list("plan_id").annotate(n=Count("plan_id")).order_by())
    counted["status"] = counted["status_rank"].map(dict(enumerate(vocabulary.STATUSES)))
    # Targets added since the date was computed have no snapshot: they have no data.
    uncounted = pd.Series(totals) - counted.groupby("plan_id")["targets"].sum().reindex(list(totals), fill_value=0)
    no_snapshot = uncounted[uncounted > 0]
    counts = pd.concat([counted[["plan_id", "status", "targets"]],
                        pd.DataFrame({"plan_id": no_snapshot.index, "status": "no_data", "targets": no_snapshot.values})])
    counts = counts.groupby(["plan_id", "status"], as_index=False)["targets"].sum()
    plans = pd.DataFrame(list(Plan.objects.filter(pk__in=list(totals)).values_list("pk", "code", "short_title")),
                         columns=["plan_id", "plan_code", "plan"])
    return counts.merge(plans, on="plan_id")[["plan_code", "plan", "status", "targets"]]


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


def comparable_indicators() -> QuerySet[Indicator]:
    """Indicators that targets of published plans set in two or more regions: the ones a comparison
    across regions has something to say about. Counted by the database (GROUP BY ... HAVING)."""
    return (Indicator.objects.filter(targets__in=published_targets())
            .annotate(regions=Count("targets__region", distinct=True)).filter(regions__gte=2).order_by("name"))
