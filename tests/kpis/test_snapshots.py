"""Snapshots from the database: computed from approved figures only, idempotent, reproducible
for a past date, and owed by every approval through the outbox."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis.models import ProgressSnapshot, RecomputeRequest
from kpis.services import outbox_sweep, snapshots_recompute
from tests.factories import UserFactory
from trackers import roles
from trackers.models import Target
from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure

pytestmark = pytest.mark.django_db


def report(target, people, year, value, approve=True, **extra):
    submitter, department, reviewer = people
    figure = FigureInput(target.indicator, target.region, year, value, "亿元", "统计公报", **extra)
    lock = target.indicator.actuals.filter(region=target.region, year=year).values_list("lock_version", flat=True).first()
    version = actual_submit_figure(user=submitter, department=department, figure=figure, expected_lock_version=lock)
    if approve:
        version = actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    return version


def snapshot(target, as_of):
    return ProgressSnapshot.objects.get(target=target, as_of=as_of)


def test_only_approved_figures_count(revenue_target, people):
    report(revenue_target, people, 2022, "800")
    report(revenue_target, people, 2023, "5000", approve=False)  # submitted, not approved
    today = timezone.localdate()
    snapshots_recompute(Target.objects.filter(pk=revenue_target.pk), today)
    row = snapshot(revenue_target, today)
    assert row.latest_year == 2022 and row.latest_value == Decimal(800)
    assert row.target_value == Decimal(1200)
    # progress from the 676 baseline: (800-676)/(1200-676)
    assert row.progress == Decimal(repr(round((800 - 676) / (1200 - 676), 8)))
    assert row.gap == Decimal(400)
    assert row.latest_version.value == Decimal(800)


def test_recomputing_twice_leaves_identical_rows(revenue_target, people):
    report(revenue_target, people, 2022, "800")
    report(revenue_target, people, 2023, "900")
    as_of = timezone.localdate()
    snapshots_recompute(Target.objects.all(), as_of)
    first = list(ProgressSnapshot.objects.filter(as_of=as_of).order_by("target_id").values())
    snapshots_recompute(Target.objects.all(), as_of)
    second = list(ProgressSnapshot.objects.filter(as_of=as_of).order_by("target_id").values())
    assert first == second and len(first) == Target.objects.count()


def test_a_past_date_sees_the_figures_known_then(revenue_target, people):
    old = report(revenue_target, people, 2022, "800")
    before_correction = timezone.localdate()
    snapshots_recompute(Target.objects.filter(pk=revenue_target.pk), before_correction)
    kept = snapshot(revenue_target, before_correction)

    corrected = report(revenue_target, people, 2022, "850", correction_reason="统计局修订")
    # Approved later: a snapshot recomputed for the earlier moment must still use 800.
    old.actual.versions.filter(pk=corrected.pk).update(approved_at=timezone.now() + dt.timedelta(days=2))
    snapshots_recompute(Target.objects.filter(pk=revenue_target.pk), before_correction)
    assert snapshot(revenue_target, before_correction).latest_value == kept.latest_value == Decimal(800)

    later = before_correction + dt.timedelta(days=3)
    snapshots_recompute(Target.objects.filter(pk=revenue_target.pk), later)
    assert snapshot(revenue_target, later).latest_value == Decimal(850)


def test_approval_owes_a_recomputation_that_runs_after_commit(revenue_target, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report(revenue_target, people, 2023, "950")
    request = RecomputeRequest.objects.get()
    assert revenue_target.pk in request.target_ids and request.completed_at is not None
    assert snapshot(revenue_target, timezone.localdate()).latest_value == Decimal(950)


def test_sweeper_dispatches_requests_that_were_never_sent(revenue_target, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # as if the broker had been down
        report(revenue_target, people, 2023, "950")
    request = RecomputeRequest.objects.get()
    assert request.dispatched_at is None and request.completed_at is None
    assert outbox_sweep() == 1
    request.refresh_from_db()
    assert request.completed_at is not None
    assert snapshot(revenue_target, timezone.localdate()).latest_value == Decimal(950)
    assert outbox_sweep() == 0  # nothing owed any more


def test_a_milestone_completed_later_does_not_rewrite_a_past_state(django_user_model):
    from kpis.models import MilestoneSnapshot
    from trackers.models import Milestone
    from trackers.services.milestones import milestone_complete

    milestone = Milestone.objects.filter(lead_departments__isnull=False, deadline__year=2018).first()
    past = dt.date(2019, 6, 30)
    snapshots_recompute(Target.objects.filter(plan=milestone.plan), past)
    assert MilestoneSnapshot.objects.get(milestone=milestone, as_of=past).state == "overdue"

    user = UserFactory(role=roles.SUBMITTER, departments=[milestone.lead_departments.first()])
    milestone_complete(user=user, milestone=milestone, completed_on=dt.date(2018, 11, 30), evidence="公告")
    snapshots_recompute(Target.objects.filter(plan=milestone.plan), past)
    assert MilestoneSnapshot.objects.get(milestone=milestone, as_of=past).state == "overdue"  # not known then
    today = timezone.localdate()
    snapshots_recompute(Target.objects.filter(plan=milestone.plan), today)
    assert MilestoneSnapshot.objects.get(milestone=milestone, as_of=today).state == "done"


def test_a_superseded_approval_is_in_the_history(revenue_target, people):
    first = report(revenue_target, people, 2022, "800")
    report(revenue_target, people, 2022, "850", correction_reason="统计局修订")
    first.refresh_from_db()
    assert first.status == "superseded"
    assert list(first.history.order_by("history_date").values_list("status", flat=True))[-1] == "superseded"
