"""The figure sheet as a file: CSV or XLSX cells in, cells out, nothing else.

No models and no rules here; trackers.services.imports decides what the cells mean. Files are
read as data only (no formulas evaluated, no links followed), and text cells that a spreadsheet
program would run as a formula are escaped when we write them (OWASP "CSV injection").
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from kpis.core.missing import is_missing

COLUMNS = (
    "department_code", "indicator_code", "indicator_name", "region_code", "region_name", "year",
    "unit", "value", "source", "correction_reason", "lock_version", "last_year_value", "target",
)
REQUIRED_COLUMNS = ("department_code", "indicator_code", "region_code", "year", "value", "source")
CONTEXT_COLUMNS = ("indicator_name", "region_name", "last_year_value", "target")  # shown, never read

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
KINDS = {".csv": "csv", ".xlsx": "xlsx"}
XLSX_MAGIC = b"PK\x03\x04"
# A spreadsheet's XML compresses about tenfold; far more than that is a zip bomb, not a sheet.
MAX_UNCOMPRESSED_RATIO = 30

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class SpreadsheetError(ValueError):
    """The file cannot be read as a figure sheet; the message says why, for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SheetRow:
    number: int  # the row number a spreadsheet program shows; the header is row 1
    cells: dict  # column name -> value: str, int, float or None


def sheet_kind(filename: str) -> str | None:
    """'csv', 'xlsx' or None, from the file name's extension."""
    name = (filename or "").lower()
    return next((kind for ext, kind in KINDS.items() if name.endswith(ext)), None)


def plain_number(value) -> str:
    """12.500000 -> '12.5', 100.000000 -> '100': how a person writes the stored decimal."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


# Reading

def read_sheet(filename: str, data: bytes, max_rows: int | None = None) -> list[SheetRow]:
    """The non-empty data rows of the first sheet, keyed by the header row's column names. A file
    with more than `max_rows` data rows is refused as soon as the row after the limit is read."""
    kind = sheet_kind(filename)
    if kind == "csv":
        try:
            return _rows(_csv_table(data), max_rows)
        except csv.Error as damaged:
            raise SpreadsheetError(_("The CSV file cannot be read. Save it again as 'CSV UTF-8' and upload it.")) from damaged
    if kind == "xlsx":
        return _xlsx_rows(data, max_rows)
    raise SpreadsheetError(_("Upload a .csv or .xlsx file."))


def _csv_table(data: bytes):
    if data.startswith(XLSX_MAGIC) or b"\x00" in data[:4096]:
        raise SpreadsheetError(_("This is not a CSV text file. Upload a .csv or .xlsx file."))
    try:
        text = data.decode("utf-8-sig")  # Excel writes a BOM; other programs do not
    except UnicodeDecodeError as undecodable:
        raise SpreadsheetError(
            _("The CSV file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.")
        ) from undecodable
    if "\x00" in text:  # beyond the first 4 KB: text otherwise, but no cell can hold it
        raise SpreadsheetError(
            _("Line %(line)s of the CSV file contains a NUL character, which no cell may hold. Save the sheet "
              "again as 'CSV UTF-8' and upload it.") % {"line": text.count("\n", 0, text.index("\x00")) + 1}
        )
    return csv.reader(io.StringIO(text, newline=""))


def _xlsx_rows(data: bytes, max_rows: int | None) -> list[SheetRow]:
    if not data.startswith(XLSX_MAGIC):
        raise SpreadsheetError(_("This is not an XLSX workbook. Upload a .csv or .xlsx file."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNCOMPRESSED_RATIO * max(len(data), 1024 * 1024):
            raise SpreadsheetError(_("This workbook unpacks to far more data than a figure sheet holds."))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # files from other programs may state wrong dimensions
            return _rows(sheet.iter_rows(values_only=True), max_rows)
        finally:
            workbook.close()
    except SpreadsheetError:
        raise
    except Exception as damaged:  # openpyxl and zipfile raise many kinds for a damaged file
        raise SpreadsheetError(_("The workbook cannot be read. Save it again as .xlsx and upload it.")) from damaged


def _rows(table, max_rows: int | None) -> list[SheetRow]:
    table = iter(table)
    first = next(table, None)
    if first is None or not any(_present(cell) for cell in first):
        raise SpreadsheetError(_("The file is empty: the first row must name the columns."))
    header = [str(cell or "").strip().lower() for cell in first]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise SpreadsheetError(
            _("The first row lacks the column(s) %(columns)s. Start from the downloaded template.")
            % {"columns": ", ".join(missing)}
        )
    rows = []
    for number, values in enumerate(table, start=2):
        if not any(_present(value) for value in values):
            continue
        if max_rows is not None and len(rows) >= max_rows:
            raise SpreadsheetError(
                _("The file holds more than %(limit)s rows of figures. Split it into files of at most %(limit)s rows.")
                % {"limit": max_rows}
            )
        cells = {name: _read_cell(value) for name, value in zip(header, values) if name}
        rows.append(SheetRow(number=number, cells=cells))
    return rows


def _present(value) -> bool:
    return value is not None and str(value).strip() != ""


def _read_cell(value):
    """Text comes back stripped and without the quote we put before formula characters."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


# Writing

def escape_cell(value):
    """Quote text a spreadsheet program would run as a formula. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese names correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(escape_cell(row.get(column))) for column in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def table_csv(columns: list[tuple[str, str]], rows: list[dict]) -> bytes:
    """Any table as CSV: UTF-8 with a BOM, a header of labels, formula-like text escaped."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([str(label) for _key, label in columns])
    for row in rows:
        writer.writerow([_csv_cell(escape_cell(_plain(row.get(key)))) for key, _label in columns])
    return out.getvalue().encode("utf-8-sig")


def stream_csv(columns: list[tuple[str, str]], rows):
    """table_csv for rows that arrive one by one: yields the file in pieces (BOM first), so a large
    table is written while it is read."""
    yield "\ufeff".encode()
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([str(label) for _key, label in columns])
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(escape_cell(_plain(row.get(key)))) for key, _label in columns])
        if number % 1000 == 0:
            yield _drain(out)
    yield _drain(out)


def _drain(out: io.StringIO) -> bytes:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text.encode("utf-8")


def _plain(value):
    """pandas gives NaN and numpy scalars; a CSV cell wants text or nothing."""
    if is_missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_number(value)
    return str(value)


def write_xlsx(rows: list[dict], title: str = "figures") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_xlsx_cell(escape_cell(row.get(column))) for column in COLUMNS])
    _style(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(value):
    if isinstance(value, Decimal):
        return Decimal(plain_number(value))
    return value


def _style(sheet) -> None:
    """Bold header, frozen; the context columns greyed so nobody fills them in."""
    grey = PatternFill("solid", fgColor="EAEEF2")
    for index, column in enumerate(COLUMNS, start=1):
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        letter = header.column_letter
        sheet.column_dimensions[letter].width = 28 if column in ("indicator_name", "source", "target") else 16
        if column in CONTEXT_COLUMNS:
            for (cell,) in sheet.iter_rows(min_row=1, min_col=index, max_col=index):
                cell.fill = grey
    sheet.freeze_panes = "A2"
