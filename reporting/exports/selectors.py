"""Reads for gap reports: the report's data as of a date, report jobs, the export log.

Everything the report states is read as it stood at the end of the as-of day: progress from the
stored snapshots for that date, the figure behind each snapshot from its approval record in the
version history (never the version's current row, which may since be superseded), the
submission history up to that moment, and the figures owed and not approved by then.
A fixed number of queries, whatever the number of targets.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.core import vocabulary
from kpis.core.vocabulary import figure_event
from kpis.models import ProgressSnapshot
from reporting.formatting import is_missing
from reporting.models import ExportLog, ReportJob, ScopeType
from reporting.selectors import milestone_table, progress_table, scoped_targets
from trackers import names
from trackers.exceptions import InvalidInput
from trackers.models import (
    ActualVersion,
    Department,
    Milestone,
    Plan,
    PublishedFigure,
    Region,
    ReportingObligation,
    Target,
)
from trackers.quantities import UnitError, convert
from trackers.selectors import (
    actor_of,
    counting_versions,
    end_of_day,
    milestones_valid_on,
    promises_answered_by_department,
    published_plans,
)

from .report import GapReport, RowStream, Scope

STATUS_CODES = list(vocabulary.STATUSES)
MILESTONE_STATES = list(vocabulary.MILESTONE_STATE_LABELS)
SCOPE_MODELS = {ScopeType.PLAN: Plan, ScopeType.REGION: Region, ScopeType.DEPARTMENT: Department}


# Scope

def scope_resolve(scope_type: str, code: str = "") -> Scope:
    code = (code or "").strip()
    if scope_type == ScopeType.ALL:
        return Scope(ScopeType.ALL.value)
    model = SCOPE_MODELS.get(scope_type)
    if model is None:
        raise InvalidInput.single("scope_type", "invalid", _(
            "Choose what the report covers: everything, a plan, a region or a department."))
    if not code:
        raise InvalidInput.single("scope_code", "required", _("Give the code of the plan, region or department."))
    if not model.objects.filter(code=code).exists():
        raise InvalidInput.single("scope_code", "unknown", _("Nothing of that kind has the code “%(code)s”.") % {
            "code": code})
    return Scope(str(scope_type), code)


def scope_name(scope: Scope) -> str:
    if scope.type == ScopeType.ALL:
        return ""
    item = SCOPE_MODELS[scope.type].objects.get(code=scope.code)
    return item.short_title if isinstance(item, Plan) else item.name


# The most names a scope list offers at once: 3,000 regions and their departments would make a
# page nobody can use; typing narrows the list (scope_options, asked by static/js/report_form.js).
SCOPE_OPTIONS_LIMIT = 200


def scope_choices() -> dict[str, list[tuple[str, str]]]:
    """Codes and names the form offers for each kind of scope: every published plan; the regions
    from the top of the tree down and the departments, at most SCOPE_OPTIONS_LIMIT of each."""
    return {
        ScopeType.PLAN: plan_choices(),
        ScopeType.REGION: scope_options(ScopeType.REGION),
        ScopeType.DEPARTMENT: scope_options(ScopeType.DEPARTMENT),
    }


def plan_choices() -> list[tuple[str, str]]:
    return list(published_plans().order_by("code").values_list("code", "short_title"))


def scope_options(kind: str, query: str = "", region: str = "", limit: int = SCOPE_OPTIONS_LIMIT) -> list[tuple[str, str]]:
    """(code, name as the page shows it) of the regions or departments whose code or name (Chinese
    or English) contains `query`; departments of `region` (and the regions below it) when given.
    One query, at most `limit` rows."""
    query = (query or "").strip()
    if kind == ScopeType.REGION:
        regions = Region.objects.all()
        if query:
            regions = regions.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(name_en__icontains=query))
        # The top of the tree first: provinces, then cities, then the rest.
        depth = Case(*(When(level=level, then=rank) for rank, level in enumerate(Region.Level.values)),
                     output_field=IntegerField())
        regions = regions.annotate(depth=depth).order_by("depth", "code")
        return [(code, names.pick(name, name_en)[0])
                for code, name, name_en in regions.values_list("code", "name", "name_en")[:limit]]
    if kind == ScopeType.DEPARTMENT:
        departments = Department.objects.all()
        if region:
            departments = departments.filter(Q(region__code=region) | Q(region__parent__code=region))
        if query:
            departments = departments.filter(Q(code__icontains=query) | Q(name__icontains=query)
                                             | Q(region__name__icontains=query) | Q(region__name_en__icontains=query))
        rows = departments.order_by("region__code", "name").values_list("code", "name", "region__name",
                                                                        "region__name_en")[:limit]
        return [(code, names.department_label(name, region_name, region_en))
                for code, name, region_name, region_en in rows]
    return []


def scope_targets(scope: Scope, as_of: dt.date) -> QuerySet[Target]:
    """The scope's targets as they stood at the end of `as_of` (published plans, the versions valid then)."""
    if scope.type == ScopeType.ALL:
        return scoped_targets(as_of=as_of)
    return scoped_targets(as_of=as_of, **{scope.type: scope.code})


def scope_milestones(scope: Scope, as_of: dt.date) -> QuerySet[Milestone]:
    milestones = milestones_valid_on(as_of)
    if scope.type == ScopeType.PLAN:
        return milestones.filter(plan__code=scope.code)
    if scope.type == ScopeType.REGION:
        return milestones.filter(Q(region__code=scope.code) | Q(region__parent__code=scope.code))
    if scope.type == ScopeType.DEPARTMENT:
        return promises_answered_by_department(milestones, scope.code)
    return milestones


def targets_without_snapshot(targets: QuerySet[Target], as_of: dt.date) -> QuerySet[Target]:
    return Target.all_versions.filter(pk__in=targets.values("pk")).exclude(
        pk__in=ProgressSnapshot.objects.filter(as_of=as_of).values("target_id")
    )


# The report

TARGET_CHUNK = 2000  # targets read per query while a report's rows stream
HISTORY_CHUNK = 5000


def gap_report_read(scope: Scope, as_of: dt.date) -> GapReport:
    """The report's data. Targets and history stream from the database in chunks each time they
    are read (the checksum and the file each read them once); the summary is counted in SQL."""
    targets = scope_targets(scope, as_of)
    ids = list(targets.order_by("plan__code", "key", "pk").values_list("pk", flat=True))
    milestone_rows = milestone_report_rows(scope_milestones(scope, as_of), as_of)
    gaps = data_gap_rows(scope, targets, as_of)
    history = history_stream(targets, as_of)
    snapshots = ProgressSnapshot.objects.filter(as_of=as_of, target__in=targets.values("pk"))
    return GapReport(
        scope=scope,
        scope_name=scope_name(scope),
        as_of=as_of,
        method_versions=tuple(sorted(set(snapshots.order_by().values_list("method_version", flat=True).distinct()))),
        targets=RowStream(lambda: _target_rows(ids, as_of), len(ids)),
        milestones=milestone_rows,
        data_gaps=gaps,
        history=history,
        summary=_summary(len(ids), dict(snapshots.order_by().values_list("status").annotate(n=Count("pk"))),
                         milestone_rows, gaps),
        sources=published_source_rows(targets, as_of),
    )


def _target_rows(ids: list[int], as_of: dt.date):
    for start in range(0, len(ids), TARGET_CHUNK):
        yield from target_report_rows(ids[start:start + TARGET_CHUNK], as_of)


def target_report_rows(ids: list[int], as_of: dt.date) -> list[dict]:
    """The report rows of these targets (any version), in the order given. Four queries."""
    targets = Target.all_versions.filter(pk__in=ids)
    table = progress_table(targets, as_of)
    if table.empty:
        return []
    extras = {
        pk: {"baseline_text": text or "", "kind": kind}
        for pk, text, kind in targets.values_list("pk", "baseline__value_text", "indicator__kind")
    }
    version_ids = [_int(v) for v in table["latest_version_id"] if _int(v) is not None]
    figures = counted_version_rows(version_ids)
    rows = {record["target_id"]: _target_row(record, extras[record["target_id"]], figures)
            for record in table.to_dict("records")}
    return [rows[pk] for pk in ids if pk in rows]


def _target_row(record: dict, extra: dict, figures: dict) -> dict:
    unit = record["indicator_unit"]
    figure = figures.get(_int(record["latest_version_id"]))
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
        "latest_kind": record["basis"] if _int(record["latest_year"]) is not None else "",
        **_figure_fields(figure),
        "progress": _dec(record["progress"]), "expected_progress": _dec(record["expected_progress"]),
        "expected_value": _dec(record["trajectory_value"]), "gap": _dec(record["gap"]),
        "required_growth": _dec(record["required_growth"]), "years_left": _int(record["years_left"]),
        "status": record["status"], "reason": _text(record["reason"]), "reason_zh": _text(record["reason_zh"]),
        "method_version": _text(record["method_version"]),
    }


def counted_version_rows(version_ids: list[int]) -> dict[int, ActualVersion]:
    """The versions behind the snapshots, with who filed, submitted and approved them. A version's
    value, department and submission and approval stamps never change once approved (a correction
    is a new version), so its row states what counted on the snapshot's date. One query."""
    versions = ActualVersion.objects.filter(pk__in=version_ids).select_related(
        "actual", "department", "submitted_by", "reviewed_by"
    )
    return {version.pk: version for version in versions}


def _figure_fields(version) -> dict:
    if version is None:
        return {"figure_version": None, "figure_origin": "", "figure_department": "", "figure_source": "",
                "submitted_by": "", "submitted_at": None, "approved_by": "", "approved_at": None}
    return {
        "figure_version": version.number,
        # Figures loaded before versions said their kind are demo data when their figure says so.
        "figure_origin": "demo" if version.actual.is_demo else version.origin,
        "figure_department": version.department.name,
        "figure_source": version.source,
        "submitted_by": _username(version.submitted_by), "submitted_at": version.submitted_at,
        "approved_by": _username(version.reviewed_by), "approved_at": version.approved_at,
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


HISTORY_FIELDS = {
    "actual__indicator__code": "indicator_code", "actual__indicator__name": "indicator",
    "actual__region__code": "region_code", "actual__region__name": "region", "actual__year": "year",
    "number": "version", "history_date": "when", "history_type": "history_type", "status": "status",
    "value": "value", "unit": "unit", "origin": "origin", "department__name": "department", "source": "source",
    "return_reason": "return_reason", "correction_reason": "correction_reason", "flag_reason": "flag_reason",
    "counted": "counted", "history_user__username": "history_user", "submitted_by__username": "submitted_by",
    "reviewed_by__username": "reviewed_by", "created_by__username": "created_by",
}


def history_records(targets: QuerySet[Target], as_of: dt.date) -> QuerySet:
    """Every recorded state, up to the end of the as-of day, of every figure that counted then for
    a target in scope (each year's, not only the latest: projections use them all), marked
    `counted` for the version that counted. Semi-joins on the as-of rule, no list of ids: the
    database hashes the counting versions once instead of looking them up per record."""
    counting = counting_versions(as_of)
    in_scope = targets.filter(indicator=OuterRef("actual__indicator"), region=OuterRef("actual__region"))
    return (
        ActualVersion.history.filter(history_date__lte=end_of_day(as_of), actual__year__lte=as_of.year)
        .filter(actual_id__in=counting.values("actual_id"))
        .filter(Exists(in_scope))
        .annotate(counted=Case(When(id__in=counting.values("pk"), then=True), default=False,
                               output_field=BooleanField()))
    )


def history_stream(targets: QuerySet[Target], as_of: dt.date) -> RowStream:
    records = history_records(targets, as_of)
    ordered = records.order_by("actual__indicator__code", "actual__region__code", "actual__year", "number",
                               "history_date", "history_id").values_list(*HISTORY_FIELDS)

    def rows():
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # JIT compiles a hundred functions for this one long read and gains nothing by it; and
                # the whole result is read, so plan for all rows, not the first few (the cursor default).
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            for values in ordered.iterator(chunk_size=HISTORY_CHUNK):
                yield _history_row(dict(zip(HISTORY_FIELDS.values(), values)))

    return RowStream(rows, records.count())


def history_record_count(targets: QuerySet[Target], as_of: dt.date) -> int:
    """About how many rows the history gives (one query): for sizing a report, not for it."""
    return ActualVersion.history.filter(
        actual__indicator__in=targets.values("indicator"), actual__region__in=targets.values("region"),
        actual__year__lte=as_of.year, history_date__lte=end_of_day(as_of),
    ).count()


def _history_row(record: dict) -> dict:
    who = actor_of(record["status"], record["history_user"], record["submitted_by"], record["reviewed_by"],
                   record["created_by"])
    return {
        "indicator_code": record["indicator_code"], "indicator": record["indicator"],
        "region_code": record["region_code"], "region": record["region"], "year": record["year"],
        "version": record["version"], "when": record["when"], "who": who or "",
        "change": figure_event(record["history_type"], record["status"], record["version"]),
        "status": record["status"], "value": record["value"], "unit": record["unit"], "origin": record["origin"],
        "department": record["department"], "source": record["source"], "return_reason": record["return_reason"],
        "correction_reason": record["correction_reason"], "flag_reason": record["flag_reason"],
        "counted": bool(record["counted"]),
    }


def published_source_rows(targets: QuerySet[Target], as_of: dt.date) -> list[dict]:
    """The published figures of the targets in scope loaded by the end of the as-of day, counted
    or shown only, with their citation; `counted` when the version one became counted then.
    One query (semi-joins, no list of ids)."""
    cutoff = end_of_day(as_of)
    in_scope = targets.filter(indicator=OuterRef("indicator"), region=OuterRef("region"))
    rows = (
        PublishedFigure.objects.filter(Exists(in_scope), loaded_at__lte=cutoff, year__lte=as_of.year)
        .annotate(counted=Exists(counting_versions(as_of).filter(pk=OuterRef("version_id"))))
        .select_related("plan", "indicator", "region")
        .order_by("indicator__code", "region__code", "year", "plan__code", "key")
    )
    return [
        {"plan_code": row.plan.code, "key": row.key, "indicator_code": row.indicator.code,
         "indicator": row.indicator.name, "region_code": row.region.code, "region": row.region.name,
         "year": row.year, "value_text": row.value_text, "qualifier": row.qualifier,
         "value": row.value_in_indicator_unit, "value_high": row.value_high_in_indicator_unit,
         "unit": row.indicator.unit, "measure": row.measure, "scope": row.scope, "scope_matches": row.scope_matches,
         "scope_note": row.scope_note, "standing": row.standing, "counted": bool(row.counted),
         "publisher": row.publisher, "source_kind": row.source_kind, "published_on": row.published_on,
         "title": row.title, "url": row.source_url, "sentence": row.sentence}
        for row in rows
    ]


def _summary(targets: int, statuses: dict[str, int], milestones: list[dict], gaps: list[dict]) -> dict:
    states = Counter(row["state"] for row in milestones)
    statuses = {**statuses, "no_data": statuses.get("no_data", 0) + targets - sum(statuses.values())}
    return {
        "targets": targets,
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
    return list(ReportJob.objects.defer("content").filter(requested_by=user, created_at__gte=retention_start())[:limit])


def export_log_list_for(user, limit: int = 10) -> list[ExportLog]:
    """The user's exports still within REPORT_RETENTION_DAYS, newest first."""
    return list(ExportLog.objects.filter(user=user, created_at__gte=retention_start())[:limit])


def export_log_get_for(user, entry_id: int) -> ExportLog | None:
    """One of the user's own exports within the retention period; None otherwise (the same answer)."""
    return ExportLog.objects.filter(user=user, pk=entry_id, created_at__gte=retention_start()).first()


def retention_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.REPORT_RETENTION_DAYS)


# Conversions from the frames' cells to plain values

def _int(value) -> int | None:
    return None if is_missing(value) else int(value)


def _dec(value) -> Decimal | None:
    if is_missing(value):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _first_known(*values):
    return next((value for value in values if value is not None), None)


def _text(value) -> str:
    return "" if is_missing(value) else str(value)


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
