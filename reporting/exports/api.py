"""The gap report API, under /reports/api/: request a report, follow its job, download the file.

Only auditors, leaders and administrators (trackers.export_reports); everyone else gets 403.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting.models import Channel, ReportFormat, ReportJob, ScopeType
from trackers.api.fields import CodeField

from .forms import resolve_scope, validate_as_of
from .responses import file_response
from .selectors import report_job_file, report_job_get_for
from .services import (
    ASYNC_TARGET_THRESHOLD,
    EXPORT_PERMISSION,
    PDF_ASYNC_ROW_THRESHOLD,
    ReportRequest,
    gap_report_export,
)

FILE_RESPONSES = {
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV, UTF-8 with BOM"),
    (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
        OpenApiTypes.BINARY, description="Excel workbook"),
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
}
DENIED = OpenApiResponse(description="Only auditors, leaders and administrators may export reports")


class CanExportReports(BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm(EXPORT_PERMISSION)


class GapReportRequestSerializer(serializers.Serializer):
    scope_type = serializers.ChoiceField(choices=ScopeType.choices, default=ScopeType.ALL)
    scope_code = CodeField(
        max_length=96, required=False, allow_blank=True, default="",
        help_text="Plan, region or department code; empty for everything. A region includes the regions below it.",
    )
    as_of = serializers.DateField(
        validators=[validate_as_of], help_text="Figures approved by the end of this day count."
    )
    format = serializers.ChoiceField(choices=ReportFormat.choices)

    def validate(self, data):
        try:
            data["scope"] = resolve_scope(data["scope_type"], data["scope_code"])
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return data


class ReportJobSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    stage_label = serializers.CharField(read_only=True)
    status_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = ["id", "state", "state_label", "progress", "stage", "stage_label", "scope_type", "scope_code",
                  "as_of", "format", "target_count", "created_at", "started_at", "finished_at", "filename", "size",
                  "checksum", "file_sha256", "error", "status_url", "download_url"]
        read_only_fields = fields

    def get_status_url(self, job) -> str:
        return reverse("reporting:exports-api-job", args=[job.pk])

    def get_download_url(self, job) -> str | None:
        if job.state != ReportJob.State.DONE:
            return None
        return reverse("reporting:exports-api-job-download", args=[job.pk])


class ExportApiView(APIView):
    permission_classes = [IsAuthenticated, CanExportReports]

    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's own type (Accept: application/pdf) is not refused with
        # 406: files bypass the renderers, and errors still come back as JSON.
        return super().perform_content_negotiation(request, force=True)


class GapReportView(ExportApiView):
    @extend_schema(
        operation_id="gap_report_create",
        summary="Export a gap report",
        description=(
            "Targets with baseline, target, the approved figure that counted at the as-of date (who submitted and "
            "approved it, when), progress, gap, required growth, status and reason; milestones; figures owed but "
            "not approved; a summary; the submission history behind every figure used. Regenerating the report "
            "for the same scope and date gives the same data and the same checksum (header X-Report-Checksum). "
            f"Reports over more than {ASYNC_TARGET_THRESHOLD} targets, and PDFs of more than {PDF_ASYNC_ROW_THRESHOLD} "
            "rows of targets and history, are built in the background: the answer is then 202 with the job to poll. "
            "Every export is logged."
        ),
        request=GapReportRequestSerializer,
        responses={
            **FILE_RESPONSES,
            202: OpenApiResponse(ReportJobSerializer, description="Large report: follow status_url"),
            400: OpenApiResponse(description="Field errors: {field: [reason]}"),
            403: DENIED,
        },
        tags=["reports"],
    )
    def post(self, request):
        payload = GapReportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        report_request = ReportRequest(
            scope=data["scope"], as_of=data["as_of"], format=data["format"], language=get_language(),
            channel=Channel.API,
        )
        try:
            export = gap_report_export(user=request.user, request=report_request)
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from error
        if export.job is not None:
            body = ReportJobSerializer(export.job).data
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})
        report_file = export.file
        return file_response(content=report_file.content, filename=report_file.filename,
                             content_type=report_file.content_type, checksum=report_file.checksum)


class ReportJobView(ExportApiView):
    @extend_schema(
        operation_id="report_job_retrieve", summary="A report job's state and progress",
        responses={200: ReportJobSerializer, 403: DENIED, 404: OpenApiResponse(description="No such job of yours")},
        tags=["reports"],
    )
    def get(self, request, job_id):
        return Response(ReportJobSerializer(_job(request, job_id)).data)


class ReportJobDownloadView(ExportApiView):
    @extend_schema(
        operation_id="report_job_download", summary="Download a finished report job's file",
        responses={**FILE_RESPONSES, 403: DENIED, 404: OpenApiResponse(description="No such job of yours"),
                   409: OpenApiResponse(description="Not finished (or failed): see the job's state")},
        tags=["reports"],
    )
    def get(self, request, job_id):
        job = _job(request, job_id)
        if job.state != ReportJob.State.DONE:
            raise NotReady({"detail": _("The report is not ready."), "state": job.state})
        return file_response(content=report_job_file(job), filename=job.filename, content_type=job.content_type,
                             checksum=job.checksum)


class NotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"


def _job(request, job_id) -> ReportJob:
    job = report_job_get_for(request.user, job_id)
    if job is None:
        raise Http404
    return job
