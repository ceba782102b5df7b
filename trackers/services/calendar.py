"""Writes for the reporting calendar: which figures each department owes for a year."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from trackers.models import Answerer, Plan, ReportingObligation


def due_date_for(year: int) -> dt.date:
    return dt.date(year + 1, settings.REPORTING_DUE_MONTH, settings.REPORTING_DUE_DAY)


@transaction.atomic
def obligations_generate(year: int) -> int:
    """Owe, for `year`, every figure the current target of a published plan running that year
    needs, from the departments accountable for it (kpis.core.responsibility: the leads, else the co-operating
    departments, else the plan's coordinators). Running it again adds only what is new, and never
    removes an obligation already on the calendar. Returns how many the year should hold."""
    wanted = set(
        Answerer.objects.filter(
            accountable=True, target__plan__start_year__lte=year, target__plan__end_year__gte=year,
            target__valid_to__isnull=True, target__plan__published_at__isnull=False,
        ).values_list("department_id", "target__indicator_id", "target__region_id")
    )
    due = due_date_for(year)
    ReportingObligation.objects.bulk_create(
        [
            ReportingObligation(department_id=d, indicator_id=i, region_id=r, year=year, due_date=due)
            for d, i, r in sorted(wanted)
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return len(wanted)


def obligations_generate_for_plan(plan: Plan) -> int:
    """The calendar of every year of a plan's period; called when a plan's promises change."""
    return sum(obligations_generate(year) for year in range(plan.start_year, plan.end_year + 1))
