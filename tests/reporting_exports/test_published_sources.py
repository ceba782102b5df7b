"""Gap reports say the kind of each figure and list the published sources of the targets in scope."""
import csv
import datetime as dt
import io

import pytest
from django.conf import settings

from reporting.exports.report import Scope
from reporting.exports.services import ReportRequest, gap_report_export
from tests.factories import UserFactory
from tests.reporting_exports.helpers import sheet_rows, workbook_of
from trackers import roles
from trackers.models import ActualVersion, PublishedFigure
from trackers.services.actuals import actual_approve
from trackers.services.published import published_load

pytestmark = pytest.mark.django_db
GUANGDONG = "guangdong-biomed-2021-2025"


@pytest.fixture
def published(clock):
    """The published figures loaded in January 2025, Guangdong's 2023 revenue approved in February."""
    clock.set(2025, 1, 10, 9, 0)
    published_load(settings.BASE_DIR / "fixtures")
    clock.set(2025, 2, 10, 9, 0)
    version = ActualVersion.objects.get(published__key="revenue-2023-stdaily")
    actual_approve(user=UserFactory(role=roles.REVIEWER), version=version,
                   expected_lock_version=version.actual.lock_version)
    clock.set(2025, 7, 1, 9, 0)


def export(auditor, fmt, as_of=dt.date(2025, 6, 30)):
    return gap_report_export(user=auditor, request=ReportRequest(Scope("plan", GUANGDONG), as_of, fmt, "zh-hans", "web"))


def test_the_report_lists_the_sources_and_the_kind_of_each_figure(published, auditor):
    book = workbook_of(export(auditor, "xlsx").file.content)
    revenue = next(row for row in sheet_rows(book["目标"]) if row["目标代码"] == "revenue-2025")
    assert revenue["最新审定值"] == 6638 and revenue["数据类别"] == "公开发布的数据"
    history = sheet_rows(book["填报历史"])
    assert {row["数据类别"] for row in history if row["指标代码"] == "biomed_health_revenue"} == {"公开发布的数据"}

    sources = {row["数据键"]: row for row in sheet_rows(book["公开来源"])}
    in_scope = PublishedFigure.objects.filter(plan__code=GUANGDONG, year__lte=2025)
    assert set(sources) == set(in_scope.values_list("key", flat=True))
    counted = sources["revenue-2023-stdaily"]
    figure = PublishedFigure.objects.get(key="revenue-2023-stdaily")
    assert counted["发布机构"] == figure.publisher and counted["来源网址"] == figure.source_url
    assert counted["原文语句"] == figure.sentence and counted["计入截至日"] == "是"
    shown = sources["revenue-2024-askci"]
    assert shown["统计范围与目标一致"] == "否" and shown["计入截至日"] == "否"
    assert shown["处理情况"].startswith("口径不同")


def test_sources_loaded_after_the_as_of_date_are_not_in_the_report(published, auditor):
    content = export(auditor, "csv", as_of=dt.date(2024, 12, 31)).file.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    start = rows.index(["[公开来源]"])
    assert rows[start + 2:] == []  # the heading, no rows: nothing was loaded by then
