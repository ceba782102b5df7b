"""The report as one CSV file: UTF-8 with a BOM (so Excel reads the Chinese), one block per table.

A CSV holds a single grid, so each table follows the previous one after an empty line, headed
by a row with its title in brackets; the first block says what the report is and its checksum.
Text that a spreadsheet program would run as a formula is quoted (trackers.spreadsheets);
numbers are left alone, so a negative gap stays a number.
"""
from __future__ import annotations

import csv
import io

from django.utils.translation import gettext

from trackers.spreadsheets import escape_cell

from ..report import GapReport, Generation
from .tables import NUMERIC_KINDS, Column, about_rows, display, heading, tables


def build(report: GapReport, generation: Generation, progress=None) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    _title(writer, gettext("About this report"))
    for label, value in about_rows(report, generation):
        writer.writerow([escape_cell(label), escape_cell(value)])
    for table in tables(report):
        writer.writerow([])
        _title(writer, table.title)
        writer.writerow([escape_cell(heading(column)) for column in table.columns])
        for row in table.rows:
            writer.writerow([_cell(column, row.get(column.key)) for column in table.columns])
        if progress:
            progress()
    return out.getvalue().encode("utf-8-sig")


def _title(writer, title: str) -> None:
    writer.writerow([f"[{title}]"])


def _cell(column: Column, value) -> str:
    text = display(column, value)
    return text if column.kind in NUMERIC_KINDS else escape_cell(text)
