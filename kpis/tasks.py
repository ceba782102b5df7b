"""Celery tasks: thin wrappers that parse arguments and call kpis.services.

Retried on database errors (a restarting PostgreSQL); acks_late with reject_on_worker_lost
(settings) so a task whose worker dies mid-way is delivered again, and services make a rerun
harmless.
"""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from kpis import services
from trackers.models import Target
from trackers.selectors import published_targets

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
    return services.snapshots_recompute(published_targets(), _as_of(as_of), scope="all")


@shared_task(name="kpis.outbox_sweep", **RETRY)
def outbox_sweep() -> int:
    return services.outbox_sweep()
