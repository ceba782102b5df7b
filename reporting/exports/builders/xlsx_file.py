"""The report as an Excel workbook (openpyxl): one sheet per table, then "About this report".

Numbers are real numbers, shown in their unit by the cell's number format (1,200.00 亿元), with
percentages as percentages; each sheet's header row is frozen and filterable; status cells are
coloured by conditional-formatting rules keyed on the status code column, next to the status
text, so the colours survive sorting and filtering. Text that a spreadsheet program would run as
a formula is quoted (trackers.spreadsheets).
"""
from __future__ import annotations

import io
import re

from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from trackers.quantities import COUNT_UNITS, PERCENT_UNITS
from trackers.spreadsheets import escape_cell

from ..report import GapReport, Generation
from .tables import Column, Table, about_rows, display, tables

# The site's status colours (static/css/site.css), for target statuses and milestone states alike.
STATUS_FILLS = {
    "achieved": "DAFBE1", "on_track": "DDF4FF", "at_risk": "FFF8C5", "off_track": "FFEBE9",
    "overdue": "FFEBE9", "no_data": "EAEEF2",
    "done": "DAFBE1", "done_late": "FFF8C5", "pending": "DDF4FF", "unknown": "EAEEF2",
}
HEADER_FILL = PatternFill("solid", fgColor="12355B")
HEADER_FONT = Font(bold=True, color="FFFFFF")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0.0%"
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


# Excel's limit is 1,048,576 rows a sheet: a longer table continues on "<title> (2)", ...
MAX_SHEET_ROWS = 1_048_575


def build(report: GapReport, generation: Generation, progress=None) -> bytes:
    """Written in openpyxl's write-only mode: rows go to disk as they come, so a national report's
    hundreds of thousands of rows never sit in memory as cell objects."""
    workbook = Workbook(write_only=True)
    for table in tables(report):
        _table_sheets(workbook, table)
        if progress:
            progress()
    _about_sheet(workbook.create_sheet(_sheet_title(gettext("About this report"))), report, generation)
    workbook.properties.title = gettext("Gap report")
    workbook.properties.creator = generation.generated_by
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _table_sheets(workbook, table: Table) -> None:
    """The table's sheet (or sheets, past Excel's row limit): header first, formats per cell."""
    total, number, sheet = len(table.rows), 0, None
    for index, row in enumerate(table.rows):
        if index % MAX_SHEET_ROWS == 0:
            number += 1
            sheet = _new_sheet(workbook, table, number, min(MAX_SHEET_ROWS, total - index))
        sheet.append([_cell(sheet, column, row) for column in table.columns])
    if sheet is None:
        _new_sheet(workbook, table, 1, 0)


def _new_sheet(workbook, table: Table, number: int, rows: int):
    title = table.title if number == 1 else f"{table.title} ({number})"
    sheet = workbook.create_sheet(_sheet_title(title))
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{rows + 1}"
    _status_colours(sheet, table, rows)
    sheet.append([_header_cell(sheet, column) for column in table.columns])
    return sheet


def _header_cell(sheet, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, str(column.label))
    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _cell(sheet, column: Column, row: dict):
    """A cell's value: numbers and dates as such (so they sort and sum), shown in their unit or as a
    percentage; text quoted if a spreadsheet program would run it as a formula."""
    value = _value(column, row.get(column.key))
    if value is None or column.kind not in ("number", "percent", "date", "datetime"):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.number_format = _number_format(column, row)
    return cell


def _value(column: Column, value):
    if value is None or value == "":
        return None
    if column.kind in ("number", "int", "percent", "date"):
        return value
    if column.kind == "datetime":
        # Excel has no time zones: the local (Asia/Shanghai) wall-clock time, as the pages show.
        return timezone.localtime(value).replace(tzinfo=None)
    return escape_cell(display(column, value))


def _number_format(column: Column, row: dict) -> str:
    if column.kind == "percent":
        return PERCENT_FORMAT
    if column.kind == "date":
        return DATE_FORMAT
    if column.kind == "datetime":
        return DATETIME_FORMAT
    if column.key == "gap":
        return gap_format(row.get("unit") or "")
    return unit_format(row.get("unit") or "")


def gap_format(unit: str) -> str:
    """The gap stays a signed number (it sorts and sums) but reads as the pages write it: a negative
    gap shows as '超出 395.00 亿元' (exceeded by), never as '-395'. Excel's sections: positive;negative;zero."""
    positive = unit_format(unit)
    before, _, after = gettext("exceeded by %(quantity)s").replace('"', "").partition("%(quantity)s")
    negative = (f'"{before}"' if before else "") + positive + (f'"{after}"' if after else "")
    return f"{positive};{negative};{positive}"


def unit_format(unit: str) -> str:
    """Excel number format showing a value in its unit: '#,##0.00" 亿元"', '0.00"%"', '#,##0" 家"'."""
    if unit in PERCENT_UNITS:
        return '0.00"%"'  # the figure is already in percent: a literal sign, not Excel's ×100
    pattern = "#,##0" if unit in COUNT_UNITS else "#,##0.00"
    label = unit.replace('"', "")
    return f'{pattern}" {label}"' if label else pattern


def _status_colours(sheet, table: Table, rows: int) -> None:
    """One rule per status, keyed on the status code column, colouring the code and its label."""
    codes = [i for i, column in enumerate(table.columns, start=1) if column.status_code]
    if not codes or not rows:
        return
    code_letter = get_column_letter(codes[0])
    key = table.columns[codes[0] - 1].key
    coloured = [i for i, column in enumerate(table.columns, start=1) if column.key == key or column.status_code]
    last = rows + 1
    cells = " ".join(f"{get_column_letter(i)}2:{get_column_letter(i)}{last}" for i in sorted(set(coloured)))
    for status, colour in STATUS_FILLS.items():
        fill = PatternFill("solid", fgColor=colour, bgColor=colour)
        sheet.conditional_formatting.add(
            cells, FormulaRule(formula=[f'${code_letter}2="{status}"'], fill=fill, stopIfTrue=True)
        )


def _about_sheet(sheet, report: GapReport, generation: Generation) -> None:
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 100
    for label, value in about_rows(report, generation):
        label_cell, value_cell = WriteOnlyCell(sheet, escape_cell(label)), WriteOnlyCell(sheet, escape_cell(value))
        label_cell.font = Font(bold=True)
        label_cell.alignment = value_cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append([label_cell, value_cell])


def _sheet_title(title: str) -> str:
    return SHEET_TITLE_FORBIDDEN.sub(" ", str(title))[:31]

