"""Pages for exporting gap reports: the form at /reports/, and the page of a job in progress.

Views translate HTTP into selector and service calls; only auditors, leaders and administrators
(trackers.export_reports) get past the first line of each.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kpis.selectors import latest_snapshot_date
from reporting.models import Channel, ReportJob
from trackers.exceptions import InvalidInput

from .forms import GapReportForm
from .responses import file_response
from .selectors import export_log_list_for, report_job_file, report_job_get_for, report_job_list_for, scope_choices
from .services import EXPORT_PERMISSION, ReportRequest, gap_report_export


@login_required
@require_http_methods(["GET", "POST"])
def report_form(request):
    _require_exporter(request.user)
    if request.method == "POST":
        form = GapReportForm(request.POST)
        if form.is_valid():
            try:
                return _export(request, form.cleaned_data)
            except InvalidInput as refused:
                for error in refused.errors:
                    form.add_error(error.field if error.field in form.fields else None, str(error.message))
        return _form_page(request, form, status=400)
    as_of = latest_snapshot_date(timezone.localdate()) or timezone.localdate()
    return _form_page(request, GapReportForm(initial={"as_of": as_of}))


def _export(request, data: dict):
    report_request = ReportRequest(
        scope=data["scope"], as_of=data["as_of"], format=data["format"], language=get_language(), channel=Channel.WEB
    )
    export = gap_report_export(user=request.user, request=report_request)
    if export.job is not None:
        messages.info(request, _("The report is large; it is being prepared. This page shows its progress."))
        return redirect("reporting:exports-job", job_id=export.job.pk)
    report_file = export.file
    return file_response(content=report_file.content, filename=report_file.filename,
                         content_type=report_file.content_type, checksum=report_file.checksum)


def _form_page(request, form: GapReportForm, status: int = 200):
    return render(request, "reporting/exports/form.html", {
        "form": form,
        "scope_choices": scope_choices(),
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
