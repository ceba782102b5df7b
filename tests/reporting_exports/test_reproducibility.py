"""A report for a past date means the same a year later: a correction approved after the date
leaves it unchanged (same checksum, same figures, same people), while a report for a later date,
on a newly computed snapshot, shows the correction."""
import datetime as dt

import pytest

from kpis.models import ProgressSnapshot, RecomputeRun
from kpis.services import snapshots_recompute
from reporting.exports.report import Scope
from reporting.exports.services import ReportRequest, gap_report_export
from tests.conftest import SHENZHEN_PLAN
from tests.reporting_exports.helpers import about, report_figure, sheet_rows, workbook_of
from trackers.models import Target

pytestmark = pytest.mark.django_db

SCOPE = Scope("plan", SHENZHEN_PLAN)
OLD_AS_OF = dt.date(2024, 6, 30)
NEW_AS_OF = dt.date(2025, 6, 30)


def xlsx(user, as_of):
    result = gap_report_export(user=user, request=ReportRequest(SCOPE, as_of, "xlsx", "zh-hans", "api"))
    workbook = workbook_of(result.file.content)
    revenue = next(r for r in sheet_rows(workbook["目标"]) if r["目标（按原文）"] == "1200亿元")
    return result, workbook, revenue


FIGURE_COLUMNS = ["最新审定值", "最新年份", "数据版本", "提交人", "提交时间", "审定人", "审定时间", "进度", "差距",
                  "所需年均增速", "状态", "原因（中文）"]


def test_a_correction_after_the_date_leaves_the_old_report_unchanged(revenue_target, people, auditor, clock):
    clock.set(2024, 3, 15, 10, 0)
    report_figure(revenue_target, people, 2023, "800")
    clock.set(2024, 7, 1, 9, 0)
    assert not ProgressSnapshot.objects.filter(as_of=OLD_AS_OF).exists()
    first, first_book, first_row = xlsx(auditor, OLD_AS_OF)
    # No snapshots for the date existed: the report computed and stored them first.
    plan_targets = Target.objects.filter(plan__code=SHENZHEN_PLAN)
    assert ProgressSnapshot.objects.filter(as_of=OLD_AS_OF).count() == plan_targets.count()
    assert RecomputeRun.objects.filter(as_of=OLD_AS_OF, scope__startswith="report:plan").count() == 1

    # A year later the statistics bureau revises 2023 and a reviewer approves the correction.
    clock.set(2025, 2, 10, 11, 0)
    correction = report_figure(revenue_target, people, 2023, "850", correction_reason="统计局修订")
    corrector = correction.reviewed_by
    clock.set(2025, 7, 2, 15, 30)
    again, again_book, again_row = xlsx(auditor, OLD_AS_OF)

    assert again.file.checksum == first.file.checksum
    assert [again_row[c] for c in FIGURE_COLUMNS] == [first_row[c] for c in FIGURE_COLUMNS]
    assert again_row["最新审定值"] == 800 and again_row["数据版本"] == 1 and again_row["状态"] == "进度滞后"
    assert [sheet_rows(again_book[n]) for n in ("里程碑", "数据缺口", "填报历史")] == \
        [sheet_rows(first_book[n]) for n in ("里程碑", "数据缺口", "填报历史")]
    assert "统计局修订" not in str(sheet_rows(again_book["填报历史"]))
    # Only the making of it differs.
    before, after = about(first_book), about(again_book)
    assert before["生成时间"].startswith("2024-07-01") and after["生成时间"].startswith("2025-07-02")
    assert {k: v for k, v in before.items() if k != "生成时间"} == {k: v for k, v in after.items() if k != "生成时间"}
    assert again.file.file_sha256 != first.file.file_sha256

    # Recomputing the old date's snapshots (as the report would if they were missing) changes nothing.
    snapshots_recompute(plan_targets, OLD_AS_OF)
    assert xlsx(auditor, OLD_AS_OF)[0].file.checksum == first.file.checksum

    # A report for a later date uses a newly computed snapshot, and shows the correction.
    new, new_book, new_row = xlsx(auditor, NEW_AS_OF)
    assert new.file.checksum != first.file.checksum
    assert new_row["最新审定值"] == 850 and new_row["数据版本"] == 2 and new_row["差距"] == 350
    assert new_row["审定人"] == corrector.get_username() and new_row["状态"] == "有风险"
    history = sheet_rows(new_book["填报历史"])
    assert {r["更正理由"] for r in history if r["版本"] == 2} == {"统计局修订"}
    assert [r["计入截至日"] for r in history if r["状态"] == "已审核通过"] == ["否", "是"]


def test_who_approved_comes_from_the_version_that_counted_then(revenue_target, people, auditor, clock):
    """The version row today says "superseded"; the report shows it as approved, by whom and when."""
    clock.set(2024, 3, 15, 10, 0)
    original = report_figure(revenue_target, people, 2023, "800")
    clock.set(2025, 2, 10, 11, 0)
    report_figure(revenue_target, people, 2023, "850", correction_reason="统计局修订")
    original.refresh_from_db()
    assert original.status == "superseded"
    clock.set(2025, 7, 2, 15, 30)

    _result, book, row = xlsx(auditor, OLD_AS_OF)

    assert row["数据版本"] == 1 and row["审定人"] == "sz-reviewer" and row["提交人"] == "sz-submitter"
    assert row["审定时间"].date() == dt.date(2024, 3, 15)
    assert [r["状态"] for r in sheet_rows(book["填报历史"])] == ["草稿", "已提交", "已审核通过"]


def test_a_past_reports_figure_times_agree_between_its_targets_and_its_history(revenue_target, people, auditor,
                                                                              clock):
    """The targets sheet states the approval time and the people of the version that counted on
    the date, and the history sheet records the same approval at the same time; each history
    record names its event (提交, 审核通过, 更正, 取代), not a generic change."""
    clock.set(2024, 3, 15, 10, 0)
    report_figure(revenue_target, people, 2023, "800")
    clock.set(2025, 2, 10, 11, 0)
    report_figure(revenue_target, people, 2023, "850", correction_reason="统计局修订")
    clock.set(2025, 7, 2, 15, 30)

    _result, book, row = xlsx(auditor, OLD_AS_OF)
    assert row["审定时间"].date() == dt.date(2024, 3, 15)
    history = sheet_rows(book["填报历史"])
    approvals = [r for r in history if r["操作"] == "审核通过"]
    assert [r["时间"].replace(microsecond=0) for r in approvals] == [row["审定时间"].replace(microsecond=0)]
    assert row["提交人"] == "sz-submitter" and row["审定人"] == "sz-reviewer" and row["填报部门"] == people[1].name

    _result, book, _row = xlsx(auditor, NEW_AS_OF)
    events = [(r["版本"], r["操作"]) for r in sheet_rows(book["填报历史"])]
    assert events == [(1, "保存草稿"), (1, "提交"), (1, "审核通过"), (1, "取代"),
                      (2, "保存草稿"), (2, "更正"), (2, "审核通过")]


def test_the_demo_figures_times_are_the_same_in_both_sheets(auditor, settings):
    from trackers.services.demo import demo_load

    settings.DEMO_MODE = True
    demo_load()
    result = gap_report_export(user=auditor, request=ReportRequest(Scope("all"), dt.date(2025, 6, 30), "xlsx",
                                                                   "zh-hans", "api"))
    book = workbook_of(result.file.content)
    approved_at = {(r["指标代码"], r["地区代码"], r["年份"]): r["时间"]
                   for r in sheet_rows(book["填报历史"]) if r["操作"] == "审核通过" and r["计入截至日"] == "是"}
    targets = [r for r in sheet_rows(book["目标"]) if r["审定时间"]]
    assert targets
    for row in targets:
        assert approved_at[(row["指标代码"], row["地区代码"], row["最新年份"])] == row["审定时间"], row["目标代码"]
        assert row["审定时间"].date() < dt.date(2025, 6, 30)


def test_a_revision_leaves_earlier_reports_unchanged_and_keeps_the_figures(revenue_target, people, auditor, clock):
    """The plan's new text raises the revenue goal to 1300亿元 and drops the listed-companies goal:
    a report for a date before it is the same report (same checksum); a report after it shows the
    new goal, judged on the figure reported before the revision."""
    from tests.trackers.revision_helpers import accept_as_proposed, shenzhen_revision

    clock.set(2024, 3, 15, 10, 0)
    figure = report_figure(revenue_target, people, 2023, "800")
    clock.set(2024, 7, 1, 9, 0)
    before, before_book, before_row = xlsx(auditor, OLD_AS_OF)
    assert before_row["目标（按原文）"] == "1200亿元"

    clock.set(2025, 2, 1, 10, 0)
    reviewer = people[2]
    accept_as_proposed(reviewer, shenzhen_revision(reviewer))

    clock.set(2025, 7, 2, 15, 30)
    again, again_book, again_row = xlsx(auditor, OLD_AS_OF)
    assert again.file.checksum == before.file.checksum
    assert [sheet_rows(again_book[n]) for n in ("目标", "里程碑", "数据缺口", "填报历史")] == \
        [sheet_rows(before_book[n]) for n in ("目标", "里程碑", "数据缺口", "填报历史")]

    later = gap_report_export(user=auditor, request=ReportRequest(SCOPE, NEW_AS_OF, "xlsx", "zh-hans", "api"))
    rows = sheet_rows(workbook_of(later.file.content)["目标"])
    revised = next(r for r in rows if r["目标（按原文）"] == "1300亿元")
    assert revised["最新审定值"] == 800 and revised["数据版本"] == 1 and revised["差距"] == 500  # the figure is kept
    assert "12家" not in {r["目标（按原文）"] for r in rows} and "8个" in {r["目标（按原文）"] for r in rows}
    assert figure.actual.versions.count() == 1  # nothing was re-reported
