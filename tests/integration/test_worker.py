"""The recomputation path end to end: approval -> outbox -> Redis -> a real worker -> snapshot."""
import os
import signal

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from kpis.models import ProgressSnapshot, RecomputeRequest
from kpis.tasks import recompute_request_process
from tests.factories import UserFactory, submitter_for
from tests.integration.conftest import redis_start, redis_stop, wait_for
from trackers import roles
from trackers.models import Target
from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def approve_revenue(value="950", year=2023):
    target = Target.objects.select_related("indicator", "region", "plan").get(
        plan__code="shenzhen-health-2022-2025", value_text="1200亿元"
    )
    submitter, department = submitter_for(target)
    reviewer = UserFactory(role=roles.REVIEWER)
    figure = FigureInput(target.indicator, target.region, year, value, "亿元", "统计公报")
    version = actual_submit_figure(user=submitter, department=department, figure=figure)
    actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    return target


def snapshot_value(target):
    row = ProgressSnapshot.objects.filter(target=target, as_of=timezone.localdate()).first()
    return row and row.latest_value


def test_worker_recomputes_after_an_approval(celery_worker_process):
    target = approve_revenue("950")
    value = wait_for(lambda: snapshot_value(target), what="the worker's snapshot")
    assert value == 950
    request = RecomputeRequest.objects.get()
    assert request.dispatched_at and request.completed_at and request.attempts == 1


def test_approval_survives_a_redis_outage_and_the_recomputation_runs_once_redis_is_back(
    celery_worker_process, redis_restored
):
    redis_stop()
    target = approve_revenue("960")  # commits although the broker is down

    request = RecomputeRequest.objects.get()
    assert request.dispatched_at is None and request.completed_at is None
    assert "960" in str(target.indicator.actuals.get(year=2023).versions.get(status="approved").value)
    assert snapshot_value(target) is None

    redis_start()
    # What beat does every minute: the sweeper dispatches the request that was never sent.
    from kpis.tasks import outbox_sweep

    wait_for(lambda: _try_send(outbox_sweep), timeout=30, what="the broker to accept a task")
    assert wait_for(lambda: snapshot_value(target), what="the snapshot after Redis came back") == 960
    assert RecomputeRequest.objects.get().completed_at is not None


def _try_send(task):
    try:
        task.apply_async(retry=False)
        return True
    except Exception:  # noqa: BLE001 - the worker and client reconnect in their own time
        return False


def test_a_task_whose_worker_is_killed_midway_is_redone(celery_worker_process):
    target = Target.objects.get(plan__code="shenzhen-health-2022-2025", value_text="1200亿元")
    request = RecomputeRequest.objects.create(target_ids=[target.pk], as_of=timezone.localdate(), reason="test")

    # Hold a row lock from another connection so the task blocks inside its first write.
    db = settings.DATABASES["default"]
    locker = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres", dbname=db["NAME"]
    )
    locker.execute("SELECT id FROM kpis_recomputerequest WHERE id = %s FOR UPDATE", [request.pk])
    try:
        recompute_request_process.apply_async(args=[request.pk], retry=False)
        blocked = wait_for(_blocked_backend_count, what="the task to be mid-way")
        assert blocked >= 1
        children = celery_worker_process.child_pids()
        assert children, "the worker has no pool process"
        for pid in children:
            os.kill(pid, signal.SIGKILL)  # the worker dies mid-task
    finally:
        locker.rollback()
        locker.close()

    # acks_late + reject_on_worker_lost: the message goes back to the queue and runs again.
    done = wait_for(
        lambda: RecomputeRequest.objects.filter(pk=request.pk, completed_at__isnull=False).exists(),
        what="the redelivered task to finish",
    )
    assert done
    assert ProgressSnapshot.objects.filter(target=target, as_of=timezone.localdate()).exists()


def _blocked_backend_count():
    """Backends waiting for our row lock (read from a connection outside the locker's
    transaction: pg_stat_activity is a snapshot for the length of a transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
            ["%kpis_recomputerequest%"],
        )
        return cursor.fetchone()[0]
