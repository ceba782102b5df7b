"""Auditors' gap reports: the jobs that build large ones, and the log of every export.

The report data itself is never stored here: it is read again from the progress snapshots and
the figures' version history as of the report's date, so a report can be rebuilt and checked
against the checksum logged when it was first made.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.core import vocabulary
from trackers.choices import text_choices


class ReportFormat(models.TextChoices):
    CSV = "csv", _("CSV (UTF-8)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")
    PDF = "pdf", _("PDF")


class ScopeType(models.TextChoices):
    ALL = "all", _("everything")
    PLAN = "plan", _("plan")
    REGION = "region", _("region")
    DEPARTMENT = "department", _("department")


class Channel(models.TextChoices):
    WEB = "web", _("web page")
    API = "api", _("API")


SHA256_HEX = 64


class ReportJob(models.Model):
    """A report too large to build during the request: built by a Celery task, the file kept here.

    The file lives in the database (BinaryField) so that the web process and the workers need no
    shared disk and the file commits together with its checksum and its "done" state.
    """

    State = text_choices("State", vocabulary.JOB_STATES)

    # What the job is doing, shown while it runs (services.gap_report_build reports the stages).
    STAGES = {
        "queued": _("waiting for a worker"),
        "started": _("started"),
        "snapshots": _("computing missing progress snapshots for the date"),
        "reading": _("reading snapshots and figure histories"),
        "rendering": _("writing the file"),
        "storing": _("storing the file"),
        "done": _("ready to download"),
        "failed": _("failed"),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    scope_type = models.CharField(_("scope type"), max_length=16, choices=ScopeType.choices)
    scope_code = models.CharField(_("scope code"), max_length=96, blank=True)
    as_of = models.DateField(_("as of"))
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    language = models.CharField(_("language"), max_length=16)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    target_count = models.PositiveIntegerField(_("targets"), default=0)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=128, blank=True)
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    checksum = models.CharField(_("data checksum (SHA-256)"), max_length=SHA256_HEX, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=SHA256_HEX, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_percent"),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "running", "done", "failed"]), name="report_job_state_valid"
            ),
            models.CheckConstraint(condition=Q(format__in=["csv", "xlsx", "pdf"]), name="report_job_format_valid"),
            # A finished job holds its file and the checksum of its data.
            models.CheckConstraint(
                condition=~Q(state="done") | (Q(content__isnull=False) & ~Q(checksum="")),
                name="report_job_done_has_file",
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self):
        return f"{self.get_format_display()} {self.scope_type}:{self.scope_code or '*'} @ {self.as_of}"

    @property
    def stage_label(self) -> str:
        return str(self.STAGES.get(self.stage, self.stage))


class ExportLog(models.Model):
    """One line per report generated: who, what scope, which format, as of when, and checksums.

    `checksum` is over the report's data (reproducible); `file_sha256` is over the exact bytes
    handed out (differs between regenerations because the generation time is printed).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(_("username"), max_length=150)  # as it was, should the account be renamed
    scope_type = models.CharField(_("scope type"), max_length=16, choices=ScopeType.choices)
    scope_code = models.CharField(_("scope code"), max_length=96, blank=True)
    as_of = models.DateField(_("as of"))
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    job = models.ForeignKey(
        ReportJob, verbose_name=_("report job"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="exports",
    )
    created_at = models.DateTimeField(_("generated at"), default=timezone.now, editable=False)
    target_count = models.PositiveIntegerField(_("targets"))
    method_version = models.CharField(_("method version"), max_length=128, blank=True)
    checksum = models.CharField(_("data checksum (SHA-256)"), max_length=SHA256_HEX)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=SHA256_HEX)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"]), models.Index(fields=["checksum"])]

    def __str__(self):
        return f"{self.username} {self.format} {self.scope_type}:{self.scope_code or '*'} @ {self.as_of}"
