"""Writes for the KPI side: snapshots from the engine, and the recomputation outbox."""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kpis.core import engine
from kpis.core.missing import is_missing
from kpis.models import MilestoneSnapshot, ProgressSnapshot, RecomputeRequest, RecomputeRun
from kpis.selectors import milestones_frame, progress_frame
from trackers.models import Milestone, Target
from trackers.selectors import valid_on_q

logger = logging.getLogger(__name__)
BATCH = 2000

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


@transaction.atomic
def snapshots_recompute(targets: QuerySet[Target], as_of: dt.date, scope: str = "") -> int:
    """Compute and store snapshots for the targets as of a date. Idempotent: the rows depend
    only on the approved figures at that date, and are upserted on (target, as_of). Only the
    target versions that counted that day get one (a revision's successor has none before it)."""
    started = timezone.now()
    targets = targets.filter(valid_on_q(as_of))
    result = progress_frame(targets, as_of)
    rows = [_snapshot(record, as_of) for record in result.to_dict("records")]
    ProgressSnapshot.objects.bulk_create(
        rows, batch_size=BATCH, update_conflicts=True, unique_fields=["target", "as_of"],
        update_fields=[*DECIMAL_FIELDS, *INT_FIELDS, "method_version", "latest_version", "achieved",
                       "status", "reason", "reason_zh", "opensdg_status", "plan"],
    )
    _milestone_snapshots(Milestone.objects.filter(plan__in=targets.values("plan")), as_of)
    RecomputeRun.objects.create(
        scope=scope or "targets", as_of=as_of, started_at=started, finished_at=timezone.now(),
        targets=len(rows), snapshots_written=len(rows),
    )
    return len(rows)


def _snapshot(record: dict, as_of: dt.date) -> ProgressSnapshot:
    fields = {name: _decimal(record.get(column)) for name, column in DECIMAL_FIELDS.items()}
    fields.update({name: _int(record.get(column)) for name, column in INT_FIELDS.items()})
    return ProgressSnapshot(
        target_id=int(record["target_id"]), plan_id=int(record["plan_id"]), as_of=as_of,
        method_version=record["method_version"],
        latest_version_id=_int(record.get("version_id")), achieved=bool(record["achieved"]),
        status=record["status"], reason=record["reason"], reason_zh=record["reason_zh"],
        opensdg_status=record.get("opensdg_status") or "", **fields,
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
    return Decimal(repr(round(float(value), 8)))


def _int(value) -> int | None:
    return None if is_missing(value) else int(value)


def snapshots_discard_from(target_ids: list[int], on: dt.date) -> int:
    """Drop the stored progress of retired target versions from the day they stopped counting:
    it measured a promise no longer in force then. Earlier snapshots stay, so earlier reports too."""
    deleted, _ = ProgressSnapshot.objects.filter(target_id__in=target_ids, as_of__gte=on).delete()
    return deleted


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
