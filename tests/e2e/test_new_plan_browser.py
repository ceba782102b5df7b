"""A reviewer reads a plan from a place the service has never seen (岳阳市, 湖南省), makes the plan,
accepts its proposals with indicators and departments, publishes it; a submitter of a department
the plan's bracket named reports a figure, the reviewer approves it, and a leader sees the target
on the dashboard with its progress and gap, computed through the real path (the approval's
outbox, Celery in-process)."""
import re

import pytest
from django.utils import timezone

from kpis.models import ProgressSnapshot
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import UserFactory
from tests.trackers.intake_helpers import YUEYANG_TEXT, YUEYANG_TITLE
from trackers import roles
from trackers.models import Department, Milestone, Plan, Region, Target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"


def add_region(page, live_server, name, name_en, level, parent=""):
    page.goto(f"{live_server.url}/intake/regions/")
    page.fill("#id_name", name)
    page.fill("#id_name_en", name_en)
    page.select_option("#id_level", level)
    page.fill("#id_parent", parent)
    page.click("#region-form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_new_plan_from_its_text_to_its_dashboard(page, live_server, seeded):
    assert not Region.objects.filter(name__in=["湖南省", "岳阳市"]).exists()  # never seen before
    reviewer = UserFactory(role=roles.REVIEWER, username="reviewer-zhou")
    sign_in(page, live_server, reviewer.username, PASSWORD, "/intake/")

    # A place the region tree does not know: the province, then its city.
    add_region(page, live_server, "湖南省", "Hunan", "province")
    add_region(page, live_server, "岳阳市", "Yueyang", "city", "湖南省")
    assert Region.objects.get(name="岳阳市").parent.name == "湖南省"

    # The plan, from its pasted text.
    page.goto(f"{live_server.url}/intake/")
    page.fill("#id_title", YUEYANG_TITLE)
    page.fill("#id_short_title", "岳阳市生物医药三年行动")
    page.fill("#id_region", "岳阳市")
    page.fill("#id_start_year", "2024")
    page.fill("#id_end_year", "2026")
    page.fill("#id_issuing_body", "岳阳市人民政府办公室")
    page.select_option("#id_document_status", "final")
    page.fill("#id_published_on", "2024-03-15")
    page.fill("#id_text", YUEYANG_TEXT)
    page.click(".plan-text-form button[type=submit]")
    page.wait_for_selector("#drafts")
    plan = Plan.objects.get(region__name="岳阳市")
    assert plan.published_at is None
    revenue_row = page.locator("#drafts tr", has_text="350亿元")
    assert "给出目标年份" in revenue_row.inner_text() and "> 超过" in revenue_row.inner_text()
    assert "待审核" in revenue_row.inner_text()
    # The picker suggests the indicator of that name; the bracket's departments are offered.
    assert revenue_row.locator("select[name$='-indicator'] option:checked").inner_text().startswith("生物医药产业营业收入")
    assert "市发展改革委" in revenue_row.inner_text()
    screenshot(page, "intake-proposals")

    # Bulk accept of the checked (confident) proposals, then publish.
    page.click("#accept-selected")
    page.wait_for_selector("ul.messages li")
    assert page.locator("ul.messages li.error").count() == 0, page.inner_text("ul.messages")
    revenue = Target.objects.get(plan=plan, value_text="350亿元")
    assert revenue.indicator.code == "biomed_revenue" and revenue.baseline.value == 210
    assert {d.name for d in revenue.lead_departments.all()} == {"市发展改革委", "市工业和信息化局"}
    assert Milestone.objects.get(plan=plan).deadline.isoformat() == "2025-12-31"
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#publication a")
    screenshot(page, "intake-published")
    assert Plan.objects.get(pk=plan.pk).published_at is not None

    # A submitter of a department the bracket named (created for 岳阳市 by intake) reports 2025.
    department = Department.objects.get(region__name="岳阳市", name="市发展改革委")
    assert department.origin == "intake"
    submitter = UserFactory(role=roles.SUBMITTER, username="yy-submitter", departments=[department])
    page.context.clear_cookies()
    sign_in(page, live_server, submitter.username, PASSWORD, "/figures/?year=2025")
    key = f"{department.pk}-{revenue.indicator_id}-{plan.region_id}-2025"
    section = page.locator(f"#figure-{key}")
    section.locator("input[name=value]").fill("280")
    section.locator("textarea[name=source]").fill("岳阳市统计局2025年统计公报")
    section.locator("button[type=submit]").click()
    page.wait_for_selector("ul.messages li.success")

    # The reviewer approves it; the approval's outbox computes today's progress.
    page.context.clear_cookies()
    sign_in(page, live_server, reviewer.username, PASSWORD, "/review/")
    page.locator("tr", has_text="岳阳市").locator("button:has-text('通过'), button:has-text('审核通过')").first.click()
    page.wait_for_load_state("networkidle")
    snapshot = ProgressSnapshot.objects.get(target=revenue, as_of=timezone.localdate())
    assert snapshot.latest_value == 280 and snapshot.gap == 70

    # A leader sees the target with its progress and gap, no "nan", no "None".
    leader = UserFactory(role=roles.LEADER, username="leader-li")
    page.context.clear_cookies()
    sign_in(page, live_server, leader.username, PASSWORD, f"/dashboards/plans/{plan.code}/")
    page.wait_for_selector("#target-table")
    page.click(f"a[href^='/dashboards/targets/{revenue.pk}/']")
    page.wait_for_selector("[data-figure=target-figure] .main-svg")
    facts = page.inner_text("#target-facts")
    assert re.fullmatch(r"50(\.0+)?%", page.inner_text("#progress"))
    assert re.match(r"70(\.0+)? 亿元", page.inner_text("#gap"))
    assert not re.search(r"\bnan\b|None", facts, re.I)
    screenshot(page, "new-plan-target")
