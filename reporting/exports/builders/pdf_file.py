"""The report as a PDF (WeasyPrint), for signing: Chinese set in Noto Sans CJK, embedded.

The font comes from the file Debian's fonts-noto-cjk installs, named in an @font-face rule, so
the PDF does not depend on what fontconfig happens to pick; WeasyPrint embeds the subset used.
The text is marked lang="zh-Hans" so the collection's Simplified Chinese glyph forms are used.
Nothing but those font files may be fetched while rendering.
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext

from ..report import GapReport, Generation
from .tables import (
    LATEST_KIND_LABELS,
    NUMERIC_KINDS,
    ORIGIN_LABELS,
    Column,
    about_rows,
    display_for_people,
    heading,
    tables,
)

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_REGULAR = FONT_DIR / "NotoSansCJK-Regular.ttc"
FONT_BOLD = FONT_DIR / "NotoSansCJK-Bold.ttc"
TEMPLATE = "reporting/exports/gap_report_pdf.html"

# The columns a landscape A4 page can hold; the spreadsheets carry every column.
PDF_COLUMNS = {
    "targets": ["plan", "indicator", "region", "target_text", "target_year", "baseline_text", "baseline_year",
                "latest_value", "latest_year", "submitted_by", "submitted_at", "approved_by", "approved_at",
                "progress", "expected_value", "gap", "required_growth", "status", "reason"],
    "milestones": ["plan", "region", "title", "deadline", "state", "completed_on"],
    "data_gaps": ["department", "indicator", "region", "year", "due_date", "days_overdue", "figure_state"],
    "summary": ["group", "item", "count"],
    "history": ["indicator", "region", "year", "version", "when", "who", "change", "status", "value", "origin",
                "department", "source", "return_reason", "correction_reason", "counted"],
    "sources": ["indicator", "region", "year", "value_text", "scope", "standing", "counted", "publisher",
                "published_on", "title", "url", "sentence"],
}
# Relative column widths on paper where the spreadsheet's differ (a 3-character region, a status).
PDF_WIDTHS = {"region": 13, "status": 14, "state": 16, "latest_value": 18, "target_year": 9, "baseline_year": 9,
              "latest_year": 9, "year": 7, "version": 6, "plan": 18, "row_ref": 6, "target_text": 16,
              "reason_zh": 28, "reason": 28, "expected_value": 15, "origin": 8}
# Each row's reference, printed first, so an auditor can cite "T12" (the 12th target row).
ROW_PREFIXES = {"targets": "T", "milestones": "M", "data_gaps": "G", "history": "H", "sources": "S"}
# The cell coloured by status, and the row field holding the status code.
STATUS_CELLS = {"targets": ("status", "status"), "milestones": ("state", "state"), "summary": ("item", "code")}


def fonts_only_fetcher(allowed: set[str]):
    """A WeasyPrint URL fetcher for the report's font files and nothing else (no network, no
    other local file)."""
    from weasyprint.urls import URLFetcher  # imported here: WeasyPrint is slow to import

    class FontsOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"not fetched while rendering a report: {url}")
            return super().fetch(url, headers)

    return FontsOnlyFetcher(allowed_protocols=["file"])


def build(report: GapReport, generation: Generation, progress=None) -> bytes:
    fonts = font_files()
    html = render_to_string(TEMPLATE, {
        "about": about_rows(report, generation),
        "title": gettext("Gap report"),
        "generation": generation,
        "report": report,
        "tables": [_pdf_table(table) for table in tables(report)],
        "font_regular": fonts["regular"].as_uri(),
        "font_bold": fonts["bold"].as_uri(),
        "language": get_language() or settings.LANGUAGE_CODE,
    })
    from weasyprint import HTML

    fetcher = fonts_only_fetcher({path.as_uri() for path in fonts.values()})
    document = HTML(string=html, url_fetcher=fetcher).render()  # the layout: most of the time
    if progress:
        progress()
    pdf = document.write_pdf()
    if progress:
        progress()
    return pdf


def font_files() -> dict[str, Path]:
    """The CJK font files; a missing one is a deployment error, never a PDF full of empty boxes."""
    regular = Path(getattr(settings, "REPORT_PDF_FONT", FONT_REGULAR))
    bold = Path(getattr(settings, "REPORT_PDF_FONT_BOLD", FONT_BOLD))
    if not regular.is_file():
        raise ImproperlyConfigured(f"PDF reports need a CJK font at {regular} (Debian: apt install fonts-noto-cjk)")
    return {"regular": regular, "bold": bold if bold.is_file() else regular}


def _pdf_table(table) -> dict:
    columns = [_column(table, key) for key in PDF_COLUMNS[table.name]]
    prefix = ROW_PREFIXES.get(table.name)
    headings = [{"text": heading(column, for_people=True), "key": column.key} for column in columns]
    rows = [_pdf_row(columns, row, STATUS_CELLS.get(table.name)) for row in table.rows]
    if prefix:
        headings.insert(0, {"text": "#", "key": "row_ref"})
        rows = [[{"text": f"{prefix}{number}", "classes": "ref"}, *cells] for number, cells in enumerate(rows, 1)]
    return {
        "name": table.name,
        "title": table.title,
        "headings": headings,
        # Fixed widths (table-layout: fixed): auto layout measures every cell twice, and was
        # most of the rendering time of a long history table.
        "widths": _widths(columns, with_ref=bool(prefix)),
        "rows": rows,
    }


def _widths(columns: list[Column], with_ref: bool) -> list[float]:
    """Percentages of the page width."""
    widths = [PDF_WIDTHS["row_ref"]] * with_ref + [PDF_WIDTHS.get(column.key, column.width) for column in columns]
    return [round(100 * width / sum(widths), 2) for width in widths]


def _column(table, key: str) -> Column:
    if key == "reason":  # one reason column, in the reader's language
        key = "reason_zh" if (get_language() or "").startswith("zh") else "reason"
    return next(column for column in table.columns if column.key == key and not column.status_code)


def _pdf_row(columns: list[Column], row: dict, status_cell: tuple[str, str] | None) -> list[dict]:
    cells = []
    for column in columns:
        text = display_for_people(column, row.get(column.key), row.get("unit") or "")
        if column.key == "latest_value" and row.get("latest_kind") == "cumulative":
            text = f"{LATEST_KIND_LABELS['cumulative']} {text}"  # a running total, said so on paper
        if column.key == "latest_value" and text and row.get("figure_origin") not in (None, "", "submitted"):
            text = f"{text}（{ORIGIN_LABELS[row['figure_origin']]}）"  # a published or demo figure, said so
        classes = ["num"] if column.kind in NUMERIC_KINDS else []
        if status_cell and column.key == status_cell[0] and row.get(status_cell[1]):
            classes.append(f"status-{row[status_cell[1]]}")
        cells.append({"text": text, "classes": " ".join(classes)})
    return cells
