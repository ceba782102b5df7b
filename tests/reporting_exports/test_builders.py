"""The builders alone, on hand-made report data: every formula prefix (= + - @ tab CR) is
escaped in CSV and XLSX text cells while numbers stay numbers; the checksum ignores how and by
whom the report was made, and changes with any figure."""
import csv
import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from reporting.exports import builders
from reporting.exports.builders.pdf_file import fonts_only_fetcher
from reporting.exports.builders.xlsx_file import unit_format
from reporting.exports.report import GapReport, Generation, Scope
from tests.reporting_exports.helpers import pdf_text, workbook_of

PREFIXED = ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"]


def hand_made_report(**changes) -> GapReport:
    milestones = [
        {"plan_code": "p", "plan": "规划", "region": "深圳市", "title": title, "clause": "条款",
         "deadline": dt.date(2025, 12, 31), "state": "pending", "completed_on": None}
        for title in PREFIXED
    ]
    target = {
        "plan_code": "p", "plan": "规划", "target_key": "k", "indicator_code": "i", "indicator": "指标",
        "region_code": "shenzhen", "region": "深圳市", "lead": "", "cooperating": "", "clause": "=HYPERLINK()",
        "comparator": "gte", "basis": "level", "aspirational": False, "kind": "flow", "unit": "亿元",
        "target_text": "1200亿元", "target_year": 2025, "target_value": Decimal("1200"),
        "baseline_text": "676亿元", "baseline_year": 2021, "baseline_value": Decimal("676"), "baseline_qualifier": "",
        "latest_year": 2024, "latest_value": Decimal("1300"), "figure_version": 1, "figure_department": "部门",
        "figure_source": "-2+3", "submitted_by": "a", "submitted_at": timezone.now(), "approved_by": "b",
        "approved_at": timezone.now(), "progress": Decimal("1.19083969"), "gap": Decimal("-100"),
        "required_growth": Decimal("0"), "years_left": 1, "status": "achieved", "reason": "target met in 2024",
        "reason_zh": "2024年已达到目标", "method_version": "cn-plan-progress/1.0.0",
    }
    report = GapReport(
        scope=Scope("all"), scope_name="", as_of=dt.date(2025, 6, 30), method_versions=("cn-plan-progress/1.0.0",),
        targets=[target], milestones=milestones, data_gaps=[], history=[],
        summary={"targets": 1, "targets_by_status": {"achieved": 1}, "milestones": len(milestones),
                 "milestones_by_state": {"pending": len(milestones)}, "data_gaps": 0},
    )
    return dataclasses.replace(report, **changes)


def generation(report, who="auditor") -> Generation:
    return Generation(who, timezone.now(), "cn-plan-progress/1.0.0", report.checksum(), provisional=False)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_formula_prefix_is_escaped_and_numbers_are_not(fmt):
    report = hand_made_report()
    with translation.override("en"):
        content = builders.build(fmt, report, generation(report))
    if fmt == "csv":
        cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")) for cell in row]
        assert "-100" in cells  # the gap, a number
    else:
        workbook = workbook_of(content)
        cells = [c.value for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row
                 if isinstance(c.value, str)]
        assert not any(c.data_type == "f" for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row)
        assert -100 in [c.value for row in workbook["Targets"].iter_rows(min_row=2) for c in row]  # the gap
    for text in PREFIXED + ["=HYPERLINK()", "-2+3"]:
        assert "'" + text in cells, repr(text)
        assert text not in cells, repr(text)


def test_checksum_ignores_the_making_and_follows_the_figures():
    report = hand_made_report()
    assert generation(report, "a").checksum == generation(report, "b").checksum
    changed = hand_made_report(targets=[{**report.targets[0], "latest_value": Decimal("1300.5")}])
    assert changed.checksum() != report.checksum()
    # 1300 and 1300.000000 are the same figure (PostgreSQL and SQLite return either).
    padded = hand_made_report(targets=[{**report.targets[0], "latest_value": Decimal("1300.000000")}])
    assert padded.checksum() == report.checksum()


@pytest.mark.parametrize("unit, expected", [
    ("亿元", '#,##0.00" 亿元"'), ("家", '#,##0" 家"'), ("%", '0.00"%"'), ("", "#,##0.00"),
])
def test_number_formats_carry_the_unit(unit, expected):
    assert unit_format(unit) == expected


def test_pdf_rendering_fetches_the_fonts_and_nothing_else():
    fetcher = fonts_only_fetcher({"file:///usr/share/fonts/x.ttc"})
    for url in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "https://cdn.example.org/a.css"):
        with pytest.raises(ValueError):
            fetcher(url)


def test_markup_in_the_data_is_text_in_the_pdf():
    report = hand_made_report()
    report.milestones[0]["title"] = '<img src="file:///etc/passwd">里程碑'
    with translation.override("zh-hans"):
        text = pdf_text(builders.build("pdf", report, generation(report)))
    assert '<img src="file:///etc/passwd">里程碑' in text


def test_a_table_longer_than_a_sheet_continues_on_the_next(monkeypatch):
    """Excel holds 1,048,576 rows a sheet; past that the table goes on in "<title> (2)", header and all."""
    from reporting.exports.builders import xlsx_file

    monkeypatch.setattr(xlsx_file, "MAX_SHEET_ROWS", 2)
    report = hand_made_report()  # six milestones
    with translation.override("en"):
        book = workbook_of(builders.build("xlsx", report, generation(report)))
    sheets = [name for name in book.sheetnames if name.startswith("Milestones")]
    assert sheets == ["Milestones", "Milestones (2)", "Milestones (3)"]
    rows = [row for name in sheets for row in list(book[name].iter_rows(values_only=True))[1:]]
    assert [row[2] for row in rows] == ["'" + title for title in PREFIXED]  # every row once, escaped, in order
    assert all(book[name]["A1"].value == "Plan" for name in sheets)
