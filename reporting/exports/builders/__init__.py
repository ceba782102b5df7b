"""Report files from report data: pure functions of (GapReport, Generation) and the active
language, no queries. `build` picks the builder for a format."""
from __future__ import annotations

from collections.abc import Callable

from ..report import GapReport, Generation
from . import csv_file, pdf_file, xlsx_file

BUILDERS = {"csv": csv_file.build, "xlsx": xlsx_file.build, "pdf": pdf_file.build}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# How often each builder calls its progress callback: CSV/XLSX once per table; PDF after the
# layout and after writing.
STEPS = {"csv": 5, "xlsx": 5, "pdf": 2}


def build(fmt: str, report: GapReport, generation: Generation, progress: Callable[[], None] | None = None) -> bytes:
    return BUILDERS[fmt](report, generation, progress)
