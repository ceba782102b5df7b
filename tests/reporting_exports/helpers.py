"""Helpers for the gap report tests: report figures through the workflow, open the files."""
import io

from openpyxl import load_workbook
from pypdf import PdfReader

from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure


def report_figure(target, people, year, value, *, approve=True, **extra):
    """Submit (and approve) a figure for the target's indicator and region, as the workflow does."""
    submitter, department, reviewer = people
    source = extra.pop("source", "统计公报")
    figure = FigureInput(target.indicator, target.region, year, value, "亿元", source, **extra)
    actual = target.indicator.actuals.filter(region=target.region, year=year).first()
    lock = actual.lock_version if actual else None
    version = actual_submit_figure(user=submitter, department=department, figure=figure, expected_lock_version=lock)
    if approve:
        version = actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    return version


def workbook_of(content: bytes):
    return load_workbook(io.BytesIO(content))


def sheet_rows(sheet) -> list[dict]:
    """A table sheet as dicts keyed by its header row."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def about(workbook) -> dict:
    return {label: value for label, value in workbook.worksheets[-1].iter_rows(values_only=True)}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
