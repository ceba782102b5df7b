"""A submitter signs in and lands on "my work", sees an overdue and a returned figure, fills in the
one and corrects the other; a reviewer opens the queue, sees each figure's plan, target and last
approved value, and approves both together after confirming."""
import pytest

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import UserFactory, target_with_lead
from trackers import roles
from trackers.models import ActualVersion
from trackers.services.actuals import FigureInput, actual_approve, actual_return, actual_submit_figure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"


@pytest.fixture
def owed(seeded):
    """潮州, enterprises over 1亿元 (3-4家): 2022 approved at 3, 2023 returned, 2024 not reported
    (due 2025-03-31: overdue)."""
    target = target_with_lead("chaozhou-biomed-2022-2025", indicator_code="firms_revenue_over_1bn")
    department = target.lead_departments.get()
    submitter = UserFactory(role=roles.SUBMITTER, username="cz-clerk", departments=[department])
    other_reviewer = UserFactory(role=roles.REVIEWER)

    def submit(year, value):
        return actual_submit_figure(user=submitter, department=department, figure=FigureInput(
            target.indicator, target.region, year, value, "家", "潮州统计年鉴"))

    approved = submit(2022, "3")
    actual_approve(user=other_reviewer, version=approved, expected_lock_version=approved.actual.lock_version)
    returned = submit(2023, "9")
    actual_return(user=other_reviewer, version=returned, reason="与统计年鉴不一致，请核实",
                  expected_lock_version=returned.actual.lock_version)
    key = f"{department.pk}-{target.indicator.pk}-{target.region.pk}"
    return {"target": target, "submitter": submitter, "returned": f"{key}-2023", "overdue": f"{key}-2024"}


def assert_fits_a_phone(page, name):
    """At 390 px the page does not scroll sideways: wide tables scroll inside their box."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, name)
    finally:
        page.set_viewport_size(size)


def fill(page, key, value, source=None):
    page.fill(f"#id_{key}_value", value)
    if source is not None:
        page.fill(f"#id_{key}_source", source)
    page.click(f"#figure-{key} button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_submitter_clears_my_work_and_a_reviewer_approves_with_context(page, live_server, owed):
    target = owed["target"]
    sign_in(page, live_server, "cz-clerk", PASSWORD)

    # Home is "my work": the returned figure on top, with its reason; counts above.
    assert page.url.endswith("/my-work/")
    returned_row = page.locator(f"#work-{owed['returned']}")
    assert "与统计年鉴不一致，请核实" in returned_row.inner_text() and "已退回" in returned_row.inner_text()
    assert int(page.inner_text("#count-returned")) == 1 and int(page.inner_text("#count-overdue")) >= 1
    screenshot(page, "my-work")

    # The overdue one, found by year, with its deadline and the target it feeds.
    page.select_option("#id_year", "2024")
    page.click("#work-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    overdue_row = page.locator(f"#work-{owed['overdue']}")
    assert "已逾期" in overdue_row.inner_text() and "2025-03-31" in overdue_row.inner_text()
    assert "3-4家" in overdue_row.inner_text() and target.plan.short_title in overdue_row.inner_text()

    # One click to its form; submitted, back on "my work".
    overdue_row.locator("a.fill-in").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("section.figure").count() == 1
    fill(page, owed["overdue"], "4", "潮州统计年鉴2025")
    assert page.url.endswith("/my-work/")
    assert "已提交审核" in page.inner_text("ul.messages")

    # The returned one: corrected and resubmitted.
    page.locator(f"#work-{owed['returned']} a.fill-in").click()
    page.wait_for_load_state("networkidle")
    assert page.input_value(f"#id_{owed['returned']}_value") == "9"  # what was returned, offered again
    fill(page, owed["returned"], "4")
    assert page.url.endswith("/my-work/")
    assert page.locator(f"#work-{owed['returned']}").count() == 0
    assert int(page.inner_text("#count-returned")) == 0
    screenshot(page, "my-work-cleared")
    assert_fits_a_phone(page, "my-work-390")
    versions = ActualVersion.objects.filter(actual__indicator=target.indicator, actual__region=target.region,
                                            actual__year__in=[2023, 2024], status="submitted")
    assert versions.count() == 2 and not any(v.flagged for v in versions)

    # The reviewer: the queue with context, filtered to the plan, both approved together.
    page.context.clear_cookies()
    reviewer = UserFactory(role=roles.REVIEWER, username="cz-reviewer")
    sign_in(page, live_server, reviewer.username, PASSWORD, "/review/")
    page.select_option("#id_plan", "chaozhou-biomed-2022-2025")
    page.click("#review-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    by_year = {v.actual.year: v for v in versions.select_related("actual")}
    row_2023 = page.locator(f"#version-{by_year[2023].pk}")
    assert target.plan.short_title in row_2023.inner_text() and "3-4家" in row_2023.inner_text()
    assert "3 家" in row_2023.locator("td.last-year").inner_text()  # last approved value
    screenshot(page, "review-queue")
    assert_fits_a_phone(page, "review-queue-390")
    for version in by_year.values():
        page.check(f"#choose-{version.pk}")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_selector("#confirm-form")
    screenshot(page, "review-confirm")
    page.click("#confirm-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已批准 2 项数据。" in page.inner_text("ul.messages")
    assert {v.status for v in ActualVersion.objects.filter(pk__in=[v.pk for v in by_year.values()])} == {"approved"}
