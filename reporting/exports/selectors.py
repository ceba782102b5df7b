"""Reads for gap reports: the report's data as of a date, report jobs, the export log.

Everything the report states is read as it stood at the end of the as-of day: progress from the
stored snapshots for that date, the figure behind each snapshot from its approval record in the
version history (never the version's current row, which may since be superseded), the
submission history up to that moment, and the figures owed and not approved by then.
A fixed number of queries, whatever the number of targets.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from decimal import Decimal

import pandas as pd
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from kpis.models import STATUSES, ProgressSnapshot
from kpis.selectors import approved_figures_frame, end_of_day
from reporting.models import ExportLog, ReportJob, ScopeType
from reporting.selectors import milestone_table, progress_table, scoped_targets
from trackers.models import ActualVersion, Department, Milestone, Plan, Region, ReportingObligation, Target
from trackers.quantities import UnitError, convert

from .report import GapReport, Scope

STATUS_CODES = [code for code, _label in STATUSES]
MILESTONE_STATES = ["pending", "overdue", "done", "done_late", "unknown"]
SCOPE_MODELS = {ScopeType.PLAN: Plan, ScopeType.REGION: Region, ScopeType.DEPARTMENT: Department}


class ScopeError(ValueError):
    """The scope names nothing that exists; the message says so, for the user."""


# Scope

def scope_resolve(scope_type: str, code: str = "") -> Scope:
    code = (code or "").strip()
    if scope_type == ScopeType.ALL:
        return Scope(ScopeType.ALL.value)
    model = SCOPE_MODELS.get(scope_type)
    if model is None:
        raise ScopeError(_("Choose what the report covers: everything, a plan, a region or a department."))
    if not code:
        raise ScopeError(_("Give the code of the plan, region or department."))
    if not model.objects.filter(code=code).exists():
        raise ScopeError(_("Nothing of that kind has the code “%(code)s”.") % {"code": code})
    return Scope(str(scope_type), code)


def scope_name(scope: Scope) -> str:
    if scope.type == ScopeType.ALL:
        return ""
    item = SCOPE_MODELS[scope.type].objects.get(code=scope.code)
    return item.short_title if isinstance(item, Plan) else item.name


def scope_choices() -> dict[str, list[tuple[str, str]]]:
    """Codes and names the form offers for each kind of scope."""
    return {
        ScopeType.PLAN: list(Plan.objects.order_by("code").values_list("code", "short_title")),
        ScopeType.REGION: list(Region.objects.order_by("code").values_list("code", "name")),
        ScopeType.DEPARTMENT: list(Department.objects.order_by("code").values_list("code", "name")),
    }


def scope_targets(scope: Scope) -> QuerySet[Target]:
    if scope.type == ScopeType.ALL:
        return Target.objects.all()
    return scoped_targets(**{scope.type: scope.code})


def scope_milestones(scope: Scope) -> QuerySet[Milestone]:
    milestones = Milestone.objects.all()
    if scope.type == ScopeType.PLAN:
        return milestones.filter(plan__code=scope.code)
    if scope.type == ScopeType.REGION:
        return milestones.filter(Q(region__code=scope.code) | Q(region__parent__code=scope.code))
    if scope.type == ScopeType.DEPARTMENT:
        return milestones.filter(
            Q(lead_departments__code=scope.code)
            | Q(cooperating_departments__code=scope.code)
            | Q(departments_basis="none", plan__coordinating_departments__code=scope.code)
        ).distinct()
    return milestones


def targets_without_snapshot(targets: QuerySet[Target], as_of: dt.date) -> QuerySet[Target]:
    return Target.objects.filter(pk__in=targets.values("pk")).exclude(
        pk__in=ProgressSnapshot.objects.filter(as_of=as_of).values("target_id")
    )


# The report

def gap_report_read(scope: Scope, as_of: dt.date) -> GapReport:
    targets = scope_targets(scope)
    target_rows = target_report_rows(targets, as_of)
    milestone_rows = milestone_report_rows(scope_milestones(scope), as_of)
    gaps = data_gap_rows(scope, targets, as_of)
    return GapReport(
        scope=scope,
        scope_name=scope_name(scope),
        as_of=as_of,
        method_versions=tuple(sorted({row["method_version"] for row in target_rows if row["method_version"]})),
        targets=target_rows,
        milestones=milestone_rows,
        data_gaps=gaps,
        history=history_rows(targets, as_of),
        summary=_summary(target_rows, milestone_rows, gaps),
    )


def target_report_rows(targets: QuerySet[Target], as_of: dt.date) -> list[dict]:
    table = progress_table(targets, as_of)
    if table.empty:
        return []
    extras = {
        pk: {"baseline_text": text or "", "kind": kind}
        for pk, text, kind in targets.values_list("pk", "baseline__value_text", "indicator__kind")
    }
    version_ids = [_int(v) for v in table["latest_version_id"] if _int(v) is not None]
    approvals = approval_records(version_ids)
    return [_target_row(record, extras[record["target_id"]], approvals) for record in table.to_dict("records")]


def _target_row(record: dict, extra: dict, approvals: dict) -> dict:
    unit = record["indicator_unit"]
    approval = approvals.get(_int(record["latest_version_id"]))
    return {
        "plan_code": record["plan_code"], "plan": record["plan"], "target_key": record["target_key"],
        "indicator_code": record["indicator_code"], "indicator": record["indicator"],
        "region_code": record["region_code"], "region": record["region"],
        "lead": record["lead"], "cooperating": record["cooperating"], "clause": record["clause"],
        "comparator": record["comparator"], "basis": record["basis"], "aspirational": bool(record["aspirational"]),
        "kind": extra["kind"], "unit": unit,
        "target_text": record["value_text"], "target_year": _int(record["target_year"]),
        "target_value": _first_known(_dec(record["target_value"]), _in_unit(record["value"], record["unit"], unit)),
        "baseline_text": extra["baseline_text"], "baseline_year": _int(record["baseline_year"]),
        "baseline_value": _in_unit(record["baseline_value"], record["baseline_unit"], unit),
        "baseline_qualifier": record["baseline_qualifier"] or "",
        "latest_year": _int(record["latest_year"]), "latest_value": _dec(record["latest_value"]),
        **_figure_fields(approval),
        "progress": _dec(record["progress"]), "gap": _dec(record["gap"]),
        "required_growth": _dec(record["required_growth"]), "years_left": _int(record["years_left"]),
        "status": record["status"], "reason": _text(record["reason"]), "reason_zh": _text(record["reason_zh"]),
        "method_version": _text(record["method_version"]),
    }


def approval_records(version_ids: list[int]) -> dict[int, object]:
    """Each version as it was when approved: its first history record in state "approved".

    Who submitted and who approved is read from there, so a report for a past date shows the
    figure that counted then, even after a correction has superseded it. A version without
    history (loaded outside the workflow) falls back to its current row.
    """
    records = (
        ActualVersion.history.filter(id__in=version_ids, status=ActualVersion.Status.APPROVED)
        .select_related("department", "submitted_by", "reviewed_by")
        .order_by("id", "history_date", "history_id")
    )
    found: dict[int, object] = {}
    for record in records:
        found.setdefault(record.id, record)
    missing = set(version_ids) - set(found)
    if missing:
        for version in ActualVersion.objects.filter(pk__in=missing).select_related(
            "department", "submitted_by", "reviewed_by"
        ):
            found[version.pk] = version
    return found


def _figure_fields(approval) -> dict:
    if approval is None:
        return {"figure_version": None, "figure_department": "", "figure_source": "", "submitted_by": "",
                "submitted_at": None, "approved_by": "", "approved_at": None}
    return {
        "figure_version": approval.number,
        "figure_department": approval.department.name if approval.department_id else "",
        "figure_source": approval.source,
        "submitted_by": _username(approval.submitted_by), "submitted_at": approval.submitted_at,
        "approved_by": _username(approval.reviewed_by), "approved_at": approval.approved_at,
    }


def milestone_report_rows(milestones: QuerySet[Milestone], as_of: dt.date) -> list[dict]:
    table = milestone_table(milestones, as_of)
    rows = [
        {"plan_code": r["plan_code"], "plan": r["plan"], "region": r["region"], "title": r["title"],
         "clause": r["clause"], "deadline": r["deadline"], "state": r["state"],
         "completed_on": r["completed_on"] if isinstance(r["completed_on"], dt.date) else None}
        for r in table.to_dict("records")
    ]
    # Ids are not part of the report; order by what an auditor sees.
    return sorted(rows, key=lambda r: (r["deadline"], r["plan_code"], r["title"]))


def data_gap_rows(scope: Scope, targets: QuerySet[Target], as_of: dt.date) -> list[dict]:
    """Figures owed (due on or before the as-of date) for the targets in scope, with no version
    approved by the end of that day, and how far the figure had got by then."""
    cutoff = end_of_day(as_of)
    periods = _target_periods(targets)
    figure = {"actual__indicator": OuterRef("indicator"), "actual__region": OuterRef("region"),
              "actual__year": OuterRef("year")}
    approved = ActualVersion.objects.filter(**figure, approved_at__isnull=False, approved_at__lte=cutoff)
    last_state = (
        ActualVersion.history.filter(**figure, history_date__lte=cutoff)
        .order_by("-history_date", "-history_id").values("status")[:1]
    )
    owed = ReportingObligation.objects.filter(
        due_date__lte=as_of,
        indicator_id__in={indicator for indicator, _region in periods},
        region_id__in={region for _indicator, region in periods},
    )
    if scope.type == ScopeType.DEPARTMENT:
        owed = owed.filter(department__code=scope.code)
    owed = (
        owed.annotate(is_approved=Exists(approved), last_state=Subquery(last_state))
        .filter(is_approved=False)
        .select_related("department", "indicator", "region")
        .order_by("due_date", "department__code", "indicator__code", "region__code", "year")
    )
    return [
        {"department_code": o.department.code, "department": o.department.name,
         "indicator_code": o.indicator.code, "indicator": o.indicator.name,
         "region_code": o.region.code, "region": o.region.name, "year": o.year, "due_date": o.due_date,
         "days_overdue": (as_of - o.due_date).days, "figure_state": o.last_state or "missing"}
        for o in owed
        if any(start <= o.year <= end for start, end in periods.get((o.indicator_id, o.region_id), ()))
    ]


def _target_periods(targets: QuerySet[Target]) -> dict[tuple[int, int], set[tuple[int, int]]]:
    """(indicator, region) -> the periods of the plans in scope that target it."""
    periods: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for indicator, region, start, end in targets.values_list(
        "indicator_id", "region_id", "plan__start_year", "plan__end_year"
    ):
        periods.setdefault((indicator, region), set()).add((start, end))
    return periods


def history_rows(targets: QuerySet[Target], as_of: dt.date) -> list[dict]:
    """Every recorded state, up to the end of the as-of day, of every figure that counted then
    for a target in scope (each year's, not only the latest: projections use them all)."""
    figures = approved_figures_frame(targets, as_of)
    if figures.empty:
        return []
    pairs = set(targets.values_list("indicator_id", "region_id"))
    figures = figures[[pair in pairs for pair in zip(figures["indicator_id"], figures["region_id"])]]
    counted = {int(a): int(v) for a, v in zip(figures["actual_id"], figures["version_id"])}
    records = (
        ActualVersion.history.filter(actual_id__in=list(counted), history_date__lte=end_of_day(as_of))
        .select_related("actual__indicator", "actual__region", "department", "history_user",
                        "created_by", "submitted_by", "reviewed_by")
        .order_by("actual__indicator__code", "actual__region__code", "actual__year", "number",
                  "history_date", "history_id")
    )
    return [_history_row(record, counted) for record in records]


def history_record_count(targets: QuerySet[Target], as_of: dt.date) -> int:
    """About how many rows history_rows gives (one query): for sizing a report, not for it."""
    return ActualVersion.history.filter(
        actual__indicator__in=targets.values("indicator"), actual__region__in=targets.values("region"),
        actual__year__lte=as_of.year, history_date__lte=end_of_day(as_of),
    ).count()


def _history_row(record, counted: dict[int, int]) -> dict:
    actual = record.actual
    return {
        "indicator_code": actual.indicator.code, "indicator": actual.indicator.name,
        "region_code": actual.region.code, "region": actual.region.name, "year": actual.year,
        "version": record.number, "when": record.history_date, "who": _who(record),
        "change": {"+": "created", "~": "changed", "-": "deleted"}.get(record.history_type, record.history_type),
        "status": record.status, "value": record.value, "unit": record.unit,
        "department": record.department.name if record.department_id else "",
        "source": record.source, "return_reason": record.return_reason,
        "correction_reason": record.correction_reason, "flag_reason": record.flag_reason,
        "counted": counted.get(actual.pk) == record.id,
    }


def _who(record) -> str:
    """The signed-in user who made the change; outside a request (shell, Celery), the person the
    version names for that step (as the figure history page does)."""
    person = record.history_user or {
        ActualVersion.Status.SUBMITTED: record.submitted_by,
        ActualVersion.Status.APPROVED: record.reviewed_by,
        ActualVersion.Status.RETURNED: record.reviewed_by,
    }.get(record.status, record.created_by)
    return _username(person)


def _summary(targets: list[dict], milestones: list[dict], gaps: list[dict]) -> dict:
    statuses = Counter(row["status"] for row in targets)
    states = Counter(row["state"] for row in milestones)
    return {
        "targets": len(targets),
        "targets_by_status": {code: statuses.get(code, 0) for code in STATUS_CODES},
        "milestones": len(milestones),
        "milestones_by_state": {state: states.get(state, 0) for state in MILESTONE_STATES},
        "data_gaps": len(gaps),
    }


# Jobs and the log

def report_job_get_for(user, job_id) -> ReportJob | None:
    """A job, to the user who asked for it only; the file itself is not loaded."""
    return ReportJob.objects.defer("content").filter(pk=job_id, requested_by=user).first()


def report_job_file(job: ReportJob) -> bytes:
    return bytes(ReportJob.objects.values_list("content", flat=True).get(pk=job.pk))


def report_job_list_for(user, limit: int = 10) -> list[ReportJob]:
    return list(ReportJob.objects.defer("content").filter(requested_by=user)[:limit])


def export_log_list_for(user, limit: int = 10) -> list[ExportLog]:
    return list(ExportLog.objects.filter(user=user)[:limit])


# Conversions from the frames' cells to plain values

def _int(value) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return int(value)


def _dec(value) -> Decimal | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _first_known(*values):
    return next((value for value in values if value is not None), None)


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _in_unit(value, unit, to_unit) -> Decimal | None:
    """A promise's number in the indicator's unit, exactly, as the engine compares it."""
    value = _dec(value)
    if value is None or not unit or unit == to_unit:
        return value
    try:
        return convert(value, unit, to_unit)
    except UnitError:
        return None


def _username(user) -> str:
    return user.get_username() if user is not None else ""

