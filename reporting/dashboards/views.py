"""Leaders' dashboards. Every page reads stored snapshots (never recomputes), runs a fixed
number of queries whatever the number of targets, and offers its table as CSV (?format=csv)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kpis.selectors import snapshot_dates, target_picture
from kpis.tasks import recompute_all
from reporting import figures
from reporting.dashboards import selectors as dashboard_selectors
from reporting.dashboards.params import dashboard_params
from reporting.formatting import amount, is_missing
from reporting.selectors import (
    comparable_indicators,
    milestone_table,
    ordered_target_ids,
    progress_rows,
    scope_size,
    scoped_targets,
    sort_key,
    status_counts,
)
from reporting.wording import (
    figure_origin_labels,
    gap_text,
    latest_value_kind,
    latest_value_text,
    milestone_state_labels,
    published_standing_labels,
    status_labels,
)
from trackers import names
from trackers.models import Milestone, Plan, Region, Target
from trackers.quantities import MONEY_FACTORS
from trackers.selectors import completeness, published_plans, published_targets
from trackers.spreadsheets import stream_csv, table_csv


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def _require_dashboards(user) -> None:
    _require(user, "trackers.view_dashboards")


def _params(request) -> tuple[dict, int]:
    """The checked GET parameters, and the page's status: 400 when one was refused, with a
    message above the page naming it (reporting.dashboards.params)."""
    params, problems = dashboard_params(request.GET)
    for problem in problems:
        messages.error(request, problem)
    return params, 400 if problems else 200


def _as_of(params, request=None) -> tuple[dt.date | None, list[dt.date]]:
    """The chosen as-of date among those with stored snapshots; the latest by default. A date
    without snapshots is said so above the page, never silently replaced."""
    dates = snapshot_dates()
    if params["as_of"] in dates:
        return params["as_of"], dates
    chosen = dates[0] if dates else None
    if params["as_of"] is not None and request is not None:
        messages.warning(request, _("No progress is stored for %(asked)s; showing %(shown)s instead.") % {
            "asked": params["as_of"].isoformat(), "shown": chosen.isoformat() if chosen else "—"})
    return chosen, dates


def _known(request, params, key: str, model, label: str) -> str | None:
    """A filter's code if it names something; else a message naming it, and no filter."""
    code = params[key]
    if code and not model.objects.filter(code=code).exists():
        messages.error(request, _("There is no %(what)s with the code “%(code)s”; the filter was not applied.")
                       % {"what": label, "code": code})
        return None
    return code


def _csv(rows: pd.DataFrame, columns: list[tuple[str, str]], name: str) -> HttpResponse:
    response = HttpResponse(table_csv(columns, rows.to_dict("records")), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _target_columns() -> list[tuple[str, str]]:
    return [
        ("plan", _("Plan")), ("region", _("Region")), ("indicator", _("Indicator")), ("value_text", _("Target")),
        ("target_year", _("Target year")), ("status_label", _("Status")), ("progress_pct", _("Progress (%)")),
        ("expected_pct", _("Expected progress by now (%)")), ("latest_year", _("Latest year")),
        ("latest_value", _("Latest value")), ("latest_kind", _("Latest value is")), ("indicator_unit", _("Unit")),
        ("trajectory_value", _("Expected value by now")),
        ("gap", _("Gap (negative: the target is exceeded)")), ("gap_text", _("Gap, as shown")),
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
    for column in ("indicator", "region"):  # English names where the data has them (trackers.names)
        picked = [names.pick(zh, en) for zh, en in zip(table[column], table[f"{column}_en"])]
        table[column] = [text for text, _fallback in picked]
        table[f"{column}_fallback"] = [is_fallback for _text, is_fallback in picked]
    table["gap_text"] = [gap_text(value, unit) for value, unit in zip(table["gap"], table["indicator_unit"])]
    table["label"] = table["indicator"] + " " + table["value_text"] + "（" + table["target_year"].astype(str) + "）"
    table["latest_text"] = [
        latest_value_text(amount(value), unit, basis, start, year) if not is_missing(year) else ""
        for value, unit, basis, start, year in zip(
            table["latest_value"], table["indicator_unit"], table["basis"], table["start_year"], table["latest_year"])
    ]
    # Templates print NaN as "nan": missing numbers become None.
    return table.astype(object).where(table.notna(), None)


# Overview

PAGE_SIZE = 50  # rows of a table page
CSV_CHUNK = 5000  # rows read per query while a CSV streams
CHART_LIMIT = 20  # bars of a "furthest behind" chart; the rest are a click away in the tables


@login_required
@require_GET
def overview(request):
    _require_dashboards(request.user)
    params, status = _params(request)
    as_of, dates = _as_of(params, request)
    filters = {"region": _known(request, params, "region", Region, _("region")),
               "plan": _known(request, params, "plan", Plan, _("plan")), "plan_status": params["plan_status"]}
    targets = scoped_targets(**filters)
    if params["format"] == "csv" and as_of:
        return _csv_of_targets(request, targets, as_of, "status", f"overview-{as_of}")
    counts = status_counts(targets, as_of) if as_of else pd.DataFrame()
    context = {
        "as_of": as_of, "dates": dates, "filters": filters, "regions": _region_choices(filters["region"]),
        "plans": published_plans(), "plan_statuses": Plan.Status.choices, "empty": counts.empty,
        "may_recompute": request.user.has_perm("kpis.recompute"),
        "empty_reason": _empty_reason(as_of, targets),
    }
    if not counts.empty:
        labels = status_labels()
        context["plan_rows"] = _plan_rows(counts, labels)
        context["status_figure"] = figures.figure_json(figures.status_counts_figure(
            counts, labels, _("Targets by status, per plan"), {"x": _("Number of targets"), "y": _("Plan"),
                                                               "legend": _("Status")}))
        context.update(_furthest_behind_money(request, targets, as_of, labels))
    return render(request, "reporting/dashboards/overview.html", context, status=status)


def _empty_reason(as_of, targets) -> str:
    """What an empty view is missing, in words (never an empty chart)."""
    if as_of is None:
        return _("No progress has been computed yet. Progress is computed every night, and after each approval; "
                 "administrators can also recompute now.")
    if not targets.exists():
        return _("No target of a published plan matches these filters.")
    return ""


def _charted(table: pd.DataFrame) -> bool:
    """Whether a progress chart has anything to draw: a chart of targets without any figure would
    be an empty frame around the 100% line (the squashed 99–101 axis)."""
    return not table.empty and table["progress"].map(lambda value: not is_missing(value)).any()


def _furthest_behind_money(request, targets, as_of, labels) -> dict:
    """The money targets furthest behind their path (at most CHART_LIMIT bars), and how many there are."""
    money = targets.filter(indicator__unit__in=list(MONEY_FACTORS))
    table = progress_rows(ordered_target_ids(money, as_of, "-behind", slice(0, CHART_LIMIT)), as_of)
    if not _charted(table):
        return {}
    table = _decorate(table, request)
    figure = figures.progress_bars_figure(
        table.assign(expected=table["expected_progress"]), labels,
        _("Money targets furthest behind their trajectory"),
        {"x": _("Progress towards the target (%)"), "expected": _("Where the trajectory expects it")})
    return {"money_figure": figures.figure_json(figure), "money_shown": len(table), "money_total": scope_size(money)}


def _plan_rows(counts: pd.DataFrame, labels: dict) -> list[dict]:
    rows = []
    for (code, plan), part in counts.groupby(["plan_code", "plan"], sort=True):
        by_status = dict(zip(part["status"], part["targets"]))
        rows.append({"code": code, "plan": plan, "total": int(part["targets"].sum()),
                     "counts": [(status, labels[status], int(by_status.get(status, 0))) for status in figures.STATUS_ORDER]})
    return rows


def _region_choices(selected: str | None):
    """The regions the filter offers: the top of the tree, and the regions below the one chosen
    (thousands of cities would make the list unusable)."""
    return Region.objects.filter(Q(parent__isnull=True) | Q(parent__code=selected) | Q(code=selected)).order_by("code")


# Plan

@login_required
@require_GET
def plan_page(request, code: str):
    _require_dashboards(request.user)
    plan = get_object_or_404(published_plans(), code=code)
    params, status = _params(request)
    as_of, dates = _as_of(params, request)
    sort = _sort(request, default="status")
    targets = scoped_targets(plan=code)
    if params["format"] == "csv" and as_of:
        return _csv_of_targets(request, targets, as_of, sort, f"plan-{code}-{as_of}")
    page = _page(request, scope_size(targets))
    table = _table_page(request, targets, as_of, sort, page, plan=plan) if as_of else pd.DataFrame()
    milestones = milestone_table(Milestone.objects.filter(plan=plan), as_of) if as_of else pd.DataFrame()
    labels = status_labels()
    context = {"plan": plan, "as_of": as_of, "dates": dates, "sort": sort, "empty": table.empty, "page": page,
               "rows": table.to_dict("records") if not table.empty else [],
               "status_summary": _status_summary(status_counts(targets, as_of, plan), labels) if as_of else [],
               "milestones": _milestone_rows(milestones), "empty_reason": _empty_reason(as_of, targets)}
    if _charted(table):
        context["progress_figure"] = figures.figure_json(figures.progress_bars_figure(
            table.assign(expected=table["expected_progress"]), labels, _("Progress of the targets listed below"),
            {"x": _("Progress towards the target (%)"), "expected": _("Where the trajectory expects it")}))
    if not milestones.empty:
        context["timeline_figure"] = figures.figure_json(figures.milestone_timeline_figure(
            milestones, milestone_state_labels(), _("Milestones and their deadlines"), {"x": _("Deadline (date)")}))
    return render(request, "reporting/dashboards/plan.html", context, status=status)


def _sort(request, default: str) -> str:
    sort = request.GET.get("sort") or default
    return sort if sort_key(sort) == sort else default


def _page(request, total: int):
    """The page of a table asked for; pages are slices of the ordered rows, counted once."""
    return Paginator(range(total), PAGE_SIZE).get_page(request.GET.get("page"))


def _table_page(request, targets, as_of, sort: str, page, plan=None) -> pd.DataFrame:
    window = slice(page.start_index() - 1, page.end_index()) if page.paginator.count else slice(0, 0)
    table = progress_rows(ordered_target_ids(targets, as_of, sort, window, plan), as_of)
    return _decorate(table, request) if not table.empty else table


def _status_summary(counts: pd.DataFrame, labels: dict) -> list[tuple[str, str, int]]:
    by_status = counts.groupby("status")["targets"].sum()
    return [(status, labels[status], int(by_status.get(status, 0))) for status in figures.STATUS_ORDER
            if by_status.get(status, 0)]


def _csv_of_targets(request, targets, as_of, sort: str, name: str) -> StreamingHttpResponse:
    """Every target of the scope as CSV, written while it is read, a page of rows at a time."""
    def rows():
        # Read after the view has returned: keep the request's language for the labels.
        with translation.override(request.LANGUAGE_CODE):
            total = targets.count()
            for start in range(0, total, CSV_CHUNK):
                ids = ordered_target_ids(targets, as_of, sort, slice(start, start + CSV_CHUNK))
                yield from _decorate(progress_rows(ids, as_of), request).to_dict("records")

    response = StreamingHttpResponse(stream_csv(_target_columns(), rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _milestone_rows(milestones: pd.DataFrame) -> list[dict]:
    labels = milestone_state_labels()
    return [{**row, "state_label": labels.get(row["state"], row["state"])} for row in milestones.to_dict("records")]


# Target

@login_required
@require_GET
def target_page(request, pk: int):
    _require_dashboards(request.user)
    target = get_object_or_404(published_targets().select_related("plan", "indicator", "region", "baseline"), pk=pk)
    params, status = _params(request)
    as_of, dates = _as_of(params, request)
    as_of_day = as_of or timezone.localdate()
    snapshot = dashboard_selectors.snapshot_for(target, as_of) if as_of else None
    picture = target_picture(target, as_of_day)
    series = dashboard_selectors.series_with_sources(picture["series"])
    kinds = figure_origin_labels()
    series["kind"] = [kinds.get(origin, "") for origin in series["origin"]]
    if params["format"] == "csv":
        return _csv(series, _series_columns(target), f"target-{pk}-{as_of_day}")
    cumulative = target.basis == Target.Basis.CUMULATIVE
    published = list(dashboard_selectors.published_figures_for(target))
    standings = published_standing_labels()
    for row in published:
        row.standing_label = standings.get(row.standing, row.standing)
    # Published figures that do not count are drawn apart, marked, never on the counted line.
    shown = [(row.year, float(row.value_in_indicator_unit), row.value_text) for row in published
             if row.standing != "submitted" and row.year <= as_of_day.year]
    figure = figures.target_series_figure(series, {**_target_geometry(target, snapshot, picture), "shown": shown}, {
        "title": _("Approved figures against the trajectory"), "x": _("Year"),
        "y": names.label_with_unit(names.indicator_name(target.indicator), target.indicator.unit),
        "band": _("Target band"), "trajectory": _("Trajectory"), "target": _("Target"), "baseline": _("Baseline"),
        "actual": _("Cumulative total") if cumulative else _("Approved figures"),
        "additions": _("Yearly additions"), "projection": _("Projection"),
        "shown": _("Published figure, not counted (scope differs or shown only)"), "kind": _("Kind of figure"),
    })
    answerers = dashboard_selectors.target_answerers(target)
    context = {
        "target": target, "as_of": as_of, "dates": dates, "snapshot": snapshot, "cumulative": cumulative,
        "status_label": status_labels().get(snapshot.status if snapshot else "no_data"),
        "reason": (snapshot.reason_zh if request.LANGUAGE_CODE.startswith("zh") else snapshot.reason) if snapshot else "",
        "figure": figures.figure_json(figure), "series": series.to_dict("records"),
        "versions": dashboard_selectors.figure_versions(target),
        "lead": answerers["accountable"], "cooperating": answerers["supporting"],
        "demo": bool(series["is_demo"].any()) if not series.empty else False,
        # Demo and real (published, submitted) figures on one page: the note says which are which.
        "demo_mixed": bool(series["is_demo"].any() and not series["is_demo"].all()) if not series.empty else False,
        "published": published, "origin_labels": kinds,
    }
    return render(request, "reporting/dashboards/target.html", context, status=status)


def _series_columns(target: Target) -> list[tuple[str, str]]:
    if target.basis == Target.Basis.CUMULATIVE:
        return [("year", _("Year")), ("reported", _("Yearly addition")), ("value", _("Cumulative total")),
                ("is_demo", _("Demo data")), *_citation_columns()]
    return [("year", _("Year")), ("value", _("Approved value")), ("is_demo", _("Demo data")), *_citation_columns()]


def _citation_columns() -> list[tuple[str, str]]:
    return [("kind", _("Kind of figure")), ("publisher", _("Publisher")), ("title", _("Title")),
            ("published_on", _("Date published")), ("source_url", _("Source address")), ("sentence", _("Sentence"))]


def _target_geometry(target: Target, snapshot, picture: dict) -> dict:
    """What the chart draws besides the figures, all computed by the core or stored in the snapshot."""
    band, baseline = picture["band"], picture["baseline"]
    geometry = {
        "unit": names.unit_name(target.indicator.unit), "value": picture["goal"], "target_year": target.year,
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
    params, status = _params(request)
    as_of, dates = _as_of(params, request)
    compared = list(comparable_indicators())  # counted once (a GROUP BY over every target), read thrice
    code = params["indicator"] or "biomed_rd_intensity"
    indicator = next((i for i in compared if i.code == code), compared[0] if compared else None)
    if params["indicator"] and (indicator is None or indicator.code != params["indicator"]):
        messages.error(request, _("The indicator “%(code)s” is not set as a target by two or more regions, so there "
                                  "is nothing to compare; showing another one.") % {"code": params["indicator"]})
    if indicator is None:
        return render(request, "reporting/dashboards/regions.html", {
            "as_of": as_of, "dates": dates, "indicators": [], "rows": [],
            "empty_reason": _("No indicator is set as a target by two or more regions yet.")}, status=status)
    sort = _sort(request, default="region")
    targets = published_targets().filter(indicator=indicator)
    if params["format"] == "csv" and as_of:
        return _csv_of_targets(request, targets, as_of, sort, f"regions-{indicator.code}-{as_of}")
    page = _page(request, scope_size(targets))
    table = _table_page(request, targets, as_of, sort, page) if as_of else pd.DataFrame()
    if not table.empty:
        table["label"] = table["region"] + " · " + table["plan"]
    context = {"as_of": as_of, "dates": dates, "indicator": indicator, "indicators": compared, "sort": sort,
               "page": page, "rows": table.to_dict("records") if not table.empty else [],
               "empty_reason": _empty_reason(as_of, targets)}
    if not table.empty:
        labels = {"target": _("Target"), "latest": _("Latest approved value"), "statuses": status_labels()}
        context["figure"] = figures.figure_json(figures.region_comparison_figure(
            table, labels, _("%(indicator)s across regions and plans") % {"indicator": names.indicator_name(indicator)},
            {"x": _("Region · plan"), "y": names.label_with_unit(names.indicator_name(indicator), indicator.unit)}))
    return render(request, "reporting/dashboards/regions.html", context, status=status)


# Completeness

@login_required
@require_GET
def completeness_page(request):
    """Who has reported what for a year: the one completeness page (/completeness/ redirects here).
    `?year=` is checked like every dashboard parameter; by default last year, whose figures are
    being reported now."""
    _require(request.user, "trackers.view_completeness")
    params, status = _params(request)
    year = params["year"] or timezone.localdate().year - 1
    rows = completeness(year)
    columns = ["department", "plan", "owed", "submitted", "approved", "overdue"]
    table = pd.DataFrame([{"department": names.department_name(r["department"]), "plan": str(r["plan"]),
                           "plan_code": r["plan"].code, "department_code": r["department"].code, "owed": r["owed"],
                           "submitted": r["submitted"], "approved": r["approved"], "overdue": r["overdue"]}
                          for r in rows], columns=[*columns, "plan_code", "department_code"])
    if params["format"] == "csv":
        return _csv(table, [("plan", _("Plan")), ("department", _("Department")), ("owed", _("Owed")),
                            ("submitted", _("Submitted")), ("approved", _("Approved")), ("overdue", _("Overdue"))],
                    f"completeness-{year}")
    years = list(range(2016, timezone.localdate().year + 1))
    context = {"year": year, "years": years if year in years else sorted([*years, year]),
               "rows": [{**row, **{f"{name}_share": row[name] / row["owed"] if row["owed"] else None
                                   for name in ("submitted", "approved", "overdue")}}
                        for row in table.to_dict("records")]}
    if not table.empty:
        by_department = table.groupby("department", as_index=False)[["owed", "submitted", "approved", "overdue"]].sum()
        context["figure"] = figures.figure_json(figures.completeness_figure(
            by_department, {"approved": _("approved"), "submitted": _("submitted, awaiting review"),
                            "missing": _("not yet submitted"), "overdue": _("overdue")},
            _("Figures owed for %(year)s, by department") % {"year": year}, {"x": _("Number of figures")}))
    return render(request, "reporting/dashboards/completeness.html", context, status=status)


@login_required
@require_POST
def recompute_now(request):
    """Administrators can refresh today's snapshots without waiting for the night."""
    _require(request.user, "kpis.recompute")
    recompute_all.delay(timezone.localdate().isoformat())
    return redirect("reporting:overview")
