"""Reads for the promise side."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from kpis.core import vocabulary

from . import matching
from .models import (
    Actual,
    ActualVersion,
    Answerer,
    Department,
    DraftTarget,
    Indicator,
    Milestone,
    NotificationLog,
    NotificationPreferences,
    Plan,
    Region,
    ReportingObligation,
    Target,
    UploadJob,
)
from .names import department_label
from .quantities import UnitError, convert, is_count_unit, normalize_text
from .reading import LOW_CONFIDENCE
from .validation import FigureContext, is_sane_year


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


# What is shown: published plans, and the version of each target that counts on a date.
# Dashboards, the calendar and snapshots follow the current versions (Target.objects); reports
# for a date read the versions valid then, so a revision never rewrites an earlier report.

PUBLISHED = Q(published_at__isnull=False)


def published_plans(*, today: dt.date | None = None) -> QuerySet[Plan]:
    return plan_list(today=today).filter(PUBLISHED)


def published_targets() -> QuerySet[Target]:
    """The current version of every target of a published plan."""
    return Target.objects.filter(plan__published_at__isnull=False)


def valid_on_q(as_of, prefix: str = "") -> Q:
    """Rows that counted at the end of `as_of` (a date, or an expression such as F("as_of")):
    made valid by then, not yet replaced by then. Empty dates mean always and still."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": as_of})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": as_of}))


def targets_valid_on(as_of: dt.date) -> QuerySet[Target]:
    """Every target of a published plan as it stood at the end of `as_of`: the rows a report for
    that date reads, whatever revisions came after."""
    return Target.all_versions.filter(valid_on_q(as_of), plan__published_at__isnull=False)


def snapshot_counts_q(prefix: str = "target__") -> Q:
    """Snapshots of a published plan's target taken while that version of the target counted."""
    return Q(**{f"{prefix}plan__published_at__isnull": False}) & valid_on_q(F("as_of"), prefix)


def plans_for(user) -> QuerySet[Plan]:
    """Plans a user may list: reviewers (who read and publish plans) see unpublished ones too."""
    return plan_list() if user.has_perm("trackers.read_plans") else published_plans()


def promises_for(user, promises: QuerySet) -> QuerySet:
    """Targets or milestones a user may list: of published plans, unless the user reviews plans."""
    return promises if user.has_perm("trackers.read_plans") else promises.filter(plan__published_at__isnull=False)


def published_milestones() -> QuerySet[Milestone]:
    return Milestone.objects.filter(plan__published_at__isnull=False)


def milestones_valid_on(as_of: dt.date) -> QuerySet[Milestone]:
    return published_milestones().filter(Q(valid_from__isnull=True) | Q(valid_from__lte=as_of))


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
    periods, magnitudes = {}, {}
    for row in (
        Target.objects.filter(indicator_id__in=indicator_ids, region_id__in=region_ids).order_by()
        .values("indicator_id", "region_id", "unit", "indicator__unit")
        .annotate(first=Min("plan__start_year"), last=Max("plan__end_year"), top=Max(Coalesce("value_high", "value")))
    ):
        key = (row["indicator_id"], row["region_id"])
        first, last = periods.get(key, (row["first"], row["last"]))
        periods[key] = (min(first, row["first"]), max(last, row["last"]))
        top = _in_unit(row["top"], row["unit"], row["indicator__unit"])
        if top is not None and abs(top) > abs(magnitudes.get(key, 0)):
            magnitudes[key] = top
    previous_years = {year - 1 for _i, _r, year in figures if _is_year(year)}
    previous = dict(
        ((indicator_id, region_id, year), value)
        for indicator_id, region_id, year, value in ActualVersion.objects.filter(
            actual__indicator_id__in=indicator_ids, actual__region_id__in=region_ids,
            actual__year__in=previous_years, status=ActualVersion.Status.APPROVED,
        ).order_by().values_list("actual__indicator_id", "actual__region_id", "actual__year", "value_in_indicator_unit")
    ) if previous_years else {}
    jump_ratio = Decimal(str(settings.FIGURE_JUMP_RATIO))
    target_ratio = Decimal(str(settings.FIGURE_TARGET_RATIO))
    return {
        (indicator.pk, region.pk, year): FigureContext(
            indicator_unit=indicator.unit,
            indicator_kind=indicator.kind,
            allows_negative=indicator.allows_negative,
            allowed_years=periods.get((indicator.pk, region.pk)),
            previous_value=previous.get((indicator.pk, region.pk, year - 1)) if _is_year(year) else None,
            jump_ratio=jump_ratio,
            whole_numbers=is_count_unit(indicator.unit),
            minimum=indicator.plausible_min,
            maximum=indicator.plausible_max,
            target_magnitude=magnitudes.get((indicator.pk, region.pk)),
            target_ratio=target_ratio,
        )
        for indicator, region, year in figures
    }


def _in_unit(value: Decimal | None, unit: str, indicator_unit: str) -> Decimal | None:
    """A target's value in its indicator's unit; None when the units measure different things."""
    if value is None:
        return None
    try:
        return convert(Decimal(value), unit, indicator_unit)
    except UnitError:
        return None


def _is_year(year) -> bool:
    # An absurd year gets no previous value and is not looked up (validation names it).
    return is_sane_year(year)


# Who answers for what: the rows the responsibility rule wrote (services.responsibility). A
# retired version of a target keeps its rows (earlier reports name them); who answers for a
# figure now is read from the current versions only.

def answers_q(user, prefix: str = "") -> Q:
    """Targets (or, with a prefix such as "target__", rows of a target) that one of the user's
    departments answers for."""
    return Q(Exists(Answerer.objects.filter(target=OuterRef(f"{prefix}pk"), department__members=user)))


def figures_answered_q(user, prefix: str = "") -> Q:
    """Figures (indicator x region) that one of the user's departments answers for a target of."""
    return Q(Exists(Answerer.objects.filter(
        department__members=user, target__indicator=OuterRef(f"{prefix}indicator"),
        target__region=OuterRef(f"{prefix}region"), target__valid_to__isnull=True,
    )))


def user_answers_for_figure(user, indicator, region) -> bool:
    return (_pk(indicator), _pk(region)) in figures_answered_by_user(user, [indicator], [region])


def figures_answered_by_user(user, indicators, regions) -> set[tuple[int, int]]:
    """Of the figures (indicator x region) these indicators and regions make, those one of the
    user's departments answers for a target of, as (indicator id, region id). One query."""
    return set(
        Answerer.objects.filter(
            department__members=user, target__indicator_id__in={_pk(i) for i in indicators},
            target__region_id__in={_pk(r) for r in regions}, target__valid_to__isnull=True,
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
            target__region_id__in={_pk(r) for r in regions}, target__valid_to__isnull=True,
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


def answerer_names(targets: QuerySet[Target], labelled: bool = False) -> dict[int, dict[str, list[str]]]:
    """Per target: the accountable departments' names and the others', in the rule's order.
    `labelled`: as pages show them, with their region in the active language (trackers.names);
    otherwise the stored names (reports, whose data must not depend on the reader). One query."""
    names: dict[int, dict[str, list[str]]] = {}
    rows = Answerer.objects.filter(target__in=targets.values("pk")).order_by("target_id", "-accountable", "pk")
    for target_id, name, region, region_en, accountable in rows.values_list(
            "target_id", "department__name", "department__region__name", "department__region__name_en", "accountable"):
        entry = names.setdefault(target_id, {"accountable": [], "supporting": []})
        entry["accountable" if accountable else "supporting"].append(
            department_label(name, region, region_en) if labelled else name)
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


def actor_of(status: str, history_user, submitted_by, reviewed_by, created_by):
    """Who made a recorded change of a figure's version: the signed-in user of the request; outside
    a request (shell, Celery, the demo loader), the person the version names for that step."""
    return history_user or {
        ActualVersion.Status.SUBMITTED: submitted_by,
        ActualVersion.Status.APPROVED: reviewed_by,
        ActualVersion.Status.RETURNED: reviewed_by,
    }.get(status, created_by)


def history_actor(record):
    """actor_of for a history record."""
    return actor_of(record.status, record.history_user, record.submitted_by, record.reviewed_by, record.created_by)


def review_queue(user, *, plan=None, region=None, department=None, flagged: bool | None = None,
                 kind: str | None = None) -> QuerySet[ActualVersion]:
    """Submitted figures waiting for a reviewer other than the one who submitted them, each with
    the last approved value of an earlier year (`last_year_value`, in the indicator's unit, and
    `last_year`: last year's, or the latest before it) beside it and, for a correction
    (`is_correction`), the approved value it replaces (`replaced_value`, `replaced_unit`).
    Filters: a plan that targets the figure, its region, the submitting department, flagged or not,
    kind "new" or "correction"."""
    earlier = ActualVersion.objects.filter(
        actual__indicator=OuterRef("actual__indicator"), actual__region=OuterRef("actual__region"),
        actual__year__lt=OuterRef("actual__year"), status=ActualVersion.Status.APPROVED,
    ).order_by("-actual__year")
    replaced = _replaced()
    queue = _waiting_for(user, plan=plan, region=region, department=department, flagged=flagged, kind=kind).annotate(
        last_year_value=Subquery(earlier.values("value_in_indicator_unit")[:1]),
        last_year=Subquery(earlier.values("actual__year")[:1]), is_correction=Exists(replaced),
        replaced_value=Subquery(replaced.values("value")[:1]), replaced_unit=Subquery(replaced.values("unit")[:1]))
    return queue.select_related("actual__indicator", "actual__region", "department__region", "submitted_by",
                                 "published").order_by(
        "submitted_at", "pk")


def review_queue_count(user, **filters) -> int:
    """How many figures review_queue holds with these filters, counted without its annotations
    (whose references to the figure would join every waiting version to its figure)."""
    return _waiting_for(user, **filters).count()


def _replaced() -> QuerySet[ActualVersion]:
    return ActualVersion.objects.filter(actual=OuterRef("actual"), status=ActualVersion.Status.APPROVED)


def _waiting_for(user, *, plan=None, region=None, department=None, flagged: bool | None = None,
                 kind: str | None = None) -> QuerySet[ActualVersion]:
    queue = (ActualVersion.objects.filter(status=ActualVersion.Status.SUBMITTED)
             .exclude(submitted_by=user).exclude(created_by=user))  # whom actual_approve refuses (four eyes)
    if plan is not None:
        queue = queue.filter(Exists(Target.objects.filter(
            plan=plan, indicator=OuterRef("actual__indicator"), region=OuterRef("actual__region"))))
    if region is not None:
        queue = queue.filter(actual__region=region)
    if department is not None:
        queue = queue.filter(department=department)
    if flagged is not None:
        queue = queue.filter(flagged=flagged)
    if kind is not None:
        queue = queue.filter(Exists(_replaced()) if kind == "correction" else ~Exists(_replaced()))
    return queue


def figure_targets(figures) -> dict[tuple[int, int, int], list[Target]]:
    """The current targets each figure (indicator id, region id, year) feeds: those of plans whose
    period holds the year, with their plan, in a fixed order. One query whatever their number."""
    figures = set(figures)
    if not figures:
        return {}
    years = {year for _i, _r, year in figures}
    by_pair = defaultdict(list)
    for target in Target.objects.filter(
        indicator_id__in={i for i, _r, _y in figures}, region_id__in={r for _i, r, _y in figures},
        plan__start_year__lte=max(years), plan__end_year__gte=min(years),
    ).select_related("plan").order_by("year", "plan__code", "key"):
        by_pair[(target.indicator_id, target.region_id)].append(target)
    return {
        (i, r, year): [t for t in by_pair[(i, r)] if t.plan.start_year <= year <= t.plan.end_year]
        for i, r, year in figures
    }


def review_regions() -> QuerySet[Region]:
    """Regions with figures waiting for review: what the queue's region filter offers. Their ids
    are read first, whole: a form reads its choices through a server-side cursor, for which
    PostgreSQL plans a lookup per region (1.3 s at national scale against 0.3 s)."""
    ids = ActualVersion.objects.filter(status=ActualVersion.Status.SUBMITTED).order_by().values_list(
        "actual__region_id", flat=True).distinct()
    return Region.objects.filter(pk__in=list(ids)).order_by("code")


def review_departments() -> QuerySet[Department]:
    """Departments with figures waiting for review."""
    return Department.objects.filter(Exists(ActualVersion.objects.filter(
        department=OuterRef("pk"), status=ActualVersion.Status.SUBMITTED))).select_related("region").order_by(
        "region_id", "name")


def with_work_state(obligations: QuerySet[ReportingObligation], today: dt.date) -> QuerySet[ReportingObligation]:
    """Where each obligation stands (kpis.core.vocabulary.WORK_STATES), as its `state`, in SQL: its
    figure returned, waiting for review, approved; else overdue once its due date has passed, owed
    before. A draft is still owed. The figure is the obligation's indicator x region x year, whoever
    reports it. Also `approved`: the figure has an approved version (whatever is open beside it, a
    correction waiting or returned), what completeness counts as approved.

    Read by joins, not a lookup per obligation: the figure (ReportingObligation.figure), its one
    open version and its one approved version (each at most one, by the constraints
    actual_version_one_open and actual_version_one_approved, so no row is repeated)."""
    status = ActualVersion.Status
    return obligations.alias(
        open_version=FilteredRelation("figure__versions", condition=Q(
            figure__versions__status__in=[status.RETURNED, status.SUBMITTED])),
        approved_version=FilteredRelation("figure__versions", condition=Q(figure__versions__status=status.APPROVED)),
    ).annotate(approved=ExpressionWrapper(Q(approved_version__isnull=False), output_field=BooleanField()), state=Case(
        When(open_version__status=status.RETURNED, then=Value("returned")),
        When(open_version__status=status.SUBMITTED, then=Value("submitted")),
        When(approved_version__isnull=False, then=Value("done")),
        When(due_date__lt=today, then=Value("overdue")),
        default=Value("owed"),
        output_field=CharField(),
    ))


def work_list_for(user, *, today: dt.date | None = None, states=vocabulary.WORK_TO_DO, department=None,
                  year=None) -> QuerySet[ReportingObligation]:
    """A submitter's work: what the user's departments owe, from the reporting calendar, for every
    year that has begun (an earlier one stays until its figure is in), each with its `state`;
    what needs doing first (returned, overdue, then by due date) on top."""
    today = today or timezone.localdate()
    obligations = _work_obligations(user, today, department, year).filter(state__in=list(states))
    order = Case(*[When(state=code, then=Value(rank)) for rank, code in enumerate(vocabulary.WORK_STATES)])
    return obligations.select_related("department__region", "indicator", "region").order_by(
        order, "due_date", "department__name", "indicator__name", "region__name", "pk")


class PagedByIds:
    """A long ordered list read a page at a time, for a Paginator: the page's ids first, by the
    list's order (a sort of narrow rows), then those rows alone with everything they carry. Its
    count is the caller's to set on the Paginator (set from counts made already, or counted here)."""

    ordered = True

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        ids = list(self.queryset.values_list("pk", flat=True)[index])
        rows = {row.pk: row for row in self.queryset.filter(pk__in=ids).order_by()} if ids else {}
        return [rows[pk] for pk in ids]


def work_counts_for(user, *, today: dt.date | None = None, department=None, year=None) -> dict[str, int]:
    """How many of the user's obligations are in each state (WORK_STATES), counted in one query."""
    today = today or timezone.localdate()
    # Grouped by state: the state of each obligation is computed once, not once per count.
    counts = dict(_work_obligations(user, today, department, year).order_by().values_list("state")
                  .annotate(n=Count("pk")).values_list("state", "n"))
    return {code: counts.get(code, 0) for code in vocabulary.WORK_STATES}


def _work_obligations(user, today: dt.date, department, year) -> QuerySet[ReportingObligation]:
    obligations = ReportingObligation.objects.filter(department__members=user, year__lte=today.year)
    if department is not None:
        obligations = obligations.filter(department=department)
    if year is not None:
        obligations = obligations.filter(year=year)
    return with_work_state(obligations, today)


def work_years_for(user, *, today: dt.date | None = None) -> list[int]:
    """The years the user's departments owe figures for, up to this one, latest first."""
    today = today or timezone.localdate()
    return list(ReportingObligation.objects.filter(department__members=user, year__lte=today.year)
                .order_by("-year").values_list("year", flat=True).distinct())


def obligation_list_for(user, year: int) -> QuerySet[ReportingObligation]:
    """What the user's departments owe for a year, with the figure's open and approved versions."""
    return (
        ReportingObligation.objects.filter(year=year, department__members=user)
        .select_related("department__region", "indicator", "region")
        .order_by("department__name", "indicator__name", "region__name")
    )


COMPLETENESS_SQL = """
WITH figures AS (
    SELECT DISTINCT t.indicator_id, t.region_id, t.plan_id
    FROM trackers_target t JOIN trackers_plan p ON p.id = t.plan_id
    WHERE p.start_year <= %s AND p.end_year >= %s
      AND t.valid_to IS NULL AND p.published_at IS NOT NULL  -- current targets of published plans
), owed AS (
    SELECT department_id, indicator_id, region_id, due_date, approved,
        (state = 'submitted' OR approved) AS submitted
    FROM ({obligations}) states
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

    Submitted counts figures sent for review or approved (a correction waiting or returned beside
    an approved version included); approved, figures with an approved version; overdue, figures
    not submitted by the due date. Completion and approval are separate states, as in DHIS2. Each
    obligation's figure is read by the "my work" rule (with_work_state, joins, not a lookup per
    obligation), counted by the database in one statement (a figure serves every plan of its
    indicator and region that runs that year), then the few plans and departments named.
    """
    today = today or timezone.localdate()
    states = with_work_state(ReportingObligation.objects.filter(year=year), today).order_by().values(
        "department_id", "indicator_id", "region_id", "due_date", "approved", "state")
    sql, params = states.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(COMPLETENESS_SQL.format(obligations=sql), [year, year, *params, today])
        counts = cursor.fetchall()
    plans = Plan.objects.in_bulk({plan_id for plan_id, *_rest in counts})
    departments = Department.objects.select_related("region").in_bulk(
        {department_id for _plan, department_id, *_rest in counts})
    rows = [
        {"department": departments[department_id], "plan": plans[plan_id], "owed": owed, "submitted": int(submitted),
         "approved": int(approved), "overdue": int(overdue)}
        for plan_id, department_id, owed, submitted, approved, overdue in counts
    ]
    return sorted(rows, key=lambda row: (row["plan"].code, row["department"].name))


# Reading new plans: what the intake pages show beside each proposal. Two queries whatever the
# number of proposals: the indicators to rank, the departments of the plan's region.

SUGGESTIONS = 5


@dataclass
class ProposalView:
    draft: DraftTarget
    confident: bool
    suggestions: list[matching.Suggestion] = field(default_factory=list)
    preselected: str = "new"  # an indicator's pk, or "new": what the picker starts on
    new_name: str = ""
    new_unit: str = ""
    new_kind: str = ""
    lead: list[tuple[str, bool]] = field(default_factory=list)  # (name, the region has it already)
    cooperating: list[tuple[str, bool]] = field(default_factory=list)
    deadline: dt.date | None = None


def proposal_views(drafts: list[DraftTarget], region: Region) -> list[ProposalView]:
    index = matching.IndicatorIndex([matching.Candidate(pk, name, unit, name_en or "") for pk, name, unit, name_en in
                                     Indicator.objects.values_list("pk", "name", "unit", "name_en")])
    known = set(Department.objects.filter(region=region).values_list("name", flat=True))
    return [_proposal_view(draft, index, known) for draft in drafts]


def _proposal_view(draft: DraftTarget, index: matching.IndicatorIndex, known: set[str]) -> ProposalView:
    view = ProposalView(draft=draft, confident=float(draft.confidence) >= LOW_CONFIDENCE,
                        lead=[(n, n in known) for n in _split(draft.lead_departments)],
                        cooperating=[(n, n in known) for n in _split(draft.cooperating_departments)])
    if draft.kind == DraftTarget.Kind.MILESTONE:
        view.deadline = dt.date(draft.year, 12, 31) if draft.year else None
        return view
    subject = draft.subject or draft.clause
    view.suggestions = index.rank(subject, draft.unit, SUGGESTIONS)
    good = [s for s in view.suggestions if s.score >= matching.GOOD_SUGGESTION and matching.same_family(draft.unit, s.unit)]
    view.preselected = str(good[0].pk) if good else "new"
    view.new_name, view.new_unit = subject[:255], draft.unit
    view.new_kind = matching.indicator_kind_for(draft.unit, subject)
    return view


def _split(names: str) -> list[str]:
    return [n for n in (names or "").split("、") if n]


# Revisions: the side-by-side diff of a plan's targets and a new text's proposals.

@dataclass
class DiffRow:
    change: str  # kpis.core.vocabulary.REVISION_CHANGES
    target: Target
    proposal: DraftTarget | None
    fields: list[str]  # what a change changes: value, value_high, comparator, year
    choosable: bool  # its clause left the text: the reviewer chooses the proposal that revises it


@dataclass
class RevisionDiff:
    rows: list[DiffRow]
    candidates: list[DraftTarget]  # target proposals whose clause is new: what a target may be revised by
    additions: list[DraftTarget]  # candidates revising no target: what the new text may add


def revision_diff(revision, matches: dict[int, int | None] | None = None) -> RevisionDiff:
    """A target whose clause the new text still contains verbatim is unchanged (the same words
    promise the same thing, whatever the reader makes of them). The others are paired with the
    proposals of clauses the old text did not have: the reviewer's `matches` (target pk -> draft
    pk, None: removed) or, without them, the likeliest pairs (trackers.matching)."""
    new_text = revision.plan_draft.text
    old_text = normalize_text(revision.plan.source_text)
    targets = list(Target.objects.filter(plan=revision.plan_id).select_related("indicator").order_by("year", "key"))
    proposals = list(revision.plan_draft.drafts.filter(kind=DraftTarget.Kind.TARGET).order_by("start"))
    candidates = [p for p in proposals if p.clause not in old_text and p.value is not None]
    gone = [t for t in targets if t.clause not in new_text]
    if matches is None:
        matches = matching.match_promises([_promise_of_target(t) for t in gone], [_promise_of_draft(p) for p in candidates])
    by_pk = {p.pk: p for p in candidates}
    rows = []
    for target in targets:
        if target not in gone:
            rows.append(DiffRow("unchanged", target, _overlapping(target, proposals), [], False))
            continue
        proposal = by_pk.get(matches.get(target.pk))
        if proposal is None:
            rows.append(DiffRow("removed", target, None, [], True))
            continue
        fields = matching.changed_fields(_promise_of_target(target), _promise_of_draft(proposal))
        rows.append(DiffRow("changed" if fields else "unchanged", target, proposal, fields, True))
    used = {row.proposal.pk for row in rows if row.proposal is not None}
    return RevisionDiff(rows, candidates, [p for p in candidates if p.pk not in used])


def _overlapping(target: Target, proposals: list[DraftTarget]) -> DraftTarget | None:
    return next((p for p in proposals if p.clause in target.clause or target.clause in p.clause), None)


def _promise_of_target(target: Target) -> matching.Promise:
    return matching.Promise(target.pk, target.clause, target.indicator.name, target.unit, target.value,
                            target.value_high, target.comparator, target.year)


def _promise_of_draft(draft: DraftTarget) -> matching.Promise:
    return matching.Promise(draft.pk, draft.clause, draft.subject, draft.unit, draft.value, draft.value_high,
                            draft.comparator, draft.year)


def upload_job_get_for(user, job_id) -> UploadJob | None:
    """An upload job, to the user who uploaded the file only; the file itself is not loaded."""
    return UploadJob.objects.defer("content").filter(pk=job_id, requested_by=user).first()


def upload_job_list_for(user, limit: int = 5) -> list[UploadJob]:
    return list(UploadJob.objects.defer("content").filter(requested_by=user)[:limit])


# Notifications: who is told what (services.notifications sends the mails). Each read is one
# query whatever the number of users and figures.

def notification_preferences_for(user) -> NotificationPreferences:
    """The user's preferences; the defaults (everything on, Chinese), unsaved, if never set."""
    return NotificationPreferences.objects.filter(user=user).first() or NotificationPreferences(user=user)


def _opted_out(user_ref: str, switch: str) -> Exists:
    return Exists(NotificationPreferences.objects.filter(user=OuterRef(user_ref), **{switch: False}))


def reminders_owed(today: dt.date, days: int, oldest: dt.date | None = None) -> QuerySet:
    """What each person is to be reminded of: the obligations of the reporting calendar that the
    "my work" page shows as owed (due within `days`: kind "reminder") or overdue (kind "overdue",
    due on or after `oldest`),
    by the same rule (with_work_state), for every active member with an address of the department that
    owes it, unless they turned reminders off or were already told (NotificationLog, key
    "obligation-<id>"). Rows as dicts, ordered by member then due date."""
    told = NotificationLog.objects.filter(
        user=OuterRef("member"), kind=OuterRef("kind"),
        key=Concat(Value("obligation-"), Cast(OuterRef("pk"), CharField())),
    )
    obligations = ReportingObligation.objects.filter(
        # One filter() call: the conditions on the member hold for the same member (one join).
        due_date__lte=today + dt.timedelta(days=days), department__members__is_active=True,
        department__members__email__gt="",
    )
    return (
        with_work_state(obligations.filter(**({"due_date__gte": oldest} if oldest else {})), today)
        .filter(state__in=["owed", "overdue"])
        .annotate(
            member=F("department__members"),
            kind=Case(When(state="overdue", then=Value(NotificationLog.Kind.OVERDUE.value)),
                      default=Value(NotificationLog.Kind.REMINDER.value), output_field=CharField()),
        )
        .exclude(_opted_out("member", "reminders"))
        .exclude(Exists(told))
        .values("member", "kind", "pk", "year", "due_date", "indicator__name", "indicator__name_en", "region__name",
                "region__name_en", "department__name", "department__region__name", "department__region__name_en")
        .order_by("member", "due_date", "pk")
    )


def digest_recipients(key: str) -> QuerySet:
    """Active reviewers with an address who take the weekly digest and have not had this week's."""
    from django.contrib.auth import get_user_model

    from .roles import REVIEWER

    told = NotificationLog.objects.filter(user=OuterRef("pk"), kind=NotificationLog.Kind.DIGEST, key=key)
    return (
        get_user_model().objects.filter(groups__name=REVIEWER, is_active=True)
        .exclude(email="").exclude(_opted_out("pk", "reviewer_digest")).exclude(Exists(told))
        .order_by("pk").distinct()
    )


def review_digest(oldest: int = 5) -> tuple[int, list[ActualVersion]]:
    """How many figures wait for review, and the `oldest` that have waited longest. Two queries."""
    pending = ActualVersion.objects.filter(status=ActualVersion.Status.SUBMITTED)
    first = pending.select_related("actual__indicator", "actual__region", "department__region").order_by(
        "submitted_at", "pk")
    return pending.count(), list(first[:oldest])


def mail_addressees(user_ids, *, switch: str | None = None) -> dict[int, tuple[str, str]]:
    """(email, language of the mails) of each user, the default language for users who never
    chose one. With `switch` (a NotificationPreferences field), only the active users with an
    address who did not turn that mail off. One query."""
    from django.contrib.auth import get_user_model

    language = Subquery(NotificationPreferences.objects.filter(user=OuterRef("pk")).values("language")[:1])
    users = get_user_model().objects.filter(pk__in=list(user_ids))
    if switch:
        users = users.filter(is_active=True, email__gt="").exclude(_opted_out("pk", switch))
    rows = users.annotate(
        mail_language=Coalesce(language, Value(NotificationPreferences._meta.get_field("language").default)),
    ).values_list("pk", "email", "mail_language")
    return {pk: (email, mail_language) for pk, email, mail_language in rows}
