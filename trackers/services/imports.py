"""The figure sheet: what a user's departments owe for a year, shown as the web form and as the
spreadsheet template, and the import that stores a filled-in spreadsheet.

The import is all or nothing. Every row is checked and every problem is reported with the row and
column the user sees; only a file without problems is stored, in one transaction, by the same
rules as the web form (services.actuals.figures_submit: the web form's figure is a batch of one).
A large file becomes a job that a Celery worker runs (upload_job_*), as large reports do.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from trackers.exceptions import ConflictError, InvalidInput
from trackers.models import Actual, ActualVersion, Department, Indicator, Region, Target, UploadJob
from trackers.selectors import figure_targets, obligation_list_for
from trackers.services.actuals import FigureInput, FiguresRefused, FigureWrite, Refusal, figures_refusals, figures_submit
from trackers.spreadsheets import COLUMNS, SpreadsheetError, read_sheet

logger = logging.getLogger(__name__)

Status = ActualVersion.Status
OPEN = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
EDITABLE = (Status.DRAFT, Status.RETURNED)


# The sheet of owed figures

@dataclass
class SheetFigure:
    """One figure a department owes for a year, with what the person filling it in needs to see."""

    department: Department
    indicator: Indicator
    region: Region
    year: int
    actual: Actual | None
    targets: list[Target]
    last_year: ActualVersion | None  # last year's approved version
    due_date: dt.date | None = None  # the calendar's
    state: str = ""  # kpis.core.vocabulary.WORK_STATES, where the list was read with it (selectors.work_list_for)

    @property
    def key(self) -> str:
        return f"{self.department.pk}-{self.indicator.pk}-{self.region.pk}-{self.year}"

    @property
    def versions(self) -> list[ActualVersion]:
        return list(self.actual.versions.all()) if self.actual else []

    @property
    def open_version(self) -> ActualVersion | None:
        return next((v for v in self.versions if v.status in OPEN), None)

    @property
    def approved(self) -> ActualVersion | None:
        return next((v for v in self.versions if v.status == Status.APPROVED), None)

    @property
    def current(self) -> ActualVersion | None:
        """The version in play, else the approved one: what the state column shows."""
        return self.open_version or self.approved

    @property
    def lock_version(self) -> int | None:
        return self.actual.lock_version if self.actual else None

    @property
    def last_year_value(self) -> Decimal | None:
        return self.last_year.value_in_indicator_unit if self.last_year else None

    @property
    def targets_text(self) -> str:
        return "; ".join(f"{t.year}: {t.value_text} ({t.plan.short_title})" for t in self.targets)


def figure_sheet(user, year: int, *, limit: int | None = None) -> list[SheetFigure]:
    """The figures the user's departments owe for `year`, in the calendar's order (the first
    `limit`: a template longer than an upload may be is of no use). A read: the calendar is drawn
    up when plans change and every night (services.calendar)."""
    return sheet_figures(list(obligation_list_for(user, year)[:limit]))


def figure_template_rows(figures: list[SheetFigure]) -> list[dict]:
    """The spreadsheet template's rows: who and what is filled in; value and source are left blank."""
    return [
        {
            "department_code": f.department.code,
            "indicator_code": f.indicator.code,
            "indicator_name": f.indicator.name,
            "region_code": f.region.code,
            "region_name": f.region.name,
            "year": f.year,
            "unit": f.indicator.unit,
            "lock_version": f.lock_version,
            "last_year_value": f.last_year_value,
            "target": f.targets_text,
        }
        for f in figures
    ]


def sheet_figures(obligations) -> list[SheetFigure]:
    """The owed figures of these obligations (any years) with their figures, versions, last year's
    approved version and the targets they feed: three queries whatever their number."""
    indicator_ids = {o.indicator_id for o in obligations}
    region_ids = {o.region_id for o in obligations}
    years = {o.year for o in obligations}
    if not obligations:
        return []
    actuals = {
        (a.indicator_id, a.region_id, a.year): a
        for a in Actual.objects.filter(
            indicator_id__in=indicator_ids, region_id__in=region_ids, year__in=years | {y - 1 for y in years}
        ).prefetch_related(Prefetch("versions", queryset=ActualVersion.objects.order_by("-number")))
    }
    targets = figure_targets((o.indicator_id, o.region_id, o.year) for o in obligations)
    return [
        SheetFigure(
            department=o.department, indicator=o.indicator, region=o.region, year=o.year,
            actual=actuals.get((o.indicator_id, o.region_id, o.year)),
            targets=targets[(o.indicator_id, o.region_id, o.year)],
            last_year=_approved(actuals.get((o.indicator_id, o.region_id, o.year - 1))),
            due_date=o.due_date, state=getattr(o, "state", ""),
        )
        for o in obligations
    ]


def _approved(actual: Actual | None) -> ActualVersion | None:
    if actual is None:
        return None
    return next((v for v in actual.versions.all() if v.status == Status.APPROVED), None)


# The upload: a file now, or a job for a large one

@dataclass(frozen=True)
class Upload:
    """What an upload gave: the import's result now, or the job that will produce it."""

    result: ImportResult | None = None
    job: UploadJob | None = None


def figures_upload(*, user, filename: str, data: bytes, language: str) -> Upload:
    """Read, check and store an uploaded figure sheet. A file above settings.UPLOAD_ASYNC_BYTES
    becomes a job for a Celery worker, which does the same; a smaller one is done now. Raises
    SpreadsheetError for a file that is not a figure sheet or holds more than
    settings.UPLOAD_MAX_ROWS rows."""
    _require_submitter(user)
    if len(data) > settings.UPLOAD_ASYNC_BYTES:
        return Upload(job=upload_job_create(user=user, filename=filename, data=data, language=language))
    rows = read_sheet(filename, data, max_rows=settings.UPLOAD_MAX_ROWS)
    return Upload(result=figures_import(user=user, rows=rows))


def upload_job_create(*, user, filename: str, data: bytes, language: str) -> UploadJob:
    """Record the job with its file and hand it to Celery once the row is committed."""
    job = UploadJob.objects.create(
        requested_by=user, filename=filename[:255], content=data, size=len(data), language=language, stage="queued"
    )
    transaction.on_commit(lambda: upload_job_dispatch(job.pk))
    return job


def upload_job_dispatch(job_id) -> bool:
    from trackers.tasks import figures_upload_job

    try:
        figures_upload_job.apply_async(args=[str(job_id)], retry=False)
    except Exception as error:  # kombu raises several kinds when the broker is down
        logger.warning("upload job %s not queued: %s", job_id, error)
        job = UploadJob.objects.filter(pk=job_id).first()
        if job is not None and job.state == UploadJob.State.PENDING:
            with translation.override(job.language):
                message = str(_("The file could not be queued. Upload it again later."))
            _job_update(job_id, state=UploadJob.State.FAILED, stage="failed", finished_at=timezone.now(),
                        error=message)
        return False
    return True


def upload_job_run(job_id) -> UploadJob | None:
    """Read, check and store the job's file for the user who uploaded it, whose permission is
    asked again now (it may have been withdrawn since). The figures and the job's outcome commit
    together, under a lock on the job: a finished job is left alone, so a redelivered task message
    does nothing twice, and an interrupted one stored nothing and runs again."""
    job = UploadJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.state in (UploadJob.State.DONE, UploadJob.State.FAILED):
        return job
    _job_update(job.pk, state=UploadJob.State.RUNNING, stage="reading", progress=5, started_at=timezone.now(),
                error="")
    with translation.override(job.language):
        try:
            _require_submitter(job.requested_by)
            rows = read_sheet(job.filename, bytes(job.content), max_rows=settings.UPLOAD_MAX_ROWS)
            upload_job_progress_set(job.pk, "storing", 40)
            with transaction.atomic():
                if UploadJob.objects.select_for_update().get(pk=job.pk).state != UploadJob.State.RUNNING:
                    return UploadJob.objects.get(pk=job.pk)  # another delivery of the task finished it
                result = figures_import(user=job.requested_by, rows=rows)
                _job_update(job.pk, state=UploadJob.State.DONE, stage="done", progress=100,
                            finished_at=timezone.now(), rows=len(rows), stored=result.stored, flagged=result.flagged,
                            skipped=result.skipped,
                            errors=[{"row": e.row, "column": e.column, "message": str(e.message)} for e in result.errors])
        except DatabaseError:
            raise  # the task retries: a restarting database is not the file's fault
        except (PermissionDenied, SpreadsheetError) as refused:
            return _job_failed(job, str(refused.args[0]))
        except Exception:
            logger.exception("upload job %s failed", job.pk)
            return _job_failed(job, str(_("The file could not be processed.")))
    job.refresh_from_db()
    return job


def upload_job_progress_set(job_id, stage: str, percent: int) -> None:
    """Written at once, outside the import's transaction, so the job page can poll it."""
    UploadJob.objects.filter(pk=job_id, state=UploadJob.State.RUNNING).update(stage=stage, progress=percent)


def _job_failed(job: UploadJob, message: str) -> UploadJob:
    _job_update(job.pk, state=UploadJob.State.FAILED, stage="failed", finished_at=timezone.now(), error=message)
    job.refresh_from_db()
    return job


def _job_update(job_id, **fields) -> None:
    """A finished job is never changed (the condition is checked again after any lock wait)."""
    UploadJob.objects.filter(pk=job_id, state__in=(UploadJob.State.PENDING, UploadJob.State.RUNNING)).update(**fields)


def _require_submitter(user) -> None:
    if not user.has_perm("trackers.submit_figures"):
        raise PermissionDenied(_("You may not submit figures."))


# The import

@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet program shows it; the header is row 1
    column: str
    message: str  # a lazy translation or a string already in the request's language


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    stored: int = 0
    flagged: int = 0
    skipped: int = 0  # rows left blank (no value, source or reason)
    flags: list[RowError] = field(default_factory=list)  # the stored rows flagged for the reviewer, and why
    _cells: set = field(default_factory=set, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, column: str, message) -> None:
        """One problem per cell, the first found: a later check of the same cell (the service
        refusing a department the file already failed to name) adds nothing."""
        if (row, column) not in self._cells:
            self._cells.add((row, column))
            self.errors.append(RowError(row, column, message))


FILLED_COLUMNS = ("value", "source", "correction_reason")  # a row with none of these is left blank
INVALID = object()  # a cell that holds something other than what the column wants
# The sheet's column for each input a refusal of services.actuals names.
_COLUMN_OF = {"department": "department_code", "indicator": "indicator_code"}


def figures_import(*, user, rows) -> ImportResult:
    """Check every row; store them all (submitted for review) only if none has a problem.

    The file's codes are looked up once; then services.actuals judges every figure by the rules of
    the web form and, if all pass, stores them in a few bulk writes (versions, history, lock
    versions): a bounded number of queries whatever the number of rows."""
    result = ImportResult()
    numbers, writes = _rows_read(rows, _Lookup(rows), result)
    if result.errors:  # the file has problems of its own: judge the rest too, store nothing
        refusals = figures_refusals(user=user, writes=writes)
    else:
        try:
            versions = figures_submit(user=user, writes=writes)
        except FiguresRefused as refused:
            refusals = refused.refusals
        else:
            refusals = {}
            result.stored, result.flagged = len(versions), sum(v.flagged for v in versions)
            result.flags = [RowError(row, "value", version.flag_reason)
                            for row, version in zip(numbers, versions) if version.flagged]
    for position, found in refusals.items():
        for refusal in found:
            _refusal_add(result, numbers[position], refusal)
    result.errors.sort(key=lambda e: (e.row, _column_order(e.column)))
    return result


def _rows_read(rows, lookup: _Lookup, result: ImportResult) -> tuple[list[int], list[FigureWrite]]:
    """The figures the rows name, with their row numbers; what cannot be read is noted in result."""
    numbers, writes, seen = [], [], {}
    for row in rows:
        if not any(_text(row.cells.get(column)) for column in FILLED_COLUMNS):
            result.skipped += 1
            continue
        write = _row_read(row, lookup, seen, result)
        if write is not None:
            numbers.append(row.number)
            writes.append(write)
    return numbers, writes


def _row_read(row, lookup: _Lookup, seen: dict, result: ImportResult) -> FigureWrite | None:
    def error(column, message):
        result.add(row.number, column, message)

    cells = row.cells
    department = lookup.department(_text(cells.get("department_code")), error)
    indicator = lookup.known(
        lookup.indicators, cells, "indicator_code", _("There is no indicator with the code %(code)s."), error
    )
    region = lookup.known(lookup.regions, cells, "region_code", _("There is no region with the code %(code)s."), error)
    lock_version = _whole_number(cells.get("lock_version"))
    if lock_version is INVALID:
        error("lock_version", _("Leave lock_version as it was in the downloaded template."))
    if indicator is None or region is None:
        return None
    year = _whole_number(cells.get("year"))
    figure = FigureInput(
        # A year that is not a whole number goes through as typed, for validation to name it.
        indicator=indicator, region=region, year=year if isinstance(year, int) else cells.get("year"),
        value=cells.get("value"), unit=_text(cells.get("unit")), source=_text(cells.get("source")),
        correction_reason=_text(cells.get("correction_reason")),
    )
    if isinstance(year, int) and _is_duplicate((indicator.pk, region.pk, year), row.number, seen, error):
        return None
    return FigureWrite(department, figure, None if lock_version is INVALID else lock_version)


def _is_duplicate(key, number: int, seen: dict, error) -> bool:
    if key in seen:
        error("indicator_code", _("The same figure is already in row %(row)s.") % {"row": seen[key]})
        return True
    seen[key] = number
    return False


def _refusal_add(result: ImportResult, number: int, refusal: Refusal) -> None:
    """A refusal of services.actuals as the row's problems, in the sheet's columns and words."""
    error = refusal.error
    if isinstance(error, InvalidInput):
        for problem in error.errors:  # FigureInput's fields are named as the columns
            result.add(number, problem.field, problem.message)
    elif isinstance(error, ConflictError):
        result.add(number, "lock_version", _(
            "This figure has changed since the template was downloaded (its lock version is now %(current)s). "
            "Download a fresh template.") % {"current": error.current_lock_version})
    else:  # PermissionDenied, WorkflowError: their message as raised
        result.add(number, _COLUMN_OF.get(refusal.field, refusal.field), error.args[0] if error.args else str(error))


class _Lookup:
    """The departments, indicators and regions the file names, fetched once per file."""

    def __init__(self, rows):
        self.departments = _by_code(Department, rows, "department_code")
        self.indicators = _by_code(Indicator, rows, "indicator_code")
        self.regions = _by_code(Region, rows, "region_code")

    def department(self, code: str, error) -> Department | None:
        department = self.departments.get(code)
        if not code:
            error("department_code", _("This column must not be empty."))
        elif department is None:
            error("department_code", _("There is no department with the code %(code)s.") % {"code": code})
        return department

    def known(self, table: dict, cells: dict, column: str, message, error):
        code = _text(cells.get(column))
        found = table.get(code)
        if not code:
            error(column, _("This column must not be empty."))
        elif found is None:
            error(column, message % {"code": code})
        return found


def _by_code(model, rows, column: str) -> dict:
    codes = {_text(row.cells.get(column)) for row in rows} - {""}
    return {obj.code: obj for obj in model.objects.filter(code__in=codes)}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code or unit typed as a number comes back from XLSX as 3.0
    return str(value).strip()


def _whole_number(value):
    """An int; None when the cell is blank; INVALID when it holds something else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return INVALID
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else INVALID
    text = str(value).strip()
    # 18 digits fit every integer column; int() of thousands of digits is refused by Python itself.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else INVALID


def _column_order(column: str) -> int:
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)
