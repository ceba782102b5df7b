"""Celery tasks: thin wrappers that parse arguments and call kpis.services.

Retried on database errors (a restarting PostgreSQL); acks_late with reject_on_worker_lost
(settings) so a task whose worker dies mid-way is delivered again, and services make a rerun
harmless.
"""
from __future__ import annotations

import datetime as dt

from celery import chord, shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from kpis import services
from kpis.selectors import recompute_parts
from trackers.models import Target

RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 8}


def _as_of(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else timezone.localdate()


@shared_task(name="kpis.recompute_request", **RETRY)
def recompute_request_process(request_id: int) -> int:
    return services.recompute_request_process(request_id)


@shared_task(name="kpis.recompute_target", **RETRY)
def recompute_target(target_id: int, as_of: str | None = None) -> int:
    return services.snapshots_recompute(Target.objects.filter(pk=target_id), _as_of(as_of), scope=f"target:{target_id}")


@shared_task(name="kpis.recompute_plan", **RETRY)
def recompute_plan(plan_id: int, as_of: str | None = None) -> int:
    return services.snapshots_recompute(Target.objects.filter(plan_id=plan_id), _as_of(as_of), scope=f"plan:{plan_id}")


@shared_task(name="kpis.recompute_all", **RETRY)
def recompute_all(as_of: str | None = None) -> int:
    """Every target, fanned out: a chord of parts (a plan, or a slice of a large plan) that the
    workers take one at a time, so more workers finish sooner; when all are done, one line in
    the recomputation log (the pages read snapshot dates from it). Returns the targets sent."""
    day = _as_of(as_of).isoformat()
    parts = recompute_parts(settings.RECOMPUTE_PART_TARGETS)
    if not parts:
        return 0
    header = [
        # The first part of each plan also redoes the plan's milestones.
        recompute_part.si(plan_id, first, last, day, i == 0 or parts[i - 1][0] != plan_id)
        for i, (plan_id, first, last, _count) in enumerate(parts)
    ]
    chord(header)(recompute_all_done.s(day, timezone.now().isoformat()))
    return sum(count for *_ids, count in parts)


@shared_task(name="kpis.recompute_part", **RETRY)
def recompute_part(plan_id: int, first_id: int, last_id: int, as_of: str, milestones: bool) -> int:
    return services.recompute_part(plan_id=plan_id, first_id=first_id, last_id=last_id, as_of=_as_of(as_of),
                                   milestones=milestones)


@shared_task(name="kpis.recompute_all_done", **RETRY)
def recompute_all_done(counts: list[int], as_of: str, started_at: str) -> int:
    services.recompute_run_record(scope="all", as_of=_as_of(as_of), started_at=dt.datetime.fromisoformat(started_at),
                                  targets=sum(counts))
    return sum(counts)


@shared_task(name="kpis.outbox_sweep", **RETRY)
def outbox_sweep() -> int:
    return services.outbox_sweep()
