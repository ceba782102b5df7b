"""Writes for the KPI side: snapshots from the engine, and the recomputation outbox."""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from config.bulk import is_postgresql, rows_upsert
from kpis.core import engine
from kpis.core.missing import is_missing
from kpis.models import MilestoneSnapshot, ProgressSnapshot, RecomputeRequest, RecomputeRun
from kpis.selectors import milestones_frame, progress_frame, recompute_part_targets
from trackers.models import Milestone, Target
from trackers.selectors import valid_on_q

logger = logging.getLogger(__name__)
BATCH = 2000
DECIMAL_PLACES = 8

DECIMAL_FIELDS = {
    "latest_value": "latest_value", "target_value": "value", "progress": "progress", "gap": "gap",
    "trajectory_value": "trajectory_value", "actual_growth": "actual_cagr",
    "required_growth": "required_cagr", "projection_compound": "projection_compound",
    "projection_linear": "projection_linear", "projection": "projection",
    "expected_progress": "expected_progress", "anticipated_progress": "anticipated_progress",
    "opensdg_ratio": "opensdg_ratio", "shortfall": "shortfall",
}
INT_FIELDS = {"latest_year": "latest_year", "years_left": "years_left", "years_met": "years_met",
              "years_due": "years_due", "status_rank": "status_rank"}
UPDATE_FIELDS = [*DECIMAL_FIELDS, *INT_FIELDS, "method_version", "latest_version", "achieved", "status", "reason",
                 "reason_zh", "opensdg_status", "plan"]


@transaction.atomic
def snapshots_recompute(targets: QuerySet[Target], as_of: dt.date, scope: str = "", *, record_run: bool = True,
                        milestones: bool = True) -> int:
    """Compute and store snapshots for the targets (and the milestones of their plans) as of a
    date. Idempotent: the rows depend only on the approved figures at that date, and are
    upserted on (target, as_of). Only the target versions that counted that day get one (a
    revision's successor has none before it). A part of a larger run (recompute_all) neither
    records itself in the log nor, but for one part per plan, redoes the plan's milestones."""
    started = timezone.now()
    targets = targets.filter(valid_on_q(as_of))
    result = progress_frame(targets, as_of)
    snapshots_write(result, as_of)
    if milestones:
        _milestone_snapshots(Milestone.objects.filter(plan__in=targets.values("plan")), as_of)
    if record_run:
        recompute_run_record(scope=scope or "targets", as_of=as_of, started_at=started, targets=len(result))
    return len(result)


def recompute_part(*, plan_id: int, first_id: int, last_id: int, as_of: dt.date, milestones: bool) -> int:
    """One part of recompute_all: a plan's targets between two ids."""
    return snapshots_recompute(recompute_part_targets(plan_id, first_id, last_id), as_of, record_run=False,
                               milestones=milestones)


def recompute_run_record(*, scope: str, as_of: dt.date, started_at: dt.datetime, targets: int) -> RecomputeRun:
    return RecomputeRun.objects.create(scope=scope, as_of=as_of, started_at=started_at, finished_at=timezone.now(),
                                       targets=targets, snapshots_written=targets)


def snapshots_write(result: pd.DataFrame, as_of: dt.date, *, portable: bool = False) -> None:
    """Upsert the engine's rows as snapshots on (target, as_of). On PostgreSQL by COPY into a
    staging table and one INSERT ... ON CONFLICT, from whole columns; elsewhere (or portable=True)
    by bulk_create. Both store the same values (tests/kpis/test_snapshot_writes.py)."""
    if result.empty:
        return
    if is_postgresql(ProgressSnapshot) and not portable:
        _snapshots_copy(result, as_of)
    else:
        ProgressSnapshot.objects.bulk_create(
            [_snapshot(record, as_of) for record in result.to_dict("records")], batch_size=BATCH,
            update_conflicts=True, unique_fields=["target", "as_of"], update_fields=UPDATE_FIELDS,
        )


def _snapshots_copy(result: pd.DataFrame, as_of: dt.date) -> None:
    columns = snapshot_columns(result, as_of)
    rows_upsert(ProgressSnapshot, list(columns), zip(*columns.values()), unique_fields=["target", "as_of"],
                update_fields=UPDATE_FIELDS, scaled={field: DECIMAL_PLACES for field in DECIMAL_FIELDS})


def snapshot_columns(result: pd.DataFrame, as_of: dt.date) -> dict[str, list]:
    """The rows of _snapshot, built a column at a time, field name -> values: decimals as whole
    numbers of 1e-8 (exactly _decimal's value), so no Decimal is made per value."""
    n = len(result)
    return {
        "target_id": result["target_id"].astype("int64").tolist(),
        "plan_id": result["plan_id"].astype("int64").tolist(),
        "as_of": [as_of] * n,
        "method_version": result["method_version"].tolist(),
        "latest_version_id": _ints(result["version_id"]) if "version_id" in result else [None] * n,
        **{field: _decimal_units(result[column]) if column in result else [None] * n
           for field, column in DECIMAL_FIELDS.items()},
        **{field: _ints(result[column]) if column in result else [None] * n for field, column in INT_FIELDS.items()},
        "achieved": result["achieved"].astype(bool).tolist(),
        "status": result["status"].tolist(),
        "reason": result["reason"].tolist(),
        "reason_zh": result["reason_zh"].tolist(),
        "opensdg_status": [_text(v) for v in result["opensdg_status"]] if "opensdg_status" in result else [""] * n,
    }


def _snapshot(record: dict, as_of: dt.date) -> ProgressSnapshot:
    fields = {name: _decimal(record.get(column)) for name, column in DECIMAL_FIELDS.items()}
    fields.update({name: _int(record.get(column)) for name, column in INT_FIELDS.items()})
    return ProgressSnapshot(
        target_id=int(record["target_id"]), plan_id=int(record["plan_id"]), as_of=as_of,
        method_version=record["method_version"],
        latest_version_id=_int(record.get("version_id")), achieved=bool(record["achieved"]),
        status=record["status"], reason=record["reason"], reason_zh=record["reason_zh"],
        opensdg_status=_text(record.get("opensdg_status")), **fields,
    )


def _milestone_snapshots(milestones: QuerySet[Milestone], as_of: dt.date) -> None:
    frame = milestones_frame(milestones, as_of)
    if frame.empty:
        return
    states = engine.milestone_states(frame, as_of).merge(frame, on="milestone_id")
    MilestoneSnapshot.objects.bulk_create(
        [
            MilestoneSnapshot(
                milestone_id=int(row["milestone_id"]), as_of=as_of, state=row["state"],
                completed_on=row["completed_on"] if isinstance(row["completed_on"], dt.date) else None,
            )
            for row in states.to_dict("records")
        ],
        update_conflicts=True, unique_fields=["milestone", "as_of"], update_fields=["state", "completed_on"],
    )


def _decimal(value) -> Decimal | None:
    if isinstance(value, str) or is_missing(value):
        return None
    # 8 significant decimals are far below any published figure's precision; fixed so reruns match.
    return Decimal(repr(round(float(value), DECIMAL_PLACES)))


def _decimal_units(values: pd.Series) -> list:
    """_decimal of each value as the whole number of 1e-8 it is (None when missing), for a whole
    column at once. Where |x| < 1e7, x * 1e8 rounded to the nearest whole number is exactly what
    round(x, 8) keeps and repr writes, unless x * 1e8 lies within its rounding error of a half:
    those, and larger values, take _decimal itself."""
    if values.dtype == object:
        if any(isinstance(v, str) for v in values):
            return [_units(_decimal(v)) for v in values]
        values = values.astype("float64")  # Decimals (target values) become float(d), as in _decimal
    x = values.to_numpy(dtype="float64")
    units = np.empty(len(x), dtype=object)  # None where missing
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = x * 10.0**DECIMAL_PLACES
        half_way = np.abs(scaled - np.floor(scaled) - 0.5)
        fast = np.isfinite(x) & (np.abs(x) < 1e7) & (half_way > np.abs(scaled) * 2.0**-50)
    units[fast] = np.rint(scaled[fast]).astype(np.int64).tolist()
    for i in np.flatnonzero(np.isfinite(x) & ~fast):
        units[i] = _units(_decimal(x[i]))
    return units.tolist()


def _units(value: Decimal | None) -> int | None:
    if value is None:
        return None
    units = value.scaleb(DECIMAL_PLACES)
    if units != units.to_integral_value():  # repr(round(x, 8)) never has more than 8 decimals
        raise ValueError(f"{value} has more than {DECIMAL_PLACES} decimals")
    return int(units)


def _int(value) -> int | None:
    return None if is_missing(value) else int(value)


def snapshots_discard_from(target_ids: list[int], on: dt.date) -> int:
    """Drop the stored progress of retired target versions from the day they stopped counting:
    it measured a promise no longer in force then. Earlier snapshots stay, so earlier reports too."""
    deleted, _ = ProgressSnapshot.objects.filter(target_id__in=target_ids, as_of__gte=on).delete()
    return deleted


def _ints(values: pd.Series) -> list:
    return [_int(v) for v in values] if values.dtype == object else _int_column(values)


def _int_column(values: pd.Series) -> list:
    ints = np.empty(len(values), dtype=object)
    present = values.notna().to_numpy()
    ints[present] = values.to_numpy()[present].astype(np.int64).tolist()
    return ints.tolist()


def _text(value) -> str:
    value = value or ""  # NaN stays NaN here, as it did when the model field turned it into text
    return value if isinstance(value, str) else str(value)


# --- the outbox -----------------------------------------------------------------------------

def recompute_request_create(*, target_ids: list[int], as_of: dt.date, reason: str) -> RecomputeRequest:
    """Record a recomputation owed, inside the caller's transaction; dispatch after commit."""
    request = RecomputeRequest.objects.create(target_ids=sorted(set(target_ids)), as_of=as_of, reason=reason)
    transaction.on_commit(lambda: recompute_request_dispatch(request.pk))
    return request


def recompute_request_dispatch(request_id: int) -> bool:
    """Hand the request to Celery. If the broker is unreachable the row stays undispatched and
    the sweeper tries again; the approval that owed it has already committed."""
    from kpis.tasks import recompute_request_process

    try:
        recompute_request_process.apply_async(args=[request_id], retry=False)
    except Exception as error:  # kombu raises several kinds when Redis is down
        logger.warning("recompute request %s not dispatched: %s", request_id, error)
        RecomputeRequest.objects.filter(pk=request_id).update(last_error=str(error)[:500])
        return False
    RecomputeRequest.objects.filter(pk=request_id, completed_at__isnull=True).update(dispatched_at=timezone.now())
    return True


def recompute_request_process(request_id: int) -> int:
    request = RecomputeRequest.objects.filter(pk=request_id, completed_at__isnull=True).first()
    if request is None:
        return 0  # already done: a redelivered message does nothing twice
    RecomputeRequest.objects.filter(pk=request_id).update(attempts=request.attempts + 1)
    count = snapshots_recompute(Target.objects.filter(pk__in=request.target_ids), request.as_of, scope="outbox")
    RecomputeRequest.objects.filter(pk=request_id).update(completed_at=timezone.now(), last_error="")
    return count


def outbox_sweep(stale_after: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Dispatch requests never dispatched, or dispatched long ago and still not done
    (a lost message or a killed worker)."""
    cutoff = timezone.now() - stale_after
    pending = RecomputeRequest.objects.filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=cutoff), completed_at__isnull=True
    )
    return sum(recompute_request_dispatch(pk) for pk in pending.values_list("pk", flat=True))
