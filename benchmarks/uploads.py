"""The spreadsheet upload at national scale, beside its floor: a plain bulk insert of the same rows.

A bench department answers for a bench plan of INDICATORS x REGIONS targets (2021-2025) in the
database the national data set lives in; the upload submits new figures for them. Every
measurement runs inside a transaction that is rolled back, so each run starts from the same state.

- upload: trackers.services.imports.figures_import on the parsed rows (what the page and the job
  call after reading the file): codes looked up, every rule checked, versions, history rows and
  lock versions stored;
- floor: the same figures' rows (Actual, ActualVersion as submitted, its two history rows) made
  from ids already known and stored with bulk_create, no lookups and no checks;
- reading: trackers.spreadsheets.read_sheet of the same rows as CSV and as XLSX (not part of the
  aim; shown because a file is read before it is checked).
"""
from __future__ import annotations

import io
import time
from decimal import Decimal

UPLOAD_PLAN = "bench-upload"
YEARS = range(2021, 2026)


class _RolledBack(Exception):
    pass


def upload_fixture(indicators: int = 20, regions: int = 100) -> dict:
    """The bench plan, department and submitter an upload needs; made again from scratch."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from trackers import roles
    from trackers.models import Department, Indicator, Plan, Region, Target
    from trackers.services.responsibility import answerers_refresh_for_plan

    with transaction.atomic():
        upload_fixture_delete()
        country = Region.objects.get(code="bench-country")
        department = Department.objects.create(code="bench-up-dept", name="基准填报部门", region=country)
        user, _created = get_user_model().objects.get_or_create(username="bench-uploader")
        user.groups.add(Group.objects.get(name=roles.SUBMITTER))
        department.members.add(user)
        plan = Plan.objects.create(code=UPLOAD_PLAN, title="基准填报规划", short_title="基准填报", region=country,
                                   issuing_body="基准", start_year=YEARS[0], end_year=YEARS[-1])
        made = Indicator.objects.bulk_create([
            Indicator(code=f"bench_up_{k}", name=f"基准填报指标{k}", unit="亿元", kind="flow") for k in range(indicators)
        ])
        made = list(Indicator.objects.filter(code__startswith="bench_up_").order_by("pk"))
        places = list(Region.objects.filter(code__startswith="bench-").exclude(pk=country.pk).order_by("pk")[:regions])
        targets = Target.objects.bulk_create([
            Target(plan=plan, key=f"up-{i.pk}-{r.pk}", indicator=i, region=r, clause="基准", value_text="100亿元",
                   comparator="gte", value=100, unit="亿元", year=YEARS[-1])
            for i in made for r in places
        ], batch_size=5000)
        targets = list(plan.targets.all())
        Target.lead_departments.through.objects.bulk_create(
            [Target.lead_departments.through(target_id=t.pk, department_id=department.pk) for t in targets],
            batch_size=5000,
        )
        answerers_refresh_for_plan(plan)  # as the plan services do
    return {"indicators": len(made), "regions": len(places), "figures": len(made) * len(places) * len(YEARS)}


def upload_fixture_delete() -> None:
    from trackers.models import Department, Indicator, Plan

    Plan.objects.filter(code=UPLOAD_PLAN).delete()
    Indicator.objects.filter(code__startswith="bench_up_").delete()
    Department.objects.filter(code="bench-up-dept").delete()


def upload_rows(count: int) -> list:
    """`count` filled-in rows of new figures, as read from a file (SheetRow)."""
    from trackers.models import Indicator, Target
    from trackers.spreadsheets import SheetRow

    indicators = list(Indicator.objects.filter(code__startswith="bench_up_").order_by("pk"))
    regions = sorted({t.region for t in Target.objects.filter(plan__code=UPLOAD_PLAN).select_related("region")},
                     key=lambda r: r.pk)
    cells = [
        {"department_code": "bench-up-dept", "indicator_code": i.code, "region_code": r.code, "year": year,
         "unit": "亿元", "value": f"{100 + (n % 97)}.5", "source": "基准统计年鉴", "correction_reason": "",
         "lock_version": None}
        for n, (r, i, year) in enumerate((r, i, y) for r in regions for i in indicators for y in YEARS)
    ]
    if len(cells) < count:
        raise ValueError(f"the upload fixture holds {len(cells)} figures, fewer than {count}")
    return [SheetRow(number=n + 2, cells=c) for n, c in enumerate(cells[:count])]


def measure_upload(rows) -> float:
    """figures_import of the rows, rolled back; seconds."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from trackers.services.imports import figures_import

    user = get_user_model().objects.get(username="bench-uploader")
    try:
        with transaction.atomic():
            started = time.perf_counter()
            result = figures_import(user=user, rows=rows)
            seconds = time.perf_counter() - started
            if not result.ok or result.stored != len(rows):
                raise RuntimeError(f"the upload was refused: {result.errors[:3]}")
            raise _RolledBack
    except _RolledBack:
        pass
    return seconds


def measure_floor(rows) -> float:
    """A plain bulk insert of the rows the upload stores, from ids known beforehand, rolled back."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from trackers.models import Actual, ActualVersion, Department, Indicator, Region

    user = get_user_model().objects.get(username="bench-uploader")
    department = Department.objects.get(code="bench-up-dept")
    indicators = {i.code: i.pk for i in Indicator.objects.filter(code__startswith="bench_up_")}
    regions = {r.code: r.pk for r in Region.objects.filter(code__startswith="bench-")}
    keys = [(indicators[r.cells["indicator_code"]], regions[r.cells["region_code"]], r.cells["year"]) for r in rows]
    values = [Decimal(r.cells["value"]) for r in rows]
    history = ActualVersion.history.model
    try:
        with transaction.atomic():
            started = time.perf_counter()
            now = timezone.now()
            actuals = Actual.objects.bulk_create(
                [Actual(indicator_id=i, region_id=g, year=y, lock_version=2) for i, g, y in keys])
            versions = ActualVersion.objects.bulk_create([
                ActualVersion(actual=a, number=1, value=v, unit="亿元", value_in_indicator_unit=v, source="基准统计年鉴",
                              status="submitted", department=department, created_by=user, submitted_by=user,
                              submitted_at=now)
                for a, v in zip(actuals, values)
            ])
            fields = [f.attname for f in ActualVersion._meta.concrete_fields]
            history.objects.bulk_create([
                history(history_date=now, history_type=kind, history_user=None,
                        **{name: getattr(v, name) for name in fields})
                for kind in ("+", "~") for v in versions
            ])
            seconds = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        pass
    return seconds


def measure_reading(rows) -> dict:
    """Seconds to read the rows back from a CSV and from an XLSX file, and the files' sizes."""
    import openpyxl

    from trackers.spreadsheets import COLUMNS, read_sheet, write_csv

    data = {"csv": write_csv([r.cells for r in rows])}
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.cells.get(column) for column in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    data["xlsx"] = out.getvalue()
    timings = {}
    for kind, content in data.items():
        started = time.perf_counter()
        read_sheet(f"bench.{kind}", content)
        timings[kind] = {"seconds": time.perf_counter() - started, "bytes": len(content)}
    return timings


def measure_row_limit(total_rows: int, limit: int) -> dict:
    """An XLSX of total_rows rows (the issue's 100,000-row file) refused at the row limit."""
    import openpyxl

    from trackers.spreadsheets import COLUMNS, SpreadsheetError, read_sheet

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(COLUMNS))
    for n in range(total_rows):
        sheet.append(["bench-up-dept", f"bench_up_{n % 20}", None, f"bench-{n % 3000}", None, 2021 + n % 5, "亿元",
                      100.5, "基准统计年鉴", None, None, None, None])
    out = io.BytesIO()
    workbook.save(out)
    started = time.perf_counter()
    try:
        read_sheet("big.xlsx", out.getvalue(), max_rows=limit)
        refused = False
    except SpreadsheetError:
        refused = True
    return {"seconds": time.perf_counter() - started, "bytes": len(out.getvalue()), "refused": refused}
