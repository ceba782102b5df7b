"""Issue #15, "readable everywhere": every page, for every role, in Chinese and English, and every
report format say numbers one way: never "nan", "None", "NaN" or "inf"; an exceeded target's gap
is "超出 X" / "exceeded by X", never a negative number; a missing number is "—"."""
import csv
import io
import re

import pytest
from django.utils import timezone

from kpis.models import ProgressSnapshot
from kpis.services import snapshots_recompute
from reporting import formatting, wording
from reporting.exports.report import Scope
from reporting.exports.services import ReportRequest, gap_report_export
from tests.factories import UserFactory, submitter_for
from tests.reporting_exports.helpers import pdf_text, workbook_of
from trackers import roles
from trackers.models import Actual, Target
from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure

pytestmark = pytest.mark.django_db
SHENZHEN = "shenzhen-health-2022-2025"
# Words a missing or broken number turns into: "nan", "NaN", "inf", "Infinity" anywhere; "None" as a
# value (a whole cell, an attribute, a number's place), not the English word of "None yet." or "None.".
BROKEN = re.compile(r"\b(nan|NaN|inf|-inf|Infinity)\b|>\s*None\s*<|=\"None\"|\bNone\b(?! yet\b|\.)")
LANGUAGES = ("zh-hans", "en")


def broken_words(text: str) -> list[str]:
    return sorted({match.group(0) for match in BROKEN.finditer(text)})


def _approve(target, year, value, submitter, department, reviewer):
    figure = FigureInput(target.indicator, target.region, year, value, target.indicator.unit, "统计公报")
    version = actual_submit_figure(user=submitter, department=department, figure=figure)
    return actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)


@pytest.fixture
def world():
    """Shenzhen's revenue target (1200亿元) exceeded by an approved 1,595.5亿元; every other target
    without figures (no data); a second figure waiting for review; snapshots for today."""
    exceeded = Target.objects.select_related("indicator", "region", "plan").get(plan__code=SHENZHEN,
                                                                                value_text="1200亿元")
    submitter, department = submitter_for(exceeded, username="scan-submitter")
    reviewer = UserFactory(role=roles.REVIEWER, username="scan-reviewer")
    _approve(exceeded, 2023, "1595.5", submitter, department, reviewer)
    pending_target = Target.objects.filter(plan__code=SHENZHEN, answerers__department=department).exclude(
        indicator=exceeded.indicator).select_related("indicator", "region").first()
    figure = FigureInput(pending_target.indicator, pending_target.region, 2023, "12345.6",
                         pending_target.indicator.unit, "统计公报")
    actual_submit_figure(user=submitter, department=department, figure=figure)
    today = timezone.localdate()
    snapshots_recompute(Target.objects.all(), today)
    missing = Target.objects.filter(plan__code=SHENZHEN).exclude(
        indicator__actuals__isnull=False).order_by("pk").first()
    return {"exceeded": exceeded, "missing": missing, "submitter": submitter, "reviewer": reviewer,
            "today": today, "actual": Actual.objects.get(indicator=exceeded.indicator, region=exceeded.region,
                                                          year=2023)}


def role_pages(world) -> dict[str, list[str]]:
    exceeded, missing = world["exceeded"], world["missing"]
    plans = ["chaozhou-biomed-2022-2025", "guangdong-biomed-2021-2025", "guangzhou-health-elderly-2017-2020",
             "jiangmen-health-2016-2020", SHENZHEN]
    dashboards = ["/dashboards/", "/dashboards/regions/", "/dashboards/completeness/?year=2023",
                  f"/dashboards/targets/{exceeded.pk}/", f"/dashboards/targets/{missing.pk}/",
                  *(f"/dashboards/plans/{code}/" for code in plans),
                  *(f"/dashboards/plans/{code}/?sort=-gap" for code in plans)]
    history = f"/figures/{world['actual'].pk}/history/"
    return {
        roles.LEADER: ["/", *dashboards, "/reports/"],
        roles.AUDITOR: ["/", *dashboards, "/reports/", history],
        roles.SUBMITTER: ["/", "/my-work/", "/my-work/?state=all", "/figures/?year=2023", "/figures/?year=2024",
                          "/figures/upload/", "/dashboards/completeness/?year=2023", history],
        roles.REVIEWER: ["/", "/review/", "/review/?flagged=yes", history, "/intake/", "/intake/regions/", *dashboards],
    }


def login(client, world, role):
    user = {roles.SUBMITTER: world["submitter"], roles.REVIEWER: world["reviewer"]}.get(role) or UserFactory(role=role)
    client.force_login(user)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", [roles.LEADER, roles.AUDITOR, roles.SUBMITTER, roles.REVIEWER])
def test_no_page_shows_a_broken_number(client, world, role, language):
    login(client, world, role)
    client.cookies["django_language"] = language
    for url in role_pages(world)[role]:
        response = client.get(url, follow=True)  # a submitter's "/" is their work list
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not broken_words(html), f"{url} ({language}) shows {broken_words(html)}"


def text_of(html: str) -> str:
    """What a reader sees of a cell: its text, without the lang marks around Chinese data."""
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize("language, exceeded_by", [("zh-hans", "超出"), ("en", "exceeded by")])
def test_an_exceeded_target_reads_exceeded_by_never_a_negative_gap(client, world, language, exceeded_by):
    exceeded = world["exceeded"]
    snapshot = ProgressSnapshot.objects.get(target=exceeded, as_of=world["today"])
    assert snapshot.gap < 0  # the engine's sign: the target is passed
    login(client, world, roles.LEADER)
    client.cookies["django_language"] = language
    html = client.get(f"/dashboards/targets/{exceeded.pk}/").content.decode()
    gap = re.search(r'<dd id="gap" data-value="([^"]*)">(.*?)</dd>', html)
    assert gap.group(1) == formatting.plain(snapshot.gap)  # the machine-readable value keeps its sign
    assert text_of(gap.group(2)) == f"{exceeded_by} 395.5 亿元"
    plan = client.get(f"/dashboards/plans/{SHENZHEN}/?sort=-gap").content.decode()
    cell = text_of(re.search(rf'data-target-id="{exceeded.pk}".*?<td class="gap"[^>]*>(.*?)</td>', plan, re.S).group(1))
    shown = re.sub(r'data-[a-z-]+="[^"]*"', "", plan)  # what people read, not the machine-readable values
    assert cell == f"{exceeded_by} 395.5 亿元" and "-395" not in shown
    # Thousands separators and the unit on the latest figure.
    assert "1,595.5 亿元" in html


def test_missing_numbers_are_a_dash(client, world):
    login(client, world, roles.LEADER)
    html = client.get(f"/dashboards/targets/{world['missing'].pk}/").content.decode()
    assert 'id="gap"' not in html  # nothing to say: no gap row at all
    plan = client.get(f"/dashboards/plans/{SHENZHEN}/").content.decode()
    row = re.search(rf'data-target-id="{world["missing"].pk}".*?</tr>', plan, re.S).group(0)
    assert re.search(r'<td class="gap"[^>]*>—</td>', row) and re.search(r'<td class="progress"[^>]*>—</td>', row)


def test_the_formatter():
    assert formatting.quantity("1595.500000", "亿元") == "1,595.5 亿元"
    assert formatting.quantity("12.5", "%") == "12.5%"
    assert formatting.quantity(float("nan"), "亿元") == formatting.quantity(None) == "—"
    assert formatting.quantity(float("inf"), "家") == "—"
    assert formatting.gap_parts("-395.5", "亿元") == ("exceeded", "395.5 亿元")
    assert formatting.gap_parts("0", "家") == ("met", "0 家")
    assert formatting.gap_parts("1234567", "家") == ("short", "1,234,567 家")
    assert wording.gap_text(None, "家") == "—"


def export(user, fmt, language):
    request = ReportRequest(Scope("plan", SHENZHEN), timezone.localdate(), fmt, language, "web")
    return gap_report_export(user=user, request=request).file.content


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_report_shows_a_broken_number(world, language):
    auditor = UserFactory(role=roles.AUDITOR)
    exceeded_by = "超出" if language == "zh-hans" else "exceeded by"

    text = export(auditor, "csv", language).decode("utf-8-sig")
    assert not broken_words(text), broken_words(text)
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[rows.index(["[目标]" if language == "zh-hans" else "[Targets]"]) + 1]
    gap_heading = next(c for c in header if c.startswith(("Gap", "差距")))
    assert "exceeded" in gap_heading or "超出" in gap_heading  # the CSV says what a negative gap means

    workbook = workbook_of(export(auditor, "xlsx", language))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and broken_words(value)), (sheet.title, value)
                assert not (isinstance(value, float) and value != value), (sheet.title, row)
    targets = workbook.worksheets[0]
    header = [cell.value for cell in targets[1]]
    gap_column = header.index("差距" if language == "zh-hans" else "Gap") + 1
    formats = {targets.cell(row=r, column=gap_column).number_format for r in range(2, targets.max_row + 1)
               if targets.cell(row=r, column=gap_column).value is not None}
    assert formats and all(f'"{exceeded_by}' in fmt or f'"{exceeded_by} "' in fmt for fmt in formats), formats

    pdf = pdf_text(export(auditor, "pdf", language))
    assert not broken_words(pdf), broken_words(pdf)
    assert exceeded_by in pdf.replace("\n", " ")
    assert "1,595.5" in pdf
