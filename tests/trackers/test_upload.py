"""Spreadsheet template download and upload: the whole file is checked first, stored all or nothing."""
import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import UserFactory, target_with_lead
from trackers import roles, spreadsheets
from trackers.models import Actual, ActualVersion, Department, Indicator, Plan, Region, Target
from trackers.services import imports
from trackers.services.actuals import actual_approve
from trackers.services.calendar import obligations_generate_for_plan
from trackers.services.responsibility import answerers_refresh_for_plan
from trackers.spreadsheets import COLUMNS, SheetRow, escape_cell, read_sheet

pytestmark = pytest.mark.django_db

YEARS = range(2021, 2026)


def synthetic_plan(department, *, indicators=1, regions=None, start=2021, end=2025, names=None):
    """A plan whose every target `department` leads: as many distinct figures as a test needs."""
    regions = regions or [department.region]
    plan = Plan.objects.create(
        code=f"synthetic-{department.code}", title="合成测试规划", short_title="合成规划",
        region=department.region, issuing_body="测试", start_year=start, end_year=end, published_at=timezone.now(),
    )
    made = Indicator.objects.bulk_create([
        Indicator(code=f"syn_{department.code}_{i}", name=(names or {}).get(i, f"合成指标{i}"), unit="亿元", kind="flow")
        for i in range(indicators)
    ])
    targets = Target.objects.bulk_create([
        Target(plan=plan, key=f"t-{indicator.code}-{region.code}", indicator=indicator, region=region,
               clause="合成条款", value_text="10亿元", comparator="gte", value=10, unit="亿元", year=end)
        for indicator in made for region in regions
    ])
    Target.lead_departments.through.objects.bulk_create(
        [Target.lead_departments.through(target_id=t.pk, department_id=department.pk) for t in targets]
    )
    answerers_refresh_for_plan(plan)  # as the plan services do
    obligations_generate_for_plan(plan)
    return plan, made


def synthetic_regions(n):
    parent = Region.objects.get(code="guangdong") if Region.objects.filter(code="guangdong").exists() else None
    return Region.objects.bulk_create([
        Region(code=f"syn-region-{i}", name=f"合成地区{i}", level="district", parent=parent) for i in range(n)
    ])


@pytest.fixture
def submitter_with_many_figures():
    """50 indicators x 4 regions x 5 years = 1,000 distinct figures the user may submit."""
    regions = synthetic_regions(4)
    department = Department.objects.create(code="syn-dept", name="合成部门", region=regions[0])
    plan, indicators = synthetic_plan(department, indicators=50, regions=regions)
    user = UserFactory(role=roles.SUBMITTER, departments=[department])
    return user, department, indicators, regions


def thousand_rows(department, indicators, regions):
    rows = [
        {"department_code": department.code, "indicator_code": indicator.code, "indicator_name": indicator.name,
         "region_code": region.code, "region_name": region.name, "year": year, "unit": "亿元",
         "value": f"{10 + i % 7}.5", "source": "统计年鉴", "correction_reason": "", "lock_version": ""}
        for i, (indicator, region, year) in enumerate(
            (ind, reg, y) for ind in indicators for reg in regions for y in YEARS
        )
    ]
    assert len(rows) == 1000
    return rows


# The three bad rows, by their index among the data rows; the user sees row index + 2.
BAD = {7: ("value", "-5"), 480: ("unit", "平方米"), 996: ("source", "")}
EXPECTED_ERRORS = [(9, "value"), (482, "unit"), (998, "source")]


def with_bad_rows(rows):
    for index, (column, cell) in BAD.items():
        rows[index][column] = cell
    return rows


def as_csv(rows, bom=True) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def as_xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_typed(column, row.get(column)) for column in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _typed(column, cell):
    """As a person types into Excel: numbers become numbers."""
    if cell in ("", None):
        return None
    if column in ("value", "year", "lock_version"):
        try:
            return float(cell) if "." in str(cell) else int(cell)
        except ValueError:
            return cell
    return cell


def upload(client, name, data, **extra):
    return client.post("/figures/upload/", {"file": SimpleUploadedFile(name, data)}, **extra)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_thousand_rows_with_three_bad_ones_report_exactly_those_and_store_nothing(
    client, submitter_with_many_figures, kind
):
    user, department, indicators, regions = submitter_with_many_figures
    rows = with_bad_rows(thousand_rows(department, indicators, regions))
    data = as_csv(rows) if kind == "csv" else as_xlsx(rows)
    versions_before, actuals_before = ActualVersion.objects.count(), Actual.objects.count()
    client.force_login(user)

    response = upload(client, f"figures.{kind}", data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    result = response.context["result"]
    assert [(e.row, e.column) for e in result.errors] == EXPECTED_ERRORS
    assert result.stored == 0
    html = response.content.decode()
    assert "This indicator cannot be negative." in html
    assert "cannot be converted exactly" in html
    assert "Name the source of the figure" in html
    assert ActualVersion.objects.count() == versions_before
    assert Actual.objects.count() == actuals_before


def test_a_thousand_clean_rows_are_all_stored_and_submitted(client, submitter_with_many_figures):
    user, department, indicators, regions = submitter_with_many_figures
    rows = thousand_rows(department, indicators, regions)
    client.force_login(user)

    response = upload(client, "figures.xlsx", as_xlsx(rows))

    assert response.status_code == 200, response.context["result"].errors[:3]
    assert response.context["result"].stored == 1000
    stored = ActualVersion.objects.filter(department=department)
    assert stored.count() == 1000
    assert set(stored.values_list("status", flat=True)) == {"submitted"}


def test_every_kind_of_row_problem_is_named(submitter_with_many_figures):
    user, department, indicators, regions = submitter_with_many_figures
    stranger = Department.objects.create(code="syn-other", name="别的部门", region=regions[0])
    good = {"department_code": department.code, "indicator_code": indicators[0].code, "region_code": regions[0].code,
            "year": "2022", "unit": "亿元", "value": "1", "source": "年鉴"}
    cells = [
        {**good, "department_code": "nope", "indicator_code": indicators[7].code},
        {**good, "department_code": stranger.code, "indicator_code": indicators[1].code},
        {**good, "indicator_code": "nope"},
        {**good, "region_code": "nope"},
        {**good, "year": "20x2", "indicator_code": indicators[2].code},
        {**good, "year": "1999", "indicator_code": indicators[3].code},
        {**good, "value": "abc", "indicator_code": indicators[4].code},
        {**good, "lock_version": "x", "indicator_code": indicators[5].code},
        good,
        good,  # the same figure twice
        {**good, "indicator_code": indicators[6].code, "value": "", "source": "", "correction_reason": ""},  # blank: skipped
        {**good, "indicator_code": target_with_lead("chaozhou-biomed-2022-2025").indicator.code, "region_code": "chaozhou",
         "unit": ""},  # a figure another department answers for
    ]
    rows = [SheetRow(number=i + 2, cells=c) for i, c in enumerate(cells)]

    result = imports.figures_import(user=user, rows=rows)

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "department_code"), (3, "department_code"), (4, "indicator_code"), (5, "region_code"),
        (6, "year"), (7, "year"), (8, "value"), (9, "lock_version"), (11, "indicator_code"), (13, "indicator_code"),
    ]
    assert "10" in str(result.errors[8].message)  # the duplicate names the first occurrence
    assert result.skipped == 1 and result.stored == 0
    assert not ActualVersion.objects.filter(department=department).exists()


def test_template_download_fill_upload_round_trip_xlsx(client):
    target = target_with_lead("chaozhou-biomed-2022-2025", indicator_code="firms_revenue_over_1bn")
    department = target.lead_departments.get()
    user = UserFactory(role=roles.SUBMITTER, departments=[department])
    client.force_login(user)

    response = client.get("/figures/template.xlsx", {"year": 2023})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "figures-2023.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header == list(COLUMNS)
    data_rows = list(sheet.iter_rows(min_row=2))
    assert data_rows
    firms = [r for r in data_rows if r[header.index("indicator_code")].value == "firms_revenue_over_1bn"]
    assert firms and "3-4家" in firms[0][header.index("target")].value
    assert firms[0][header.index("unit")].value == "家"
    for row in data_rows:
        row[header.index("value")].value = 1
        row[header.index("source")].value = "潮州统计年鉴2024"
    filled = io.BytesIO()
    workbook.save(filled)

    response = upload(client, "figures-2023.xlsx", filled.getvalue())

    assert response.status_code == 200, response.context["result"].errors
    assert response.context["result"].stored == len(data_rows)
    stored = ActualVersion.objects.filter(department=department, actual__year=2023)
    assert stored.count() == len(data_rows)
    assert set(stored.values_list("status", flat=True)) == {"submitted"}


def test_template_download_fill_upload_round_trip_csv_keeps_lock_versions(client):
    target = target_with_lead("chaozhou-biomed-2022-2025", indicator_code="firms_revenue_over_1bn")
    department = target.lead_departments.get()
    user = UserFactory(role=roles.SUBMITTER, departments=[department])
    reviewer = UserFactory(role=roles.REVIEWER)
    client.force_login(user)

    def round_trip(fill):
        text = client.get("/figures/template.csv", {"year": 2024}).content.decode("utf-8")
        assert text.startswith("\ufeff")  # so that Excel reads the Chinese names as UTF-8
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        for row in rows:
            fill(row)
        return rows, upload(client, "figures.csv", as_csv(rows))

    rows, response = round_trip(lambda row: row.update(value="2", source="年鉴"))
    assert response.status_code == 200 and response.context["result"].stored == len(rows)

    # The reviewer approves one; the next template carries its new lock version, and correcting
    # it needs a reason.
    version = ActualVersion.objects.get(actual__indicator=target.indicator, actual__region=target.region, actual__year=2024)
    actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)

    def only_firms(row):
        if row["indicator_code"] == target.indicator.code:
            row.update(value="3", source="年鉴")

    rows, response = round_trip(only_firms)
    assert [e.column for e in response.context["result"].errors] == ["correction_reason"]

    def correct(row):
        if row["indicator_code"] == target.indicator.code:
            row.update(value="3", source="年鉴", correction_reason="统计局修订")

    rows, response = round_trip(correct)
    assert response.status_code == 200, response.context["result"].errors
    assert response.context["result"].stored == 1 and response.context["result"].skipped == len(rows) - 1
    assert version.actual.versions.order_by("-number").first().correction_reason == "统计局修订"


def test_a_stale_lock_version_in_an_uploaded_file_is_reported(client):
    target = target_with_lead("chaozhou-biomed-2022-2025", indicator_code="firms_revenue_over_1bn")
    department = target.lead_departments.get()
    user = UserFactory(role=roles.SUBMITTER, departments=[department])
    client.force_login(user)
    row = {"department_code": department.code, "indicator_code": target.indicator.code,
           "region_code": target.region.code, "year": 2023, "unit": "家", "value": "3", "source": "年鉴"}
    assert upload(client, "a.csv", as_csv([row])).status_code == 200
    lock = Actual.objects.get(indicator=target.indicator, region=target.region, year=2023).lock_version

    response = upload(client, "b.csv", as_csv([{**row, "lock_version": lock - 1}]), HTTP_ACCEPT_LANGUAGE="en")

    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert (2, "lock_version") in errors
    assert "Download a fresh template" in response.content.decode()


def test_template_escapes_cells_that_would_run_as_formulas(client):
    department = Department.objects.create(code="syn-evil", name="=cmd|' /C calc'!A0", region=Region.objects.first())
    synthetic_plan(department, indicators=2, start=2022, end=2023,
                   names={0: "=HYPERLINK(\"http://evil.example\",\"x\")", 1: "@SUM(1+1)"})
    user = UserFactory(role=roles.SUBMITTER, departments=[department])
    client.force_login(user)

    text = client.get("/figures/template.csv", {"year": 2022}).content.decode("utf-8-sig")
    names = [row["indicator_name"] for row in csv.DictReader(io.StringIO(text))]
    assert sorted(names) == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'@SUM(1+1)"]

    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/figures/template.xlsx", {"year": 2022}).content)).active
    cells = [row[COLUMNS.index("indicator_name")] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" and c.value.startswith("'") for c in cells)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1+2", "@x", "\tx", "\rx"])
def test_escape_cell_quotes_every_formula_prefix(text):
    assert escape_cell(text) == "'" + text


def test_escape_cell_leaves_numbers_and_plain_text_alone():
    from decimal import Decimal

    assert escape_cell(-5) == -5 and escape_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert escape_cell("统计年鉴") == "统计年鉴" and escape_cell(None) is None


def test_files_over_the_size_limit_are_refused_unread(client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    target = target_with_lead("chaozhou-biomed-2022-2025")
    user = UserFactory(role=roles.SUBMITTER, departments=[target.lead_departments.first()])
    client.force_login(user)
    row = {"department_code": "x", "indicator_code": "y", "region_code": "z", "year": 2023, "value": "1", "source": "s" * 2000}

    response = upload(client, "big.csv", as_csv([row]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()
    assert response.context["result"] is None


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("figures.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("figures.xls", b"\xd0\xcf\x11\xe0", "Upload a .csv or .xlsx file."),
        ("figures.xlsx", b"department_code,indicator_code\n", "This is not an XLSX workbook."),
        ("figures.xlsx", b"PK\x03\x04 broken zip", "The workbook cannot be read."),
        ("figures.csv", b"PK\x03\x04\x14\x00", "This is not a CSV text file."),
        ("figures.csv", "department_code,indicator_code,region_code,year,value,source\n部门".encode("gbk"), "not UTF-8"),
        ("figures.csv", b"a,b\n1,2\n", "lacks the column(s) department_code"),
    ],
)
def test_wrong_file_types_are_refused(client, name, data, message):
    target = target_with_lead("chaozhou-biomed-2022-2025")
    user = UserFactory(role=roles.SUBMITTER, departments=[target.lead_departments.first()])
    client.force_login(user)

    response = upload(client, name, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_upload_errors_are_in_chinese_by_default(client, submitter_with_many_figures):
    user, department, indicators, regions = submitter_with_many_figures
    rows = with_bad_rows(thousand_rows(department, indicators, regions))[:10]
    client.force_login(user)

    response = upload(client, "figures.csv", as_csv(rows))

    html = response.content.decode()
    assert "该指标不能为负数" in html and "This indicator" not in html


def test_upload_page_is_for_submitters_only(client):
    client.force_login(UserFactory(role=roles.REVIEWER))
    assert client.get("/figures/upload/").status_code == 403
    assert client.get("/figures/template.csv").status_code == 403


# The parser on its own

def test_csv_with_and_without_bom_reads_the_same():
    rows = [{"department_code": "d", "indicator_code": "i", "region_code": "r", "year": "2023", "value": "1", "source": "年鉴"}]
    assert read_sheet("a.csv", as_csv(rows, bom=True)) == read_sheet("a.csv", as_csv(rows, bom=False))
    assert read_sheet("a.csv", as_csv(rows))[0].cells["source"] == "年鉴"


def test_xlsx_row_numbers_are_the_ones_the_user_sees():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["department_code", "indicator_code", "region_code", "year", "value", "source"])
    sheet.append(["d", "i", "r", 2023, 1.5, "=1+1"])  # a formula is read as data, never evaluated
    sheet.append([])
    sheet.append(["d", "i", "r", 2024, 2, "'=escaped"])
    out = io.BytesIO()
    workbook.save(out)

    rows = read_sheet("a.xlsx", out.getvalue())

    assert [r.number for r in rows] == [2, 4]
    assert rows[0].cells["value"] == 1.5 and rows[0].cells["source"] in (None, "=1+1")
    assert rows[1].cells["source"] == "=escaped"


def test_spreadsheets_module_writes_what_it_reads():
    rows = [{"department_code": "d", "indicator_code": "i", "region_code": "r", "year": 2023, "value": None,
             "source": "-来源", "target": "2025: 1-2个 (规划)"}]
    for kind, write in (("csv", spreadsheets.write_csv), ("xlsx", spreadsheets.write_xlsx)):
        (row,) = read_sheet(f"t.{kind}", write(rows))
        assert row.cells["source"] == "-来源" and str(row.cells["year"]) == "2023"
