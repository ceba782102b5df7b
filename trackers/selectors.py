"""Reads for the promise side."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from .models import (
    Actual,
    ActualVersion,
    Answerer,
    Department,
    Indicator,
    Plan,
    Region,
    ReportingObligation,
    Target,
    UploadJob,
)
from .validation import FigureContext


def plan_status_expression(today: dt.date | None = None) -> Case:
    """A plan's status follows from its document and its period, so it is computed, not stored."""
    year = (today or timezone.localdate()).year
    return Case(
        When(document_status=Plan.DocumentStatus.CONSULTATION_DRAFT, then=Value(Plan.Status.DRAFT)),
        When(end_year__lt=year, then=Value(Plan.Status.EXPIRED)),
        default=Value(Plan.Status.IN_FORCE),
        output_field=CharField(),
    )


def plan_list(*, today: dt.date | None = None) -> QuerySet[Plan]:
    return Plan.objects.select_related("region").annotate(status=plan_status_expression(today))


def figure_context(indicator: Indicator, region: Region, year) -> FigureContext:
    """What validation needs to know about a figure: the indicator, the plans' periods, last year."""
    return figure_contexts([(indicator, region, year)])[(indicator.pk, region.pk, year)]


def figure_contexts(figures) -> dict[tuple, FigureContext]:
    """figure_context for many (indicator, region, year) at once, in two queries whatever their
    number; keyed by (indicator id, region id, year as given). A year that is not a whole number
    gets no previous value (validation names it)."""
    figures = list(figures)
    indicator_ids = {indicator.pk for indicator, _region, _year in figures}
    region_ids = {region.pk for _indicator, region, _year in figures}
    periods = {
        (row["indicator_id"], row["region_id"]): (row["first"], row["last"])
        for row in Target.objects.filter(indicator_id__in=indicator_ids, region_id__in=region_ids)
        .order_by().values("indicator_id", "region_id").annotate(first=Min("plan__start_year"), last=Max("plan__end_year"))
    }
    previous_years = {year - 1 for _i, _r, year in figures if _is_year(year)}
    previous = dict(
        ((indicator_id, region_id, year), value)
        for indicator_id, region_id, year, value in ActualVersion.objects.filter(
            actual__indicator_id__in=indicator_ids, actual__region_id__in=region_ids,
            actual__year__in=previous_years, status=ActualVersion.Status.APPROVED,
        ).order_by().values_list("actual__indicator_id", "actual__region_id", "actual__year", "value_in_indicator_unit")
    ) if previous_years else {}
    jump_ratio = Decimal(str(settings.FIGURE_JUMP_RATIO))
    return {
        (indicator.pk, region.pk, year): FigureContext(
            indicator_unit=indicator.unit,
            indicator_kind=indicator.kind,
            allows_negative=indicator.allows_negative,
            allowed_years=periods.get((indicator.pk, region.pk)),
            previous_value=previous.get((indicator.pk, region.pk, year - 1)) if _is_year(year) else None,
            jump_ratio=jump_ratio,
        )
        for indicator, region, year in figures
    }


def _is_year(year) -> bool:
    return isinstance(year, int) and not isinstance(year, bool)


# Who answers for what: the rows the responsibility rule wrote (services.responsibility).

def answers_q(user, prefix: str = "") -> Q:
    """Targets (or, with a prefix such as "target__", rows of a target) that one of the user's
    departments answers for."""
    return Q(Exists(Answerer.objects.filter(target=OuterRef(f"{prefix}pk"), department__members=user)))


def figures_answered_q(user, prefix: str = "") -> Q:
    """Figures (indicator x region) that one of the user's departments answers for a target of."""
    return Q(Exists(Answerer.objects.filter(
        department__members=user, target__indicator=OuterRef(f"{prefix}indicator"),
        target__region=OuterRef(f"{prefix}region"),
    )))


def user_answers_for_figure(user, indicator, region) -> bool:
    return (_pk(indicator), _pk(region)) in figures_answered_by_user(user, [indicator], [region])


def figures_answered_by_user(user, indicators, regions) -> set[tuple[int, int]]:
    """Of the figures (indicator x region) these indicators and regions make, those one of the
    user's departments answers for a target of, as (indicator id, region id). One query."""
    return set(
        Answerer.objects.filter(
            department__members=user, target__indicator_id__in={_pk(i) for i in indicators},
            target__region_id__in={_pk(r) for r in regions},
        ).order_by().values_list("target__indicator_id", "target__region_id").distinct()
    )


def department_answers_for_figure(department, indicator, region) -> bool:
    key = (_pk(department), _pk(indicator), _pk(region))
    return key in figures_answered_by_departments([department], [indicator], [region])


def figures_answered_by_departments(departments, indicators, regions) -> set[tuple[int, int, int]]:
    """Which of these departments answers for a target of which figure, as (department id,
    indicator id, region id). One query."""
    return set(
        Answerer.objects.filter(
            department_id__in={_pk(d) for d in departments}, target__indicator_id__in={_pk(i) for i in indicators},
            target__region_id__in={_pk(r) for r in regions},
        ).order_by().values_list("department_id", "target__indicator_id", "target__region_id").distinct()
    )


def _pk(obj) -> int:
    return getattr(obj, "pk", obj)


def user_answers_for_milestone(user, milestone) -> bool:
    return Answerer.objects.filter(department__members=user, milestone=milestone).exists()


def promises_answered_by_department(promises: QuerySet, department_code: str) -> QuerySet:
    """Targets or milestones a department answers for, whatever its role."""
    return promises.filter(Exists(Answerer.objects.filter(
        **{promises.model._meta.model_name: OuterRef("pk")}, department__code=department_code
    )))


def answerer_names(targets: QuerySet[Target]) -> dict[int, dict[str, list[str]]]:
    """Per target: the accountable departments' names and the others', in the rule's order.
    One query."""
    names: dict[int, dict[str, list[str]]] = {}
    rows = Answerer.objects.filter(target__in=targets.values("pk")).order_by("target_id", "-accountable", "pk")
    for target_id, name, accountable in rows.values_list("target_id", "department__name", "accountable"):
        entry = names.setdefault(target_id, {"accountable": [], "supporting": []})
        entry["accountable" if accountable else "supporting"].append(name)
    return names


def actual_list_for(user) -> QuerySet[Actual]:
    """The figures a user may read: all for leaders, auditors, reviewers and administrators;
    their own departments' for submitters; none for anyone else."""
    actuals = Actual.objects.select_related("indicator", "region")
    if user.has_perm("trackers.view_all_figures"):
        return actuals
    if user.has_perm("trackers.use_api"):
        return actuals.filter(figures_answered_q(user))
    return actuals.none()


def version_list_for(user) -> QuerySet[ActualVersion]:
    """The versions of the figures the user may read (actual_list_for)."""
    if user.has_perm("trackers.view_all_figures"):
        return ActualVersion.objects.all()
    if user.has_perm("trackers.use_api"):
        return ActualVersion.objects.filter(figures_answered_q(user, prefix="actual__"))
    return ActualVersion.objects.none()


# Which figure counted on a date: the one rule, in SQL.

def end_of_day(as_of: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))


def counting_versions(as_of: dt.date) -> QuerySet[ActualVersion]:
    """The version of each figure that counted at the end of `as_of`: the one approved last by
    then (a correction approved later does not rewrite a past day), for a year up to as_of's.
    A figure for year Y counts from Y on: plans publish estimates for the current year."""
    cutoff = end_of_day(as_of)
    later = ActualVersion.objects.filter(
        Q(approved_at__gt=OuterRef("approved_at")) | Q(approved_at=OuterRef("approved_at"), pk__gt=OuterRef("pk")),
        actual=OuterRef("actual"), approved_at__lte=cutoff,
    )
    return ActualVersion.objects.filter(approved_at__lte=cutoff, actual__year__lte=as_of.year).exclude(Exists(later))


def history_actor(record):
    """Who made a recorded change of a figure's version: the signed-in user of the request; outside
    a request (shell, Celery, the demo loader), the person the version names for that step."""
    return record.history_user or {
        ActualVersion.Status.SUBMITTED: record.submitted_by,
        ActualVersion.Status.APPROVED: record.reviewed_by,
        ActualVersion.Status.RETURNED: record.reviewed_by,
    }.get(record.status, record.created_by)


def review_queue(user) -> QuerySet[ActualVersion]:
    """Submitted figures waiting for a reviewer other than the one who submitted them, each with
    last year's approved value (`last_year_value`, in the indicator's unit) beside it."""
    last_year = ActualVersion.objects.filter(
        actual__indicator=OuterRef("actual__indicator"), actual__region=OuterRef("actual__region"),
        actual__year=OuterRef("actual__year") - 1, status=ActualVersion.Status.APPROVED,
    ).values("value_in_indicator_unit")[:1]
    return (
        ActualVersion.objects.filter(status=ActualVersion.Status.SUBMITTED)
        .exclude(submitted_by=user)
        .annotate(last_year_value=Subquery(last_year))
        .select_related("actual__indicator", "actual__region", "department", "submitted_by")
        .order_by("submitted_at")
    )


def obligation_list_for(user, year: int) -> QuerySet[ReportingObligation]:
    """What the user's departments owe for a year, with the figure's open and approved versions."""
    return (
        ReportingObligation.objects.filter(year=year, department__members=user)
        .select_related("department", "indicator", "region")
        .order_by("department__name", "indicator__name", "region__name")
    )


COMPLETENESS_SQL = """
WITH figures AS (
    SELECT DISTINCT t.indicator_id, t.region_id, t.plan_id
    FROM trackers_target t JOIN trackers_plan p ON p.id = t.plan_id
    WHERE p.start_year <= %s AND p.end_year >= %s
), owed AS (
    SELECT o.department_id, o.indicator_id, o.region_id, o.due_date,
        EXISTS (SELECT 1 FROM trackers_actual a JOIN trackers_actualversion v ON v.actual_id = a.id
                WHERE a.indicator_id = o.indicator_id AND a.region_id = o.region_id AND a.year = o.year
                  AND v.status IN ('submitted', 'approved', 'superseded')) AS submitted,
        EXISTS (SELECT 1 FROM trackers_actual a JOIN trackers_actualversion v ON v.actual_id = a.id
                WHERE a.indicator_id = o.indicator_id AND a.region_id = o.region_id AND a.year = o.year
                  AND v.approved_at IS NOT NULL) AS approved
    FROM trackers_reportingobligation o WHERE o.year = %s
)
SELECT f.plan_id, owed.department_id, COUNT(*),
    SUM(CASE WHEN owed.submitted THEN 1 ELSE 0 END),
    SUM(CASE WHEN owed.approved THEN 1 ELSE 0 END),
    SUM(CASE WHEN NOT owed.submitted AND owed.due_date < %s THEN 1 ELSE 0 END)
FROM owed JOIN figures f ON f.indicator_id = owed.indicator_id AND f.region_id = owed.region_id
GROUP BY f.plan_id, owed.department_id
"""


def completeness(year: int, today: dt.date | None = None) -> list[dict]:
    """Per department and plan: figures owed, submitted, approved and overdue for a year.

    Submitted counts figures sent for review (or already approved); overdue counts figures not
    submitted by the due date. Completion and approval are separate states, as in DHIS2. Counted
    by the database in one statement (a figure serves every plan of its indicator and region that
    runs that year), then the few plans and departments named.
    """
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(COMPLETENESS_SQL, [year, year, year, today])
        counts = cursor.fetchall()
    plans = Plan.objects.in_bulk({plan_id for plan_id, *_rest in counts})
    departments = Department.objects.in_bulk({department_id for _plan, department_id, *_rest in counts})
    rows = [
        {"department": departments[department_id], "plan": plans[plan_id], "owed": owed, "submitted": int(submitted),
         "approved": int(approved), "overdue": int(overdue)}
        for plan_id, department_id, owed, submitted, approved, overdue in counts
    ]
    return sorted(rows, key=lambda row: (row["plan"].code, row["department"].name))


def upload_job_get_for(user, job_id) -> UploadJob | None:
    """An upload job, to the user who uploaded the file only; the file itself is not loaded."""
    return UploadJob.objects.defer("content").filter(pk=job_id, requested_by=user).first()


def upload_job_list_for(user, limit: int = 5) -> list[UploadJob]:
    return list(UploadJob.objects.defer("content").filter(requested_by=user)[:limit])
