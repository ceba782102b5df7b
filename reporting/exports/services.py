"""Writes for gap reports: making the file, logging every export, and the jobs for large ones.

A report reads only what was known at the end of its as-of day, so the same scope and date give
the same data (and checksum) whenever it is generated. It reads the stored progress snapshots
for that date; where a target in scope has none yet, they are computed and stored first with
kpis.services.snapshots_recompute, which for a past date reads only the approvals made up to
it, so computing late gives what computing on the day would have. Snapshots already stored are
never recomputed here: the report shows what was stored (with its method version).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kpis.core.thresholds import METHOD_VERSION
from kpis.services import snapshots_recompute
from reporting.models import ExportLog, ReportJob
from trackers.exceptions import InvalidInput
from trackers.models import Target

from . import builders
from .report import Generation, Scope
from .selectors import gap_report_read, history_record_count, scope_targets, targets_without_snapshot

logger = logging.getLogger(__name__)

# Reports over more targets than this are built by a Celery task, not during the request
# (CSV and XLSX of 2,000 targets take about a second).
ASYNC_TARGET_THRESHOLD = 500
# WeasyPrint lays out some 70-90 table rows a second, so a PDF goes to a job sooner: when its
# targets and submission-history records together pass this many rows (about 4 s).
PDF_ASYNC_ROW_THRESHOLD = 300
# A PDF is for signing, not for data: more rows than this would run to hundreds of pages (and take
# WeasyPrint minutes), so it is refused with a pointer to XLSX, which has every row.
PDF_MAX_ROWS = 3000
EXPORT_PERMISSION = "trackers.export_reports"

Progress = Callable[[str, int], None]  # (stage, percent)


@dataclass(frozen=True)
class ReportRequest:
    scope: Scope
    as_of: dt.date
    format: str  # csv | xlsx | pdf
    language: str  # the labels' language; the data is the same in every language
    channel: str  # web | api


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    filename: str
    content_type: str
    checksum: str  # over the report's data: equal for every regeneration
    file_sha256: str  # over these bytes
    target_count: int
    method_version: str
    generated_at: dt.datetime


@dataclass(frozen=True)
class Export:
    """What an export request gave: the file and its log line now, or a job to follow."""

    file: ReportFile | None = None
    log: ExportLog | None = None
    job: ReportJob | None = None


def gap_report_export(*, user, request: ReportRequest) -> Export:
    """Export a gap report: a small one is built and logged now; a large one (see the thresholds
    above) becomes a job, built and logged by a Celery task."""
    _require_exporter(user)
    target_count = scope_targets(request.scope, request.as_of).count()
    pdf_rows = _pdf_rows(request, target_count)
    if pdf_rows > PDF_MAX_ROWS:
        raise InvalidInput.single("format", "too_long", _(
            "A PDF of %(rows)s rows would run to hundreds of pages. Choose XLSX or CSV, which hold every row, "
            "or narrow the report to a plan, a region or a department.") % {"rows": f"{pdf_rows:,}"})
    if target_count > ASYNC_TARGET_THRESHOLD or pdf_rows > PDF_ASYNC_ROW_THRESHOLD:
        return Export(job=report_job_create(user=user, request=request, target_count=target_count))
    report_file = gap_report_build(user=user, request=request)
    return Export(file=report_file, log=export_log_create(user=user, request=request, report_file=report_file))


def _pdf_rows(request: ReportRequest, target_count: int) -> int:
    """How many rows of targets and history a PDF would print (0 for the other formats)."""
    if request.format != "pdf":
        return 0
    return target_count + history_record_count(scope_targets(request.scope, request.as_of), request.as_of)


def gap_report_build(*, user, request: ReportRequest, progress: Progress | None = None) -> ReportFile:
    """Make the report file: snapshots for the date first if missing, then read, then render."""
    _require_exporter(user)
    notify = progress or (lambda stage, percent: None)
    generated_at = timezone.now()
    notify("snapshots", 5)
    snapshots_ensure(request.scope, request.as_of)
    notify("reading", 20)
    report = gap_report_read(request.scope, request.as_of)
    checksum = report.checksum()
    generation = Generation(
        generated_by=_person(user), generated_at=generated_at, software_method_version=METHOD_VERSION,
        checksum=checksum, provisional=request.as_of >= timezone.localdate(generated_at),
    )
    notify("rendering", 45)
    with translation.override(request.language):
        content = builders.build(request.format, report, generation, _step_counter(request.format, notify))
    return ReportFile(
        content=content, filename=report_filename(request), content_type=builders.CONTENT_TYPES[request.format],
        checksum=checksum, file_sha256=hashlib.sha256(content).hexdigest(), target_count=len(report.targets),
        method_version=", ".join(report.method_versions), generated_at=generated_at,
    )


def snapshots_ensure(scope: Scope, as_of: dt.date) -> int:
    """Compute and store the snapshots missing for the scope's targets at the date; returns how many."""
    # Ids, not the lazy "without a snapshot" queryset: snapshots_recompute reads its queryset again
    # after writing the snapshots (for the plans' milestones), when it would have become empty.
    missing = list(targets_without_snapshot(scope_targets(scope, as_of), as_of).values_list("pk", flat=True))
    if not missing:
        return 0
    # All versions: for a past date these may be versions a revision has since replaced.
    return snapshots_recompute(Target.all_versions.filter(pk__in=missing), as_of, scope=f"report:{scope}"[:64])


def export_log_create(
    *, user, request: ReportRequest, report_file: ReportFile, job: ReportJob | None = None
) -> ExportLog:
    return ExportLog.objects.create(
        user=user, username=user.get_username(), scope_type=request.scope.type, scope_code=request.scope.code,
        as_of=request.as_of, format=request.format, channel=request.channel, job=job,
        created_at=report_file.generated_at, target_count=report_file.target_count,
        method_version=report_file.method_version[:128], checksum=report_file.checksum,
        file_sha256=report_file.file_sha256, size=len(report_file.content),
    )


def report_filename(request: ReportRequest) -> str:
    scope = request.scope.type + (f"-{request.scope.code}" if request.scope.code else "")
    return f"gap-report_{scope}_{request.as_of.isoformat()}.{request.format}"


# Jobs for large reports

def report_job_create(*, user, request: ReportRequest, target_count: int) -> ReportJob:
    """Record the job and hand it to Celery once the row is committed (a worker must find it)."""
    job = ReportJob.objects.create(
        requested_by=user, scope_type=request.scope.type, scope_code=request.scope.code, as_of=request.as_of,
        format=request.format, language=request.language, channel=request.channel, target_count=target_count,
        stage="queued",
    )
    transaction.on_commit(lambda: report_job_dispatch(job.pk))
    return job


def report_job_dispatch(job_id) -> bool:
    from .tasks import gap_report_job

    try:
        gap_report_job.apply_async(args=[str(job_id)], retry=False)
    except Exception as error:  # kombu raises several kinds when the broker is down
        logger.warning("report job %s not queued: %s", job_id, error)
        ReportJob.objects.filter(pk=job_id, state=ReportJob.State.PENDING).update(
            state=ReportJob.State.FAILED, stage="failed", finished_at=timezone.now(),
            error=str(_("The report could not be queued. Try again later.")),
        )
        return False
    return True


def report_job_run(job_id) -> ReportJob | None:
    """Build the job's file and store it with its checksum and log line. A job already done is
    left alone, so a redelivered task message does nothing twice."""
    job = ReportJob.objects.defer("content").select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.state == ReportJob.State.DONE:
        return job
    _job_update(job, state=ReportJob.State.RUNNING, stage="started", progress=1, started_at=timezone.now(),
                error="")
    request = _request_of(job)
    try:
        report_file = gap_report_build(
            user=job.requested_by, request=request,
            progress=lambda stage, percent: report_job_progress_set(job.pk, stage, percent),
        )
    except DatabaseError:
        raise  # the task retries: a restarting database is not the report's fault
    except Exception as error:
        logger.exception("report job %s failed", job.pk)
        refused = isinstance(error, PermissionDenied)  # the role was withdrawn since the request
        with translation.override(job.language):
            message = str(_("You may not export reports.") if refused else _("The report could not be built."))
        _job_update(job, state=ReportJob.State.FAILED, stage="failed", finished_at=timezone.now(), error=message)
        return job
    report_job_progress_set(job.pk, "storing", 97)
    with transaction.atomic():
        export_log_create(user=job.requested_by, request=request, report_file=report_file, job=job)
        _job_update(
            job, state=ReportJob.State.DONE, stage="done", progress=100, finished_at=timezone.now(),
            content=report_file.content, filename=report_file.filename, content_type=report_file.content_type,
            size=len(report_file.content), checksum=report_file.checksum, file_sha256=report_file.file_sha256,
            target_count=report_file.target_count,
        )
    job.refresh_from_db(fields=["state", "progress", "stage", "checksum", "file_sha256", "size", "finished_at"])
    return job


def report_job_progress_set(job_id, stage: str, percent: int) -> None:
    """Written at once (outside any transaction of the build) so the job page can poll it."""
    ReportJob.objects.filter(pk=job_id, state=ReportJob.State.RUNNING).update(stage=stage, progress=percent)


def _job_update(job: ReportJob, **fields) -> None:
    ReportJob.objects.filter(pk=job.pk).update(**fields)


def _request_of(job: ReportJob) -> ReportRequest:
    return ReportRequest(
        scope=Scope(job.scope_type, job.scope_code), as_of=job.as_of, format=job.format,
        language=job.language, channel=job.channel,
    )


def _step_counter(fmt: str, notify: Progress) -> Callable[[], None]:
    """Turn the builder's "one more table done" calls into percentages between 45 and 95."""
    steps = builders.STEPS[fmt]
    done = [0]

    def step() -> None:
        done[0] += 1
        notify("rendering", 45 + 50 * min(done[0], steps) // steps)

    return step


def _require_exporter(user) -> None:
    if not user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied(_("You may not export reports."))


def _person(user) -> str:
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()
