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


def test_recompute_all_fans_out_in_parts_and_stores_what_one_recompute_stores(settings):
    from kpis.models import MilestoneSnapshot
    from kpis.selectors import recompute_parts
    from kpis.services import snapshots_recompute
    from tests.factories import ActualFactory

    figures = {}
    for target in Target.objects.filter(lead_departments__isnull=False).order_by("pk"):
        figures.setdefault((target.indicator_id, target.region_id), target)
    for target in list(figures.values())[:6]:
        ActualFactory(target=target, year=target.plan.start_year, value=7)
    settings.RECOMPUTE_PART_TARGETS = 7
    parts = recompute_parts(7)
    assert sorted(pk for plan, first, last, _n in parts for pk in Target.objects.filter(
        plan_id=plan, pk__gte=first, pk__lte=last).values_list("pk", flat=True)) == sorted(
        Target.objects.values_list("pk", flat=True))  # every target, once
    assert all(count <= 7 for *_ids, count in parts) and len(parts) > Plan.objects.count()
    whole, fanned = dt.date(2030, 1, 1), dt.date(2030, 1, 2)

    snapshots_recompute(Target.objects.all(), whole, scope="whole")
    assert tasks.recompute_all.delay(fanned.isoformat()).get() == Target.objects.count()

    def stored(model, as_of, key):
        return [{k: v for k, v in row.items() if k not in ("id", "as_of")}
                for row in model.objects.filter(as_of=as_of).order_by(key).values()]

    assert stored(ProgressSnapshot, fanned, "target_id") == stored(ProgressSnapshot, whole, "target_id")
    assert stored(MilestoneSnapshot, fanned, "milestone_id") == stored(MilestoneSnapshot, whole, "milestone_id")
    run = RecomputeRun.objects.get(as_of=fanned)  # one line in the log for the whole run, none per part
    assert run.scope == "all" and run.targets == Target.objects.count()
