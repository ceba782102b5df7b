"""A submitter's "my work": everything the departments owe, overdue and returned, across the years
that have begun, with counts, filters and one click to the figure's form; the submitter's home."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.trackers.test_upload import synthetic_plan, synthetic_regions
from trackers import roles
from trackers.models import ActualVersion, Department
from trackers.services.actuals import (
    FigureInput,
    FigureWrite,
    actual_approve,
    actual_return,
    actual_submit_figure,
    figures_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(clock):
    """Two departments of one submitter, one indicator each, 2021-2025, on 1 June 2024:
    A 2021 nothing (overdue), 2022 returned, 2023 approved, 2024 nothing (owed, due 2025-03-31),
    2025 not begun; B 2021 and 2022 nothing (overdue), 2023 submitted, 2024 nothing (owed)."""
    clock.set(2024, 6, 1, 12)
    region_a, region_b = synthetic_regions(2)
    a = Department.objects.create(code="work-a", name="一处", region=region_a)
    b = Department.objects.create(code="work-b", name="二处", region=region_b)
    _plan_a, (indicator_a,) = synthetic_plan(a, names={0: "甲指标"})
    _plan_b, (indicator_b,) = synthetic_plan(b, names={0: "乙指标"})
    user = UserFactory(role=roles.SUBMITTER, username="work-submitter", departments=[a, b])
    reviewer = UserFactory(role=roles.REVIEWER)

    def submit(department, indicator, year, value="9"):
        return actual_submit_figure(user=user, department=department, figure=FigureInput(
            indicator, department.region, year, value, "亿元", "统计年鉴"))

    returned = submit(a, indicator_a, 2022)
    actual_return(user=reviewer, version=returned, reason="口径不一致，请按统计年鉴核实",
                  expected_lock_version=returned.actual.lock_version)
    approved = submit(a, indicator_a, 2023)
    actual_approve(user=reviewer, version=approved, expected_lock_version=approved.actual.lock_version)
    submit(b, indicator_b, 2023)
    return {"user": user, "a": a, "b": b, "indicator_a": indicator_a, "indicator_b": indicator_b}


def listed(response):
    return [(row["figure"].department.code, row["figure"].year, row["figure"].state) for row in response.context["rows"]]


def test_lists_returned_overdue_and_owed_across_years_with_counts(client, work):
    client.force_login(work["user"])

    response = client.get("/my-work/")

    assert response.status_code == 200
    assert response.context["counts"] == {"returned": 1, "overdue": 3, "owed": 2, "submitted": 1, "done": 1}
    # What needs doing first: returned, then overdue by due date, then owed; no 2025 (not begun).
    assert listed(response) == [
        ("work-a", 2022, "returned"),
        ("work-a", 2021, "overdue"), ("work-b", 2021, "overdue"), ("work-b", 2022, "overdue"),
        ("work-a", 2024, "owed"), ("work-b", 2024, "owed"),
    ]
    html = response.content.decode()
    returned_row = html[html.index('class="work-returned"'):]
    returned_row = returned_row[:returned_row.index("</tr>")]
    assert "口径不一致，请按统计年鉴核实" in returned_row and "甲指标" in returned_row
    assert "合成规划" in returned_row and "10亿元" in returned_row  # the target it feeds
    assert "2023-03-31" in returned_row  # its deadline
    overdue = next(r["figure"] for r in response.context["rows"] if r["figure"].state == "overdue")
    assert f"/figures/?year=2021&amp;figure={overdue.key}&amp;back=work" in html
    assert 'id="count-overdue">3<' in html and 'id="count-returned">1<' in html


def test_filters_by_state_department_and_year(client, work):
    client.force_login(work["user"])

    assert listed(client.get("/my-work/", {"state": "overdue"})) == [
        ("work-a", 2021, "overdue"), ("work-b", 2021, "overdue"), ("work-b", 2022, "overdue")]
    by_department = client.get("/my-work/", {"department": "work-b"})
    assert {code for code, _year, _state in listed(by_department)} == {"work-b"}
    assert by_department.context["counts"] == {"returned": 0, "overdue": 2, "owed": 1, "submitted": 1, "done": 0}
    assert listed(client.get("/my-work/", {"year": "2022"})) == [("work-a", 2022, "returned"), ("work-b", 2022, "overdue")]
    everything = listed(client.get("/my-work/", {"state": "all"}))
    assert ("work-a", 2023, "done") in everything and ("work-b", 2023, "submitted") in everything
    assert len(everything) == 8


def test_a_bad_filter_is_named_and_nothing_is_hidden(client, work):
    client.force_login(work["user"])

    response = client.get("/my-work/", {"year": "20x2", "state": "lost"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"year", "state"}
    assert len(listed(response)) == 6  # the filters are off, the work still shown


def test_a_submitters_home_is_my_work(client, work, reviewer):
    client.force_login(work["user"])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/my-work/"

    client.force_login(reviewer)
    assert client.get("/").status_code == 200
    assert client.get("/my-work/").status_code == 403


def test_one_click_to_the_form_and_back(client, work):
    client.force_login(work["user"])
    overdue = next(r["figure"] for r in client.get("/my-work/", {"state": "overdue"}).context["rows"])

    form_page = client.get("/figures/", {"year": overdue.year, "figure": overdue.key, "back": "work"})
    assert [row["figure"].key for row in form_page.context["rows"]] == [overdue.key]

    response = client.post(f"/figures/?year={overdue.year}&figure={overdue.key}&back=work", {
        "department": overdue.department.pk, "indicator": overdue.indicator.pk, "region": overdue.region.pk,
        "year": overdue.year, "lock_version": "", "value": "8", "unit": "亿元", "source": "统计年鉴"})

    assert response.status_code == 302 and response["Location"] == "/my-work/"
    assert client.get("/my-work/").context["counts"]["overdue"] == 2


def test_the_page_reads_a_bounded_number_of_queries_whatever_the_rows(client, clock, django_assert_max_num_queries):
    clock.set(2024, 6, 1, 12)
    regions = synthetic_regions(3)
    small_department = Department.objects.create(code="small-dept", name="小部门", region=regions[0])
    large_department = Department.objects.create(code="large-dept", name="大部门", region=regions[0])
    _plan, (small_indicator,) = synthetic_plan(small_department)
    _plan, large_indicators = synthetic_plan(large_department, indicators=20, regions=regions)
    small = UserFactory(role=roles.SUBMITTER, departments=[small_department])
    large = UserFactory(role=roles.SUBMITTER, departments=[large_department])
    reviewer = UserFactory(role=roles.REVIEWER)

    def fill(user, department, pairs):
        versions = figures_submit(user=user, writes=[
            FigureWrite(department, FigureInput(indicator, region, 2022, "9", "亿元", "年鉴")) for indicator, region in pairs])
        for version in versions[:3]:
            actual_return(user=reviewer, version=version, reason="请核实", expected_lock_version=version.actual.lock_version)

    fill(small, small_department, [(small_indicator, regions[0])])
    fill(large, large_department, [(indicator, region) for indicator in large_indicators for region in regions])

    client.force_login(small)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/my-work/", {"state": "all"}).status_code == 200
    client.force_login(large)
    with django_assert_max_num_queries(len(few)):
        response = client.get("/my-work/", {"state": "all"})
    assert len(response.context["rows"]) == 50 and response.context["page"].paginator.count == 240
    assert response.context["counts"]["returned"] == 3
    assert ActualVersion.objects.filter(status="returned", department=large_department).count() == 3
