"""A leader clicks from the overview to a plan and a target and sees the engine's numbers drawn;
a submitter is kept out of the leaders' pages."""
import pytest
from django.utils import timezone

from kpis.models import ProgressSnapshot
from kpis.services import snapshots_recompute
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import UserFactory, submitter_for
from trackers import roles
from trackers.models import Target
from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"


@pytest.fixture
def reported(seeded):
    target = Target.objects.get(plan__code="shenzhen-health-2022-2025", value_text="1200亿元")
    submitter, department = submitter_for(target)
    reviewer = UserFactory(role=roles.REVIEWER)
    for year, value in ((2022, "800"), (2023, "950"), (2024, "1050")):
        figure = FigureInput(target.indicator, target.region, year, value, "亿元", "统计公报")
        version = actual_submit_figure(user=submitter, department=department, figure=figure)
        actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    snapshots_recompute(Target.objects.all(), timezone.localdate())
    return target, submitter


def test_leader_clicks_through_overview_plan_and_target(page, live_server, reported):
    target, _ = reported
    leader = UserFactory(role=roles.LEADER)
    sign_in(page, live_server, leader.username, PASSWORD, "/dashboards/")
    page.wait_for_selector("[data-figure=status-figure] .main-svg")
    assert page.locator(".demo-banner").count() == 0  # not a demo: no banner
    screenshot(page, "overview")

    page.click("#plan-table a:has-text(\"深圳市大健康产业集群行动计划\")")
    page.wait_for_selector("#target-table")
    page.wait_for_selector("[data-figure=progress-figure] .main-svg")
    screenshot(page, "plan")

    page.click(f"a[href^='/dashboards/targets/{target.pk}/']")
    page.wait_for_selector("[data-figure=target-figure] .main-svg")
    screenshot(page, "target")

    snapshot = ProgressSnapshot.objects.get(target=target, as_of=timezone.localdate())
    plotted = page.evaluate(
        """() => { const plot = document.querySelector('[data-figure=target-figure]');
                   const trace = plot.data.find(t => t.meta === 'actual'); return {x: trace.x, y: trace.y}; }"""
    )
    assert plotted == {"x": [2022, 2023, 2024], "y": [800.0, 950.0, 1050.0]}
    assert float(page.get_attribute("#latest-value", "data-value")) == float(snapshot.latest_value) == 1050.0
    assert page.inner_text("#target-status") == {"on_track": "进度正常", "at_risk": "有风险", "off_track": "进度滞后",
                                                 "achieved": "已实现", "overdue": "已逾期"}[snapshot.status]
    assert target.clause in page.inner_text("blockquote.clause")


def test_submitter_is_refused_the_leaders_pages_but_sees_completeness(page, live_server, reported):
    target, submitter = reported
    sign_in(page, live_server, submitter.username, PASSWORD, "/figures/")
    assert page.locator("text=仪表盘").count() == 0  # no dashboards link in the navigation
    for url in ("/dashboards/", "/dashboards/plans/shenzhen-health-2022-2025/", f"/dashboards/targets/{target.pk}/"):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 403, url
    response = page.goto(f"{live_server.url}/dashboards/completeness/?year=2023")
    assert response.status == 200
    screenshot(page, "completeness-as-submitter")
