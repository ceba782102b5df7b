"""Pages for exporting gap reports: the form at /reports/, and the page of a job in progress.

Views translate HTTP into selector and service calls; only auditors, leaders and administrators
(trackers.export_reports) get past the first line of each.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpis.selectors import latest_snapshot_date
from reporting.models import Channel, ReportJob
from trackers.exceptions import InvalidInput

from .forms import GapReportForm
from .report import Scope
from .responses import file_response
from .selectors import (
    export_log_get_for,
    export_log_list_for,
    plan_choices,
    report_job_file,
    report_job_get_for,
    report_job_list_for,
    scope_choices,
    scope_options,
)
from .services import EXPORT_PERMISSION, ReportRequest, gap_report_export

SAME_DATA_HEADER = "X-Report-Same-Data"  # an export made again: "yes" when its checksum is the logged one


@login_required
@require_http_methods(["GET", "POST"])
def report_form(request):
    _require_exporter(request.user)
    if request.method == "POST":
        form = GapReportForm(request.POST, plans=plan_choices())
        if form.is_valid():
            try:
                return _export(request, form.cleaned_data)
            except InvalidInput as refused:
                for error in refused.errors:
                    form.add_error(error.field if error.field in form.fields else None, str(error.message))
        return _form_page(request, form, status=400)
    as_of = latest_snapshot_date(timezone.localdate()) or timezone.localdate()
    return _form_page(request, GapReportForm(initial={"as_of": as_of}, plans=plan_choices()))


def _export(request, data: dict, logged_checksum: str = ""):
    report_request = ReportRequest(
        scope=data["scope"], as_of=data["as_of"], format=data["format"], language=get_language(), channel=Channel.WEB
    )
    export = gap_report_export(user=request.user, request=report_request)
    if export.job is not None:
        messages.info(request, _("The report is large; it is being prepared. This page shows its progress."))
        return redirect("reporting:exports-job", job_id=export.job.pk)
    report_file = export.file
    response = file_response(content=report_file.content, filename=report_file.filename,
                             content_type=report_file.content_type, checksum=report_file.checksum)
    if logged_checksum:  # made again: does it state the same data as the first time?
        response[SAME_DATA_HEADER] = "yes" if report_file.checksum == logged_checksum else "no"
    return response


@login_required
@require_POST
def export_again(request, entry_id: int):
    """An earlier export, within the retention period, downloaded again. Reports made during the
    request are not stored: the same scope, date and format are made again, which gives the same
    data and checksum (the file says when it was made); a job's stored file is handed out as it was."""
    _require_exporter(request.user)
    entry = export_log_get_for(request.user, entry_id)
    if entry is None:
        raise Http404  # someone else's export, one past its retention, or none: the same answer
    if entry.job_id and report_job_get_for(request.user, entry.job_id) is not None:
        return redirect("reporting:exports-job-download", job_id=entry.job_id)
    scope = Scope(entry.scope_type, entry.scope_code) if entry.scope_type != "all" else Scope("all")
    try:
        return _export(request, {"scope": scope, "as_of": entry.as_of, "format": entry.format},
                       logged_checksum=entry.checksum)
    except InvalidInput as refused:  # the plan, region or department has since gone
        messages.error(request, " ".join(str(error.message) for error in refused.errors))
        return redirect("reporting:exports")


@login_required
@require_GET
def scope_options_json(request):
    """Regions or departments whose name or code contains ?q= (departments of ?region= when given),
    for the form's suggestion lists: at most SCOPE_OPTIONS_LIMIT, so 3,000 regions stay usable."""
    _require_exporter(request.user)
    kind = request.GET.get("kind", "")
    if kind not in ("region", "department"):
        return JsonResponse({"kind": [_("Choose region or department.")]}, status=400)
    query, region = request.GET.get("q", "")[:100], request.GET.get("region", "")[:96]
    return JsonResponse({"options": [{"code": code, "name": name} for code, name in scope_options(kind, query, region)]})


def _form_page(request, form: GapReportForm, status: int = 200):
    return render(request, "reporting/exports/form.html", {
        "form": form,
        "scope_choices": scope_choices(),
        "retention_days": settings.REPORT_RETENTION_DAYS,
        "jobs": report_job_list_for(request.user),
        "exports": export_log_list_for(request.user),
    }, status=status)


@login_required
@require_GET
def job_page(request, job_id):
    job = _job_for(request, job_id)
    return render(request, "reporting/exports/job.html", {
        "job": job,
        "status_url": reverse("reporting:exports-api-job", args=[job.pk]),
        "download_url": reverse("reporting:exports-job-download", args=[job.pk]),
    })


@login_required
@require_GET
def job_download(request, job_id):
    job = _job_for(request, job_id)
    if job.state != ReportJob.State.DONE:
        return redirect("reporting:exports-job", job_id=job.pk)
    return file_response(content=report_job_file(job), filename=job.filename, content_type=job.content_type,
                         checksum=job.checksum)


def _job_for(request, job_id) -> ReportJob:
    _require_exporter(request.user)
    job = report_job_get_for(request.user, job_id)
    if job is None:
        raise Http404  # someone else's job, or none: the same answer
    return job


def _require_exporter(user) -> None:
    if not user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied
