"""Writes for the reporting calendar: which figures each department owes for a year."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from trackers.models import ReportingObligation, Target


def due_date_for(year: int) -> dt.date:
    return dt.date(year + 1, settings.REPORTING_DUE_MONTH, settings.REPORTING_DUE_DAY)


@transaction.atomic
def obligations_generate(year: int) -> int:
    """Owe, for `year`, every figure a target of a plan running that year needs.

    The lead departments owe it; where the plan names none, the co-operating ones do, and where
    it names no department at all, the plan's coordinating departments do. Running
    it again adds only what is new, and never removes an obligation already on the calendar.
    """
    targets = (
        Target.objects.filter(plan__start_year__lte=year, plan__end_year__gte=year)
        .select_related("plan")
        .prefetch_related("lead_departments", "cooperating_departments", "plan__coordinating_departments")
    )
    wanted = set()
    for target in targets:
        departments = (
            list(target.lead_departments.all())
            or list(target.cooperating_departments.all())
            or list(target.plan.coordinating_departments.all())
        )
        wanted.update((d.pk, target.indicator_id, target.region_id) for d in departments)
    due = due_date_for(year)
    ReportingObligation.objects.bulk_create(
        [
            ReportingObligation(department_id=d, indicator_id=i, region_id=r, year=year, due_date=due)
            for d, i, r in sorted(wanted)
        ],
        ignore_conflicts=True,
    )
    return len(wanted)
