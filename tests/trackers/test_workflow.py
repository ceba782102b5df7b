"""The review workflow and its audit trail, through the service layer."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.factories import UserFactory, submitter_for, target_with_lead
from trackers import roles, signals
from trackers.exceptions import ConflictError, InvalidInput, WorkflowError
from trackers.models import Actual, ActualVersion
from trackers.selectors import counting_versions
from trackers.services.actuals import (
    FigureInput,
    actual_approve,
    actual_return,
    actual_save_draft,
    actual_submit,
    actual_submit_figure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def target():
    return target_with_lead("guangzhou-health-elderly-2017-2020")


@pytest.fixture
def submitter(target):
    return submitter_for(target)


def figure(target, value="10", year=None, **kw):
    defaults = dict(
        indicator=target.indicator, region=target.region, year=year or target.plan.start_year,
        value=value, unit=target.indicator.unit, source="统计年鉴2018",
    )
    defaults.update(kw)
    return FigureInput(**defaults)


def test_draft_submit_approve(target, submitter, reviewer):
    user, department = submitter
    version = actual_save_draft(user=user, department=department, figure=figure(target, "12.5"))
    assert version.status == "draft" and version.number == 1
    version = actual_submit(user=user, version=version, expected_lock_version=version.actual.lock_version)
    assert version.status == "submitted" and version.submitted_by == user
    approved = actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    assert approved.status == "approved" and approved.reviewed_by == reviewer and approved.approved_at
    assert approved.value == Decimal("12.5")


def test_returned_figure_is_resubmitted_and_its_history_keeps_the_return(target, submitter, reviewer):
    user, department = submitter
    version = actual_submit_figure(user=user, department=department, figure=figure(target, "7"))
    version = actual_return(user=reviewer, version=version, reason="口径不一致",
                            expected_lock_version=version.actual.lock_version)
    assert version.status == "returned"
    version = actual_save_draft(
        user=user, department=department, figure=figure(target, "8"), expected_lock_version=version.actual.lock_version
    )
    version = actual_submit(user=user, version=version, expected_lock_version=version.actual.lock_version)
    assert version.status == "submitted" and version.value == Decimal(8)
    states = list(version.history.order_by("history_date").values_list("status", "return_reason", "value"))
    assert ("returned", "口径不一致", Decimal("7.000000")) in states
    assert states[-1][0] == "submitted"


def test_correcting_an_approved_figure_keeps_every_earlier_version(target, submitter, reviewer):
    user, department = submitter
    first = actual_submit_figure(user=user, department=department, figure=figure(target, "100"))
    first = actual_approve(user=reviewer, version=first, expected_lock_version=first.actual.lock_version)
    lock = first.actual.lock_version

    with pytest.raises(InvalidInput) as error:
        actual_save_draft(user=user, department=department, figure=figure(target, "110"), expected_lock_version=lock)
    assert error.value.errors[0].field == "correction_reason"

    second = actual_submit_figure(
        user=user, department=department, expected_lock_version=lock,
        figure=figure(target, "110", correction_reason="统计局修订"),
    )
    # Until the correction is approved, the first approved value still counts.
    assert ActualVersion.objects.get(pk=first.pk).status == "approved"
    second = actual_approve(user=reviewer, version=second, expected_lock_version=second.actual.lock_version)

    versions = list(Actual.objects.get(pk=first.actual_id).versions.order_by("number"))
    assert [(v.number, v.status, v.value) for v in versions] == [
        (1, "superseded", Decimal("100.000000")),
        (2, "approved", Decimal("110.000000")),
    ]
    assert versions[0].approved_at and versions[0].reviewed_by == reviewer  # its approval stays on record
    assert versions[1].correction_reason == "统计局修订"
    # Which version counted on a day: the one approved last by its end (the correction, a day later).
    first_day = timezone.localdate(versions[0].approved_at)
    ActualVersion.objects.filter(pk=versions[1].pk).update(approved_at=versions[1].approved_at + dt.timedelta(days=1))
    counted_on = {day: counting_versions(day).get(actual=versions[0].actual).number
                  for day in (first_day, first_day + dt.timedelta(days=1))}
    assert counted_on == {first_day: 1, first_day + dt.timedelta(days=1): 2}


def test_nobody_approves_their_own_figure(target, submitter):
    user, department = submitter
    user.groups.add(*UserFactory(role=roles.REVIEWER).groups.all())
    version = actual_submit_figure(user=user, department=department, figure=figure(target))
    with pytest.raises(PermissionDenied):
        actual_approve(user=user, version=version, expected_lock_version=version.actual.lock_version)


def test_approving_a_draft_is_refused(target, submitter, reviewer):
    user, department = submitter
    version = actual_save_draft(user=user, department=department, figure=figure(target))
    with pytest.raises(WorkflowError):
        actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)


def test_second_editor_gets_a_conflict_not_a_silent_overwrite(target, submitter):
    user, department = submitter
    colleague = UserFactory(role=roles.SUBMITTER, departments=[department])
    version = actual_save_draft(user=user, department=department, figure=figure(target, "1"))
    seen = version.actual.lock_version  # both open the same draft

    actual_save_draft(user=user, department=department, figure=figure(target, "2"), expected_lock_version=seen)
    with pytest.raises(ConflictError):
        actual_save_draft(user=colleague, department=department, figure=figure(target, "3"), expected_lock_version=seen)

    assert ActualVersion.objects.get(pk=version.pk).value == Decimal(2)


def test_invalid_figure_names_each_field_and_stores_nothing(target, submitter):
    user, department = submitter
    bad = figure(target, value="-5", year=1990, unit="平方米", source="")
    with pytest.raises(InvalidInput) as error:
        actual_save_draft(user=user, department=department, figure=bad)
    assert {e.field for e in error.value.errors} == {"year", "unit", "source"}
    assert not Actual.objects.filter(indicator=target.indicator, region=target.region).exists()


def test_negative_value_refused_and_money_units_convert():
    target = target_with_lead("guangzhou-health-elderly-2017-2020", unit="亿元")
    user, department = submitter_for(target)
    with pytest.raises(InvalidInput) as error:
        actual_save_draft(user=user, department=department, figure=figure(target, "-1"))
    assert [e.code for e in error.value.errors] == ["negative"]
    version = actual_save_draft(user=user, department=department, figure=figure(target, "3500", unit="万元"))
    assert version.value_in_indicator_unit == Decimal("0.35")


def test_implausible_jump_is_flagged_not_refused(target, submitter, reviewer, settings):
    settings.FIGURE_TARGET_RATIO = 10_000  # the target is 1: only the jump from last year is judged here
    user, department = submitter
    year = target.plan.start_year
    first = actual_submit_figure(user=user, department=department, figure=figure(target, "100", year=year))
    actual_approve(user=reviewer, version=first, expected_lock_version=first.actual.lock_version)
    jumped = actual_submit_figure(user=user, department=department, figure=figure(target, "1000", year=year + 1))
    assert jumped.flagged and "100" in jumped.flag_reason
    steady = actual_submit_figure(user=user, department=department, figure=figure(target, "110", year=year + 2))
    assert not steady.flagged


def test_submitter_of_another_department_is_refused(target):
    from tests.factories import other_department

    stranger = UserFactory(role=roles.SUBMITTER, departments=[other_department(target.lead_departments.first())])
    department = stranger.departments.first()
    with pytest.raises(PermissionDenied):
        actual_save_draft(user=stranger, department=department, figure=figure(target))


def test_approval_sends_figure_approved_inside_the_transaction(target, submitter, reviewer):
    received = []

    def receiver(sender, version, **kwargs):
        received.append(version.pk)

    signals.figure_approved.connect(receiver)
    try:
        user, department = submitter
        version = actual_submit_figure(user=user, department=department, figure=figure(target))
        actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    finally:
        signals.figure_approved.disconnect(receiver)
    assert received == [version.pk]


def test_a_figure_cannot_be_filed_under_a_department_that_does_not_answer_for_it(target, submitter):
    from tests.factories import other_department

    user, department = submitter
    unrelated = other_department(department)
    unrelated.members.add(user)  # the user belongs to it, but it has nothing to do with this figure
    from trackers.selectors import department_answers_for_figure

    assert not department_answers_for_figure(unrelated, target.indicator, target.region)
    with pytest.raises(PermissionDenied):
        actual_save_draft(user=user, department=unrelated, figure=figure(target))
