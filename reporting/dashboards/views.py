"""Leaders' dashboards. Every page reads stored snapshots (never recomputes), runs a fixed
number of queries whatever the number of targets, and offers its table as CSV (?format=csv)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kpis.models import STATUSES
from reporting import figures
from reporting.dashboards import selectors as dashboard_selectors
from reporting.selectors import latest_snapshot_date, milestone_table, progress_table, scoped_targets, snapshot_dates
from trackers.models import Indicator, Milestone, Plan, Region, Target
from trackers.selectors import completeness, plan_list
from trackers.spreadsheets import table_csv

MONEY_UNITS = ("亿元", "万亿元", "万元")


def _status_labels() -> dict:
    return {code: str(label) for code, label in STATUSES}


def _milestone_labels() -> dict:
    return {"done": _("done"), "done_late": _("done late"), "pending": _("pending"), "overdue": _("overdue"),
            "unknown": _("not yet computed")}


def _require_dashboards(user) -> None:
    if not user.has_perm("trackers.view_dashboards"):
        raise PermissionDenied


def _as_of(request) -> tuple[dt.date | None, list[dt.date]]:
    """The chosen as-of date among those with stored snapshots; the latest by default."""
    dates = snapshot_dates()
    chosen = request.GET.get("as_of")
    if chosen:
        try:
            wanted = dt.date.fromisoformat(chosen)
        except ValueError:
            wanted = None
        if wanted in dates:
            return wanted, dates
    return (dates[0] if dates else None), dates


def _csv(rows: pd.DataFrame, columns: list[tuple[str, str]], name: str) -> HttpResponse:
    response = HttpResponse(table_csv(columns, rows.to_dict("records")), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _figure_json(figure) -> str:
    return figure.to_json()


def _target_columns() -> list[tuple[str, str]]:
    return [
        ("plan", _("Plan")), ("region", _("Region")), ("indicator", _("Indicator")), ("value_text", _("Target")),
        ("target_year", _("Target year")), ("status_label", _("Status")), ("progress_pct", _("Progress (%)")),
        ("latest_year", _("Latest year")), ("latest_value", _("Latest value")), ("indicator_unit", _("Unit")),
        ("gap", _("Gap")), ("required_growth_pct", _("Required growth (%/yr)")),
        ("actual_growth_pct", _("Actual growth (%/yr)")), ("lead", _("Lead departments")),
        ("cooperating", _("Co-operating departments")), ("reason_text", _("Reason")), ("clause", _("Clause")),
    ]


def _decorate(table: pd.DataFrame, request) -> pd.DataFrame:
    """Display columns: translated status, percentages, the reason in the page's language."""
    labels = _status_labels()
    table = table.copy()
    table["status_label"] = table["status"].map(labels)
    table["progress_pct"] = _pct(table["progress"])
    table["required_growth_pct"] = _pct(table["required_growth"])
    table["actual_growth_pct"] = _pct(table["actual_growth"])
    chinese = request.LANGUAGE_CODE.startswith("zh")
    table["reason_text"] = table["reason_zh" if chinese else "reason"].fillna("")
    table["label"] = table["indicator"] + " " + table["value_text"] + "（" + table["target_year"].astype(str) + "）"
    return table


def _pct(series: pd.Series) -> pd.Series:
    """Percentages for display; missing stays None (not NaN, which templates would print)."""
    values = [None if v is None or pd.isna(v) else round(float(v) * 100, 1) for v in series]
    return pd.Series(values, index=series.index, dtype=object)


# Overview

@login_required
@require_GET
def overview(request):
    _require_dashboards(request.user)
    as_of, dates = _as_of(request)
    filters = {key: request.GET.get(key) or None for key in ("region", "plan", "plan_status")}
    targets = scoped_targets(**filters)
    table = _decorate(progress_table(targets, as_of), request) if as_of else pd.DataFrame()
    if request.GET.get("format") == "csv" and as_of:
        return _csv(table, _target_columns(), f"overview-{as_of}")
    context = {
        "as_of": as_of, "dates": dates, "filters": filters, "regions": Region.objects.filter(targets__isnull=False).distinct(),
        "plans": plan_list(), "plan_statuses": Plan.Status.choices, "empty": table.empty,
    }
    if not table.empty:
        labels = _status_labels()
        context["plan_rows"] = _plan_rows(table, labels)
        context["status_figure"] = _figure_json(figures.status_counts_figure(
            table, labels, _("Targets by status, per plan"), {"x": _("Number of targets"), "y": _("Plan"),
                                                               "legend": _("Status")}))
        money = table[table["indicator_unit"].isin(MONEY_UNITS)]
        if not money.empty:
            money = money.assign(expected=_expected_progress(money))
            context["money_figure"] = _figure_json(figures.progress_bars_figure(
                money, labels, _("Headline money targets: progress against the trajectory"),
                {"x": _("Progress towards the target (%)"), "expected": _("Where the trajectory expects it")}))
        context["demo_figures"] = bool(table.get("is_demo", pd.Series(dtype=bool)).any())
    return render(request, "reporting/dashboards/overview.html", context)


def _plan_rows(table: pd.DataFrame, labels: dict) -> list[dict]:
    rows = []
    for (code, plan), part in table.groupby(["plan_code", "plan"], sort=True):
        counts = part["status"].value_counts()
        rows.append({"code": code, "plan": plan, "total": len(part),
                     "counts": [(status, labels[status], int(counts.get(status, 0))) for status in figures.STATUS_ORDER]})
    return rows


def _expected_progress(table: pd.DataFrame) -> pd.Series:
    """Where the trajectory says progress should be at the latest year, as a fraction."""
    baseline = table["baseline_value"].astype(float)
    target = table["target_value"].astype(float)
    trajectory = table["trajectory_value"].astype(float)
    with_baseline = (trajectory - baseline) / (target - baseline)
    without = trajectory / target
    return with_baseline.where(baseline.notna(), without)


# Plan

SORTABLE = {"indicator", "status", "progress_pct", "gap", "required_growth_pct", "actual_growth_pct", "target_year"}


@login_required
@require_GET
def plan_page(request, code: str):
    _require_dashboards(request.user)
    plan = get_object_or_404(plan_list(), code=code)
    as_of, dates = _as_of(request)
    table = _decorate(progress_table(scoped_targets(plan=code), as_of), request) if as_of else pd.DataFrame()
    sort = request.GET.get("sort", "status")
    if not table.empty and sort.lstrip("-") in SORTABLE:
        key = sort.lstrip("-")
        order = table[key].map(figures.STATUS_ORDER.index) if key == "status" else table[key]
        table = table.assign(_order=order).sort_values("_order", ascending=not sort.startswith("-"), na_position="last")
    if request.GET.get("format") == "csv" and as_of:
        return _csv(table, _target_columns(), f"plan-{code}-{as_of}")
    milestones = milestone_table(Milestone.objects.filter(plan=plan), as_of) if as_of else pd.DataFrame()
    labels = _status_labels()
    context = {"plan": plan, "as_of": as_of, "dates": dates, "sort": sort, "empty": table.empty,
               "rows": table.to_dict("records") if not table.empty else [],
               "milestones": _milestone_rows(milestones)}
    if not table.empty:
        context["progress_figure"] = _figure_json(figures.progress_bars_figure(
            table.assign(expected=_expected_progress(table)), labels, _("Progress by target"),
            {"x": _("Progress towards the target (%)"), "expected": _("Where the trajectory expects it")}))
    if not milestones.empty:
        context["timeline_figure"] = _figure_json(figures.milestone_timeline_figure(
            milestones, _milestone_labels(), _("Milestones and their deadlines"), {"x": _("Deadline (date)")}))
    return render(request, "reporting/dashboards/plan.html", context)


def _milestone_rows(milestones: pd.DataFrame) -> list[dict]:
    labels = _milestone_labels()
    return [{**row, "state_label": labels.get(row["state"], row["state"])} for row in milestones.to_dict("records")]


# Target

@login_required
@require_GET
def target_page(request, pk: int):
    _require_dashboards(request.user)
    target = get_object_or_404(
        Target.objects.select_related("plan", "indicator", "region", "baseline").prefetch_related(
            "lead_departments", "cooperating_departments", "plan__coordinating_departments"), pk=pk)
    as_of, dates = _as_of(request)
    snapshot = dashboard_selectors.snapshot_for(target, as_of) if as_of else None
    series = dashboard_selectors.approved_series(target, as_of or timezone.localdate())
    series_float = series.assign(value=series["value"].astype(float))
    if request.GET.get("format") == "csv":
        return _csv(series_float, [("year", _("Year")), ("value", _("Approved value")), ("is_demo", _("Demo data"))],
                    f"target-{pk}-{as_of}")
    figure = figures.target_series_figure(series_float, _target_geometry(target, snapshot), {
        "title": _("Approved figures against the trajectory"), "x": _("Year"), "y": target.indicator.name,
        "band": _("Target band"), "trajectory": _("Trajectory"), "target": _("Target"), "baseline": _("Baseline"),
        "actual": _("Approved figures"), "projection": _("Projection (compound)"),
    })
    context = {
        "target": target, "as_of": as_of, "dates": dates, "snapshot": snapshot,
        "status_label": _status_labels().get(snapshot.status if snapshot else "no_data"),
        "reason": (snapshot.reason_zh if request.LANGUAGE_CODE.startswith("zh") else snapshot.reason) if snapshot else "",
        "figure": _figure_json(figure), "series": series_float.to_dict("records"),
        "versions": dashboard_selectors.figure_versions(target),
        "lead": list(target.lead_departments.all()) or list(target.plan.coordinating_departments.all()),
        "cooperating": list(target.cooperating_departments.all()),
        "demo": bool(series["is_demo"].any()) if not series.empty else False,
    }
    return render(request, "reporting/dashboards/target.html", context)


def _target_geometry(target: Target, snapshot) -> dict:
    from trackers.quantities import convert

    unit = target.indicator.unit
    goal = float(convert(target.value, target.unit, unit))
    high = float(convert(target.value_high, target.unit, unit)) if target.value_high is not None else None
    tolerance = float(target.tolerance_pct) if target.tolerance_pct is not None else 10.0
    low, band_high = (goal, high) if high is not None else (
        (goal * (1 - tolerance / 100), goal * (1 + tolerance / 100)) if target.comparator == "approx" else (None, None))
    baseline_value = float(convert(target.baseline.value, target.baseline.unit, unit)) if target.baseline else None
    start_year = target.baseline.year if target.baseline else target.plan.start_year - 1
    geometry = {
        "unit": unit, "value": goal, "low": low, "high": band_high, "target_year": target.year,
        "start_year": start_year, "baseline_year": target.baseline.year if target.baseline else None,
        "baseline_value": baseline_value, "projection": None,
        "trajectory": figures.trajectory_points(start_year, baseline_value, target.year, goal,
                                                geometric=target.indicator.kind in ("flow", "stock")),
    }
    if snapshot and snapshot.latest_year and snapshot.projection_compound is not None and snapshot.latest_year < target.year:
        geometry["projection"] = ((snapshot.latest_year, float(snapshot.latest_value)),
                                  (target.year, float(snapshot.projection_compound)))
    return geometry


# Regions

@login_required
@require_GET
def regions_page(request):
    _require_dashboards(request.user)
    as_of, dates = _as_of(request)
    compared = Indicator.objects.filter(targets__isnull=False).distinct().order_by("name")
    code = request.GET.get("indicator") or "biomed_rd_intensity"
    indicator = compared.filter(code=code).first() or compared.first()
    if indicator is None:
        raise Http404
    table = progress_table(Target.objects.filter(indicator=indicator), as_of) if as_of else pd.DataFrame()
    if not table.empty:
        table = _decorate(table, request)
        table["label"] = table["region"] + " · " + table["plan"]
        table["unit"] = table["indicator_unit"]
        table["target_value"] = table["target_value"].astype(float)
        table["latest_value"] = table["latest_value"].astype(float)
    if request.GET.get("format") == "csv" and as_of:
        return _csv(table, _target_columns(), f"regions-{indicator.code}-{as_of}")
    context = {"as_of": as_of, "dates": dates, "indicator": indicator, "indicators": compared,
               "rows": table.to_dict("records") if not table.empty else []}
    if not table.empty:
        labels = {"target": _("Target"), "latest": _("Latest approved value"), "statuses": _status_labels()}
        context["figure"] = _figure_json(figures.region_comparison_figure(
            table, labels, _("%(indicator)s across regions and plans") % {"indicator": indicator.name},
            {"x": _("Region · plan"), "y": indicator.name}))
    return render(request, "reporting/dashboards/regions.html", context)


# Completeness

@login_required
@require_GET
def completeness_page(request):
    if not request.user.has_perm("trackers.view_completeness"):
        raise PermissionDenied
    year = _year(request.GET.get("year"))
    rows = completeness(year)
    table = pd.DataFrame([{"department": r["department"].name, "plan": str(r["plan"]), "owed": r["owed"],
                           "submitted": r["submitted"], "approved": r["approved"], "overdue": r["overdue"]}
                          for r in rows], columns=["department", "plan", "owed", "submitted", "approved", "overdue"])
    if request.GET.get("format") == "csv":
        return _csv(table, [("plan", _("Plan")), ("department", _("Department")), ("owed", _("Owed")),
                            ("submitted", _("Submitted")), ("approved", _("Approved")), ("overdue", _("Overdue"))],
                    f"completeness-{year}")
    context = {"year": year, "years": range(2016, timezone.localdate().year + 1), "rows": table.to_dict("records")}
    if not table.empty:
        by_department = table.groupby("department", as_index=False)[["owed", "submitted", "approved", "overdue"]].sum()
        context["figure"] = _figure_json(figures.completeness_figure(
            by_department, {"approved": _("approved"), "submitted": _("submitted, awaiting review"),
                            "missing": _("not yet submitted"), "overdue": _("overdue")},
            _("Figures owed for %(year)s, by department") % {"year": year}, {"x": _("Number of figures")}))
    return render(request, "reporting/dashboards/completeness.html", context)


def _year(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return timezone.localdate().year - 1


@login_required
@require_POST
def recompute_now(request):
    """Administrators can refresh today's snapshots without waiting for the night."""
    from kpis.tasks import recompute_all

    if not request.user.has_perm("trackers.view_dashboards") or not request.user.is_staff:
        raise PermissionDenied
    recompute_all.delay(timezone.localdate().isoformat())
    from django.shortcuts import redirect

    return redirect("reporting:overview")
