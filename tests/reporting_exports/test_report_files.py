"""What the files say: Shenzhen's 1200亿元 target against its 676亿元 baseline and a figure
approved through the workflow, in XLSX (read back with openpyxl), PDF (text extracted with pypdf)
and CSV; formula injection; the same data and checksum in every format and language."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from reporting.exports.report import Scope
from reporting.exports.services import ReportRequest, gap_report_export
from reporting.models import ExportLog
from tests.conftest import SHENZHEN_PLAN
from tests.reporting_exports.helpers import about, pdf_text, report_figure, sheet_rows, workbook_of

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2024, 6, 30)
STATUS_FILL_RULES = {"achieved", "on_track", "at_risk", "off_track", "overdue", "no_data"}


@pytest.fixture
def approved_800(revenue_target, people, clock):
    """2023 revenue 800亿元, submitted and approved in March 2024; the report is made in July."""
    clock.set(2024, 3, 15, 10, 0)
    version = report_figure(revenue_target, people, 2023, "800")
    clock.set(2024, 7, 1, 9, 0)
    return version


def export(user, fmt, *, as_of=AS_OF, language="zh-hans", scope=Scope("plan", SHENZHEN_PLAN)):
    return gap_report_export(user=user, request=ReportRequest(scope, as_of, fmt, language, "web"))


def revenue_row(rows):
    return next(row for row in rows if row["目标（按原文）"] == "1200亿元")


def test_xlsx_states_target_baseline_figure_and_status(approved_800, auditor):
    result = export(auditor, "xlsx")
    workbook = workbook_of(result.file.content)

    assert workbook.sheetnames == ["目标", "里程碑", "数据缺口", "汇总", "填报历史", "公开来源", "报告信息"]
    targets = workbook["目标"]
    row = revenue_row(sheet_rows(targets))
    assert row["目标值"] == 1200 and row["基期值"] == 676 and row["基期（按原文）"] == "676亿元"
    assert row["目标年份"] == 2025 and row["基期年份"] == 2021
    assert row["最新审定值"] == 800 and row["最新年份"] == 2023 and row["单位"] == "亿元"
    assert row["提交人"] == "sz-submitter" and row["审定人"] == "sz-reviewer"
    assert row["审定时间"].replace(microsecond=0) == dt.datetime(2024, 3, 15, 10, 0)  # local wall-clock time
    assert Decimal(str(row["进度"])) == Decimal("0.23664122")  # (800-676)/(1200-676)
    assert row["差距"] == 400
    assert Decimal(str(row["所需年均增速"])) == Decimal("0.22474487")  # (1200/800)^(1/2) - 1
    assert row["状态"] == "进度滞后" and row["状态代码"] == "off_track"
    assert row["原因（中文）"].startswith("低于预期进度")


def test_xlsx_formats_freezes_and_colours(approved_800, auditor):
    targets = workbook_of(export(auditor, "xlsx").file.content)["目标"]
    header = [cell.value for cell in targets[1]]
    revenue = next(r for r in targets.iter_rows(min_row=2) if r[header.index("目标（按原文）")].value == "1200亿元")

    assert targets.freeze_panes == "A2"
    assert revenue[header.index("目标值")].number_format == '#,##0.00" 亿元"'
    assert revenue[header.index("进度")].number_format == "0.0%"
    status_rules = {}
    for formatting in targets.conditional_formatting:
        for rule in formatting.rules:
            status_rules[rule.formula[0].split('"')[1]] = (str(formatting.sqref), rule.dxf.fill.fgColor.rgb)
    assert set(status_rules) >= STATUS_FILL_RULES
    code_column = targets.cell(row=1, column=header.index("状态代码") + 1).column_letter
    sqref, colour = status_rules["off_track"]
    assert f"{code_column}2:" in sqref and colour.endswith("FFEBE9")


def test_xlsx_history_and_about_sheets(approved_800, auditor):
    result = export(auditor, "xlsx")
    workbook = workbook_of(result.file.content)

    history = sheet_rows(workbook["填报历史"])
    assert [(r["状态"], r["操作人"]) for r in history] == [
        ("草稿", "sz-submitter"), ("已提交", "sz-submitter"), ("已审核通过", "sz-reviewer")]
    assert all(r["数值"] == 800 and r["计入截至日"] == "是" for r in history)
    info = about(workbook)
    assert info["截至日期"] == "2024-06-30"
    assert info["范围"] == "规划: 深圳市大健康产业集群行动计划 (shenzhen-health-2022-2025)"
    assert info["快照方法版本"] == "cn-plan-progress/1.0.0"
    assert info["生成人"] == "auditor-li"
    assert info["生成时间"].startswith("2024-07-01 09:00")
    assert info["数据校验和（SHA-256）"] == result.file.checksum == result.log.checksum


def test_pdf_renders_chinese_that_extracts_back(approved_800, auditor):
    result = export(auditor, "pdf")
    text = pdf_text(result.file.content)

    for expected in ("深圳市大健康产业集群行动计划", "大健康产业营业收入", "1200亿元", "676亿元", "800 亿元",
                     "进度滞后", "低于预期进度", "sz-reviewer", "2024-06-30", result.file.checksum):
        assert expected in text, expected
    fonts = _fonts(PdfReader(io.BytesIO(result.file.content)))
    assert fonts and all(embedded for _name, embedded in fonts)  # embedded, not left to the reader
    assert all("+Report-CJK" in name for name, _embedded in fonts)  # our @font-face, subset; no fallback font


def _fonts(reader):
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found


def test_csv_is_utf8_with_bom_and_holds_every_table(approved_800, auditor):
    content = export(auditor, "csv").file.content

    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    titles = [row[0] for row in rows if row and row[0].startswith("[")]
    assert titles == ["[报告信息]", "[目标]", "[里程碑]", "[数据缺口]", "[汇总]", "[填报历史]", "[公开来源]"]
    header = rows[rows.index(["[目标]"]) + 1]
    revenue = next(dict(zip(header, row)) for row in rows if "1200亿元" in row)
    assert revenue["目标值"] == "1200" and revenue["基期值"] == "676" and revenue["最新审定值"] == "800"
    assert revenue["进度 (%)"] == "23.66" and revenue["状态"] == "进度滞后"


def test_spreadsheet_cells_that_look_like_formulas_are_escaped(revenue_target, people, clock, auditor):
    clock.set(2024, 3, 15, 10, 0)
    first = report_figure(revenue_target, people, 2023, "800", source='=HYPERLINK("http://evil","x")')
    clock.set(2024, 4, 2, 9, 0)
    report_figure(revenue_target, people, 2023, "1300", source="-2+3", correction_reason="@SUM(A1) 统计局修订")
    clock.set(2024, 7, 1, 9, 0)
    assert first.actual.versions.count() == 2

    workbook = workbook_of(export(auditor, "xlsx").file.content)
    history = workbook["填报历史"]
    texts = [cell for row in history.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    assert not any(cell.data_type == "f" for row in history.iter_rows() for cell in row)
    assert any(cell.value == "'=HYPERLINK(\"http://evil\",\"x\")" for cell in texts)
    assert any(cell.value == "'-2+3" for cell in texts)
    assert any(cell.value == "'@SUM(A1) 统计局修订" for cell in texts)
    revenue = revenue_row(sheet_rows(workbook["目标"]))
    assert revenue["差距"] == -100 and revenue["状态代码"] == "achieved"  # a negative number stays a number

    rows = list(csv.reader(io.StringIO(export(auditor, "csv").file.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells and "'-2+3" in cells
    assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in cells)
    assert "-100" in cells  # the gap: a number, not escaped


def test_same_data_same_checksum_in_every_format_and_language(approved_800, auditor):
    checksums = {export(auditor, fmt, language=lang).file.checksum
                 for fmt in ("csv", "xlsx", "pdf") for lang in ("zh-hans", "en")}
    assert len(checksums) == 1
    english = workbook_of(export(auditor, "xlsx", language="en").file.content)
    assert english.sheetnames[0] == "Targets"
    assert revenue_english(sheet_rows(english["Targets"]))["Status"] == "off track"
    assert ExportLog.objects.count() == 7


def revenue_english(rows):
    return next(row for row in rows if row["Target as written"] == "1200亿元")
