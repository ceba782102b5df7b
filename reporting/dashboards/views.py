"""Leaders' dashboards. Every page reads stored snapshots (never recomputes), runs a fixed
number of queries whatever the number of targets, and offers its table as CSV (?format=csv)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kpis.selectors import snapshot_dates, target_picture
from kpis.tasks import recompute_all
from reporting import figures
from reporting.dashboards import selectors as dashboard_selectors
from reporting.formatting import amount, is_missing
from reporting.selectors import milestone_table, progress_table, scoped_targets
from reporting.wording import latest_value_kind, latest_value_text, milestone_state_labels, status_labels
from trackers.models import Indicator, Milestone, Plan, Region, Target
from trackers.quantities import unit_family
from trackers.selectors import completeness, plan_list
from trackers.spreadsheets import table_csv


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def _require_dashboards(user) -> None:
    _require(user, "trackers.view_dashboards")


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
        ("expected_pct", _("Expected progress by now (%)")), ("latest_year", _("Latest year")),
        ("latest_value", _("Latest value")), ("latest_kind", _("Latest value is")), ("indicator_unit", _("Unit")),
        ("trajectory_value", _("Expected value by now")), ("gap", _("Gap")),
        ("required_growth_pct", _("Required growth (%/yr)")),
        ("actual_growth_pct", _("Actual growth (%/yr)")), ("lead", _("Lead departments")),
        ("cooperating", _("Co-operating departments")), ("reason_text", _("Reason")), ("clause", _("Clause")),
    ]


def _decorate(table: pd.DataFrame, request) -> pd.DataFrame:
    """Display columns: translated status, percentages, the reason in the page's language."""
    labels = status_labels()
    table = table.copy()
    table["status_label"] = table["status"].map(labels)
    table["latest_kind"] = table["basis"].map(latest_value_kind)
    for fraction, percentage in (("progress", "progress_pct"), ("expected_progress", "expected_pct"),
                                 ("required_growth", "required_growth_pct"), ("actual_growth", "actual_growth_pct")):
        table[percentage] = (table[fraction].astype(float) * 100).round(1)
    chinese = request.LANGUAGE_CODE.startswith("zh")
    table["reason_text"] = table["reason_zh" if chinese else "reason"].fillna("")
    table["label"] = table["indicator"] + " " + table["value_text"] + "（" + table["target_year"].astype(str) + "）"
    table["latest_text"] = [
        latest_value_text(amount(value), unit, basis, start, year) if not is_missing(year) else ""
        for value, unit, basis, start, year in zip(
            table["latest_value"], table["indicator_unit"], table["basis"], table["start_year"], table["latest_year"])
    ]
    # Templates print NaN as "nan": missing numbers become None.
    return table.astype(object).where(table.notna(), None)


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
        "may_recompute": request.user.has_perm("kpis.recompute"),
    }
    if not table.empty:
        labels = status_labels()
        context["plan_rows"] = _plan_rows(table, labels)
        context["status_figure"] = _figure_json(figures.status_counts_figure(
            table, labels, _("Targets by status, per plan"), {"x": _("Number of targets"), "y": _("Plan"),
                                                               "legend": _("Status")}))
        money = table[table["indicator_unit"].map(unit_family).eq("money")]
        if not money.empty:
            money = money.assign(expected=money["expected_progress"])
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
    labels = status_labels()
    context = {"plan": plan, "as_of": as_of, "dates": dates, "sort": sort, "empty": table.empty,
               "rows": table.to_dict("records") if not table.empty else [],
               "milestones": _milestone_rows(milestones)}
    if not table.empty:
        context["progress_figure"] = _figure_json(figures.progress_bars_figure(
            table.assign(expected=table["expected_progress"]), labels, _("Progress by target"),
            {"x": _("Progress towards the target (%)"), "expected": _("Where the trajectory expects it")}))
    if not milestones.empty:
        context["timeline_figure"] = _figure_json(figures.milestone_timeline_figure(
            milestones, milestone_state_labels(), _("Milestones and their deadlines"), {"x": _("Deadline (date)")}))
    return render(request, "reporting/dashboards/plan.html", context)


def _milestone_rows(milestones: pd.DataFrame) -> list[dict]:
    labels = milestone_state_labels()
    return [{**row, "state_label": labels.get(row["state"], row["state"])} for row in milestones.to_dict("records")]


# Target

@login_required
@require_GET
def target_page(request, pk: int):
    _require_dashboards(request.user)
    target = get_object_or_404(Target.objects.select_related("plan", "indicator", "region", "baseline"), pk=pk)
    as_of, dates = _as_of(request)
    as_of_day = as_of or timezone.localdate()
    snapshot = dashboard_selectors.snapshot_for(target, as_of) if as_of else None
    picture = target_picture(target, as_of_day)
    series = dashboard_selectors.series_with_sources(picture["series"])
    if request.GET.get("format") == "csv":
        return _csv(series, _series_columns(target), f"target-{pk}-{as_of_day}")
    cumulative = target.basis == Target.Basis.CUMULATIVE
    figure = figures.target_series_figure(series, _target_geometry(target, snapshot, picture), {
        "title": _("Approved figures against the trajectory"), "x": _("Year"), "y": target.indicator.name,
        "band": _("Target band"), "trajectory": _("Trajectory"), "target": _("Target"), "baseline": _("Baseline"),
        "actual": _("Cumulative total") if cumulative else _("Approved figures"),
        "additions": _("Yearly additions"), "projection": _("Projection"),
    })
    names = dashboard_selectors.target_answerers(target)
    context = {
        "target": target, "as_of": as_of, "dates": dates, "snapshot": snapshot, "cumulative": cumulative,
        "status_label": status_labels().get(snapshot.status if snapshot else "no_data"),
        "reason": (snapshot.reason_zh if request.LANGUAGE_CODE.startswith("zh") else snapshot.reason) if snapshot else "",
        "figure": _figure_json(figure), "series": series.to_dict("records"),
        "versions": dashboard_selectors.figure_versions(target),
        "lead": names["accountable"], "cooperating": names["supporting"],
        "demo": bool(series["is_demo"].any()) if not series.empty else False,
    }
    return render(request, "reporting/dashboards/target.html", context)


def _series_columns(target: Target) -> list[tuple[str, str]]:
    if target.basis == Target.Basis.CUMULATIVE:
        return [("year", _("Year")), ("reported", _("Yearly addition")), ("value", _("Cumulative total")),
                ("is_demo", _("Demo data"))]
    return [("year", _("Year")), ("value", _("Approved value")), ("is_demo", _("Demo data"))]


def _target_geometry(target: Target, snapshot, picture: dict) -> dict:
    """What the chart draws besides the figures, all computed by the core or stored in the snapshot."""
    band, baseline = picture["band"], picture["baseline"]
    geometry = {
        "unit": target.indicator.unit, "value": picture["goal"], "target_year": target.year,
        "start_year": target.plan.start_year - 1, "low": band[0] if band else None, "high": band[1] if band else None,
        "trajectory": list(picture["path"].itertuples(index=False, name=None)),
        "baseline_year": baseline[0] if baseline else None, "baseline_value": baseline[1] if baseline else None,
        "projection": None, "cumulative": target.basis == Target.Basis.CUMULATIVE,
    }
    if snapshot and snapshot.latest_year and snapshot.projection is not None and snapshot.latest_year < target.year:
        geometry["projection"] = ((snapshot.latest_year, float(snapshot.latest_value)),
                                  (target.year, float(snapshot.projection)))
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
        labels = {"target": _("Target"), "latest": _("Latest approved value"), "statuses": status_labels()}
        context["figure"] = _figure_json(figures.region_comparison_figure(
            table, labels, _("%(indicator)s across regions and plans") % {"indicator": indicator.name},
            {"x": _("Region · plan"), "y": indicator.name}))
    return render(request, "reporting/dashboards/regions.html", context)


# Completeness

@login_required
@require_GET
def completeness_page(request):
    _require(request.user, "trackers.view_completeness")
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
    _require(request.user, "kpis.recompute")
    recompute_all.delay(timezone.localdate().isoformat())
    return redirect("reporting:overview")
