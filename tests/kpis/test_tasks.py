import datetime as dt

import pytest
from django.db import DatabaseError
from django_celery_beat.models import PeriodicTask

from kpis import tasks
from kpis.models import ProgressSnapshot, RecomputeRun
from trackers.models import Plan, Target

pytestmark = pytest.mark.django_db


def test_beat_schedule_lives_in_the_database():
    scheduled = dict(PeriodicTask.objects.filter(enabled=True).values_list("task", "name"))
    assert "kpis.recompute_all" in scheduled and "kpis.outbox_sweep" in scheduled
    nightly = PeriodicTask.objects.get(task="kpis.recompute_all")
    assert nightly.crontab.hour == "2" and str(nightly.crontab.timezone) == "Asia/Shanghai"
    assert PeriodicTask.objects.get(task="kpis.outbox_sweep").interval.every == 60


@pytest.mark.parametrize("task", [tasks.recompute_all, tasks.recompute_plan, tasks.recompute_target,
                                  tasks.recompute_request_process, tasks.outbox_sweep])
def test_tasks_retry_on_database_errors(task):
    assert DatabaseError in task.autoretry_for and task.max_retries >= 3


def test_recompute_scopes_write_one_snapshot_per_target():
    plan = Plan.objects.get(code="guangdong-biomed-2021-2025")
    target = plan.targets.first()
    assert tasks.recompute_target.delay(target.pk, "2024-06-30").get() == 1
    assert tasks.recompute_plan.delay(plan.pk, "2024-06-30").get() == plan.targets.count()
    assert tasks.recompute_all.delay("2024-06-30").get() == Target.objects.count()
    assert ProgressSnapshot.objects.filter(as_of=dt.date(2024, 6, 30)).count() == Target.objects.count()
    assert list(RecomputeRun.objects.order_by("started_at").values_list("scope", flat=True)) == [
        f"target:{target.pk}", f"plan:{plan.pk}", "all"
    ]
