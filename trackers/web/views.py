"""Server-rendered pages for reporting and reviewing figures.

Views translate HTTP into selector and service calls and their outcomes into pages; who may do
what is decided in trackers.rules and the services, which raise PermissionDenied (403).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpis.core import vocabulary
from kpis.core.vocabulary import figure_event
from trackers import spreadsheets
from trackers.choices import labels
from trackers.exceptions import ConflictError, InvalidInput, WorkflowError
from trackers.models import ActualVersion, UploadJob
from trackers.selectors import (
    PagedByIds,
    actual_list_for,
    figure_targets,
    history_actor,
    obligation_list_for,
    plan_list,
    published_plans,
    review_departments,
    review_queue,
    review_queue_count,
    review_regions,
    upload_job_get_for,
    upload_job_list_for,
    work_counts_for,
    work_list_for,
    work_years_for,
)
from trackers.services.actuals import (
    BulkApprovalRefused,
    actual_approve,
    actual_return,
    actual_submit_figure,
    actuals_approve_unflagged,
)
from trackers.services.imports import figure_sheet, figure_template_rows, figures_upload, sheet_figures
from trackers.spreadsheets import SpreadsheetError, plain_number

from .forms import FigureForm, ReviewFilterForm, ReviewForm, UploadForm, WorkFilterForm

REVIEW_PAGE_SIZE = 50


# "My work": everything owed, overdue and returned, across the years

WORK_PAGE_SIZE = 50


@login_required
@require_GET
def my_work(request):
    _require_perm(request.user, "trackers.view_my_work")
    user, today = request.user, timezone.localdate()
    departments = user.departments.select_related("region").order_by("region_id", "name")
    form = WorkFilterForm(request.GET or None, departments=departments, years=work_years_for(user, today=today),
                          state_labels=labels(vocabulary.WORK_STATES))
    filters = form.filters()
    counts = work_counts_for(user, today=today, department=filters["department"], year=filters["year"])
    paginator = Paginator(PagedByIds(work_list_for(user, today=today, **filters)), WORK_PAGE_SIZE)
    paginator.count = sum(counts[state] for state in filters["states"])  # counted already: not counted again
    page = paginator.get_page(request.GET.get("page"))
    return _render(request, "trackers/my_work.html", {
        "form": form, "counts": counts, "page": page, "today": today,
        "rows": [{"figure": figure, "current_value": plain_number(figure.current.value) if figure.current else "",
                  "last_year_value": plain_number(figure.last_year_value)}
                 for figure in sheet_figures(list(page))],
        "state_labels": labels(vocabulary.WORK_STATES),
    }, status=400 if form.is_bound and not form.is_valid() else 200)


# "My figures"

@login_required
@require_http_methods(["GET", "POST"])
def figures(request):
    _require_submitter(request.user)
    if request.method == "POST":
        return _figure_submit(request)
    return _figures_page(request, _year(request.GET))


def _figure_submit(request):
    form = FigureForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            version = actual_submit_figure(
                user=request.user, department=form.cleaned_data["department"], figure=form.figure_input(),
                expected_lock_version=form.cleaned_data["lock_version"],
            )
        except InvalidInput as refused:
            form.add_figure_errors(refused.errors)
        except ConflictError as conflict:
            form, status = form.after_conflict(str(conflict), conflict.current_lock_version), 409
        except WorkflowError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _submitted_message(version))
            if request.GET.get("back") == "work":  # filled in from "my work": back to the list
                return redirect("web:my-work")
            return redirect(f"{reverse('web:figures')}?year={version.actual.year}")
    return _figures_page(request, _year(request.POST), posted=form, status=status)


def _submitted_message(version: ActualVersion) -> str:
    figure = f"{version.actual.indicator.name} · {version.actual.region.name} · {version.actual.year}"
    if version.flagged:
        return _("%(figure)s was submitted for review and flagged: %(reason)s") % {
            "figure": figure, "reason": version.flag_reason}
    return _("%(figure)s was submitted for review.") % {"figure": figure}


def _figures_page(request, year: int, posted: FigureForm | None = None, status: int = 200):
    owed = obligation_list_for(request.user, year)
    # One figure, as "my work" links to it; the year's others a click away, a page at a time.
    focus = request.GET.get("figure", "")
    focused = _focused(owed, focus)
    page = None
    if focused is not None:
        sheet = sheet_figures(focused)
    else:
        focus = ""
        page = Paginator(owed, WORK_PAGE_SIZE).get_page(request.GET.get("page"))
        sheet = sheet_figures(list(page))
    rows = [
        {"figure": figure, "form": posted if posted and posted.key == figure.key else FigureForm.for_figure(figure),
         "last_year_value": plain_number(figure.last_year_value),
         "current_value": plain_number(figure.current.value) if figure.current else ""}
        for figure in sheet
    ]
    stray = posted if posted and not any(row["form"] is posted for row in rows) else None
    return _render(request, "trackers/figures.html", {
        "year": year, "years": _plan_years(), "rows": rows, "stray_form": stray, "focus": focus, "page": page,
        "back": request.GET.get("back") == "work",
    }, status=status)


def _focused(owed, key: str) -> list | None:
    """The one obligation a "department-indicator-region-year" key names, if the user owes it."""
    parts = key.split("-")
    if len(parts) != 4 or not all(part.isdigit() and len(part) < 19 for part in parts):
        return None
    department, indicator, region, year = map(int, parts)
    found = list(owed.filter(department_id=department, indicator_id=indicator, region_id=region, year=year)[:1])
    return found or None


# Spreadsheet template and upload

@login_required
@require_GET
def figure_template(request, kind: str):
    _require_submitter(request.user)
    year = _year(request.GET)
    rows = figure_template_rows(figure_sheet(request.user, year, limit=settings.UPLOAD_MAX_ROWS))
    data = spreadsheets.write_xlsx(rows) if kind == "xlsx" else spreadsheets.write_csv(rows)
    response = HttpResponse(data, content_type=spreadsheets.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="figures-{year}.{kind}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def figure_upload(request):
    _require_submitter(request.user)
    form, result, status = UploadForm(), None, 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = figures_upload(user=request.user, filename=upload.name, data=upload.read(),
                                         language=get_language())
            except SpreadsheetError as unreadable:
                form.add_error("file", str(unreadable.message))
            else:
                if outcome.job is not None:
                    messages.info(request, _("The file is large; it is being checked and stored. "
                                             "This page shows its progress."))
                    return redirect("web:figure-upload-job", job_id=outcome.job.pk)
                result = outcome.result
        status = 200 if form.is_valid() and result and result.ok else 400
    return _render(request, "trackers/upload.html", {
        "form": form, "result": result, "year": _year(request.GET), "years": _plan_years(),
        "jobs": upload_job_list_for(request.user), "max_rows": settings.UPLOAD_MAX_ROWS,
    }, status=status)


@login_required
@require_GET
def figure_upload_job(request, job_id):
    job = _upload_job_for(request, job_id)
    return _render(request, "trackers/upload_job.html", {
        "job": job, "status_url": reverse("web:figure-upload-job-status", args=[job.pk]),
    })


@login_required
@require_GET
def figure_upload_job_status(request, job_id):
    """The job's state as JSON, for its page to poll."""
    job = _upload_job_for(request, job_id)
    return JsonResponse({
        "state": job.state, "state_label": job.get_state_display(), "progress": job.progress,
        "stage": job.stage, "stage_label": job.stage_label,
        "finished": job.state in (UploadJob.State.DONE, UploadJob.State.FAILED),
    })


def _upload_job_for(request, job_id) -> UploadJob:
    _require_submitter(request.user)
    job = upload_job_get_for(request.user, job_id)
    if job is None:
        raise Http404  # someone else's job, or none: the same answer
    return job


# Review

@login_required
@require_GET
def review(request):
    _require_perm(request.user, "trackers.review_figure")
    form = _review_filters(request.GET or None)
    queue = review_queue(request.user, **form.filters())
    paginator = Paginator(queue, REVIEW_PAGE_SIZE)
    paginator.count = review_queue_count(request.user, **form.filters())
    page = paginator.get_page(request.GET.get("page"))
    return _render(request, "trackers/review.html", {
        "page": page, "rows": _review_rows(list(page)), "form": form,
        "bulk": request.user.has_perm("trackers.approve_in_bulk"), "back": request.get_full_path(),
    }, status=400 if form.is_bound and not form.is_valid() else 200)


def _review_filters(data) -> ReviewFilterForm:
    return ReviewFilterForm(data, plans=published_plans().order_by("region__code", "start_year", "code"),
                            regions=review_regions(), departments=review_departments())


def _review_rows(versions: list[ActualVersion]) -> list[dict]:
    targets = figure_targets((v.actual.indicator_id, v.actual.region_id, v.actual.year) for v in versions)
    return [{"version": v, "value": plain_number(v.value), "last_year_value": plain_number(v.last_year_value),
             "replaced_value": plain_number(v.replaced_value),
             "targets": targets[(v.actual.indicator_id, v.actual.region_id, v.actual.year)]}
            for v in versions]


@login_required
@require_POST
def review_bulk(request):
    """Approve the checked unflagged figures: first a page that lists them and asks to confirm,
    then, confirmed, all of them in one transaction or none."""
    _require_perm(request.user, "trackers.approve_in_bulk")
    approvals = _approvals(request.POST.getlist("version"))
    if not approvals:
        messages.error(request, _("Choose the figures to approve."))
        return _back_to_queue(request)
    if request.POST.get("confirm") != "yes":
        return _review_bulk_confirmation(request, approvals)
    try:
        approved = actuals_approve_unflagged(user=request.user, approvals=approvals)
    except BulkApprovalRefused as refused:
        figure = refused.version.actual if refused.version else "—"
        messages.error(request, _("Nothing was approved: %(figure)s: %(reason)s") % {
            "figure": figure, "reason": refused.error})
    else:
        messages.success(request, _("Figures approved: %(count)s.") % {"count": len(approved)})
    return _back_to_queue(request)


def _back_to_queue(request):
    """To the queue as the reviewer filtered it (a path of the queue only, never elsewhere)."""
    back = request.POST.get("next", "")
    queue = reverse("web:review")
    if back.startswith(queue + "?") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect(queue)


def _approvals(values: list[str]) -> list[tuple[int, int]]:
    """The checked figures as (version id, lock version seen), from "id:lock"; bad ones ignored."""
    approvals = {}
    for value in values[:REVIEW_PAGE_SIZE * 4]:
        version_id, _sep, lock = value.partition(":")
        if version_id.isdigit() and lock.isdigit() and len(version_id) < 12 and len(lock) < 12:
            approvals[int(version_id)] = int(lock)
    return list(approvals.items())


def _review_bulk_confirmation(request, approvals: list[tuple[int, int]]):
    locks = dict(approvals)
    found = list(review_queue(request.user).filter(pk__in=list(locks)))
    # Flagged ones want a look of their own; figures no longer waiting (or one's own) are not offered.
    chosen = [v for v in found if not v.flagged]
    left_out = len(locks) - len(chosen)
    rows = _review_rows(chosen)
    for row in rows:
        row["lock"] = locks[row["version"].pk]
    return _render(request, "trackers/review_bulk.html", {"rows": rows, "left_out": left_out,
                                                          "back": request.POST.get("next", "")})


@login_required
@require_POST
def review_approve(request, version_id: int):
    return _review_action(request, version_id, approve=True)


@login_required
@require_POST
def review_return(request, version_id: int):
    return _review_action(request, version_id, approve=False)


def _review_action(request, version_id: int, *, approve: bool):
    _require_perm(request.user, "trackers.review_figure")
    versions = ActualVersion.objects.select_related("actual__indicator", "actual__region")
    version = get_object_or_404(versions, pk=version_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; reload the page and try again."))
        return _back_to_queue(request)
    lock = form.cleaned_data["lock_version"]
    try:
        if approve:
            actual_approve(user=request.user, version=version, expected_lock_version=lock)
        else:
            actual_return(
                user=request.user, version=version, reason=form.cleaned_data["reason"], expected_lock_version=lock
            )
    except ConflictError as conflict:
        messages.error(request, f"{conflict} {_current_value_note(version)}")
    except InvalidInput as refused:
        messages.error(request, " ".join(str(e.message) for e in refused.errors))
    except WorkflowError as refused:
        messages.error(request, str(refused))
    else:
        done = _("Approved: %(figure)s") if approve else _("Returned: %(figure)s")
        messages.success(request, done % {"figure": version.actual})
    return _back_to_queue(request)


def _current_value_note(version: ActualVersion) -> str:
    version.refresh_from_db()
    return _("It now reads %(value)s %(unit)s (%(status)s).") % {
        "value": plain_number(version.value), "unit": version.unit, "status": version.get_status_display()}


# History

@login_required
@require_GET
def figure_history(request, actual_id: int):
    actual = get_object_or_404(actual_list_for(request.user), pk=actual_id)  # others' figures: 404
    _require_perm(request.user, "trackers.view_figure_history", actual)
    versions = actual.versions.select_related("department__region", "created_by", "submitted_by", "reviewed_by")
    changes = (
        ActualVersion.history.filter(actual_id=actual.pk)
        .select_related("history_user").order_by("history_date", "history_id")
    )
    events = labels(vocabulary.FIGURE_EVENTS)
    return _render(request, "trackers/history.html", {
        "actual": actual,
        "versions": [{"version": v, "value": plain_number(v.value)} for v in versions],
        "changes": [{"record": c, "value": plain_number(c.value), "who": _username(history_actor(c)),
                     **_event(c, events)} for c in changes],
    })


# Completeness

@login_required
@require_GET
def completeness_page(request):
    """The one completeness page is the dashboards' (/dashboards/completeness/, which checks
    `?year=` like every dashboard parameter): this older address keeps working by redirecting."""
    _require_perm(request.user, "trackers.view_completeness")
    query = request.GET.urlencode()
    return redirect(reverse("reporting:dashboard-completeness") + (f"?{query}" if query else ""))


# Shared

def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, context, status=status)


def _require_submitter(user) -> None:
    _require_perm(user, "trackers.submit_figures")


def _require_perm(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _event(record, events: dict[str, str]) -> dict:
    event = figure_event(record.history_type, record.status, record.number)
    return {"event": event, "event_label": events[event]}


def _username(user) -> str:
    return user.get_username() if user else ""


def _year(params) -> int:
    """The year asked for; by default last year, whose figures are the ones being reported now."""
    try:
        year = int(params.get("year", ""))
    except ValueError:
        year = 0
    return year if 1900 <= year <= 2100 else timezone.localdate().year - 1


def _plan_years() -> list[int]:
    period = plan_list().aggregate(first=Min("start_year"), last=Max("end_year"))
    if period["first"] is None:
        return []
    return list(range(period["first"], period["last"] + 1))
