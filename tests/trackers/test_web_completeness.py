"""Completeness per plan and department: owed, submitted, approved, overdue."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import TargetFactory, UserFactory
from trackers import roles
from trackers.models import Actual, Department, Indicator, Plan, Region
from trackers.services.actuals import FigureInput, actual_approve, actual_return, actual_submit_figure
from trackers.services.calendar import obligations_generate

pytestmark = pytest.mark.django_db

YEAR = 2022


@pytest.fixture
def setting():
    """A plan of three figures that one department leads, so the numbers are known exactly."""
    region = Region.objects.create(code="syn-town", name="合成镇", level="district")
    department = Department.objects.create(code="syn-stats", name="合成统计局", region=region)
    plan = Plan.objects.create(code="syn-plan", title="合成规划", short_title="合成规划简称", region=region,
                               issuing_body="测试", start_year=2021, end_year=2023, published_at=timezone.now())
    for i in range(3):
        indicator = Indicator.objects.create(code=f"syn_c_{i}", name=f"合成指标{i}", unit="家", kind="count")
        TargetFactory(plan=plan, key=f"k{i}", indicator=indicator, region=region, value=3, unit="家", year=2023,
                      lead_departments=[department])
    obligations_generate(YEAR)
    submitter = UserFactory(role=roles.SUBMITTER, departments=[department])
    return plan, department, submitter


def submit(submitter, department, indicator_code, corrects=None):
    """A first figure, or the correction of an approved version (`corrects`)."""
    figure = FigureInput(indicator=Indicator.objects.get(code=indicator_code), region=department.region, year=YEAR,
                         value="2" if corrects else "1", unit="家", source="年鉴",
                         correction_reason="更正口径" if corrects else "")
    lock = Actual.objects.get(pk=corrects.actual_id).lock_version if corrects else None
    return actual_submit_figure(user=submitter, department=department, figure=figure, expected_lock_version=lock)


def test_completeness_counts_and_percentages(client, setting):
    plan, department, submitter = setting
    submit(submitter, department, "syn_c_0")
    approved = submit(submitter, department, "syn_c_1")
    actual_approve(user=UserFactory(role=roles.REVIEWER), version=approved, expected_lock_version=approved.actual.lock_version)
    assert dt.date.today() > dt.date(YEAR + 1, 3, 31)  # the figures were due last March
    client.force_login(UserFactory(role=roles.LEADER))

    response = client.get("/completeness/", {"year": YEAR}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(f"/dashboards/completeness/?year={YEAR}", 302)]  # the one page
    (row,) = [r for r in response.context["rows"]
              if r["plan_code"] == plan.code and r["department_code"] == department.code]
    assert (row["owed"], row["submitted"], row["approved"], row["overdue"]) == (3, 2, 1, 1)
    html = response.content.decode()
    line = html[html.index('data-plan="syn-plan"'):]
    line = line[:line.index("</tr>")]
    assert "合成规划简称" in line and "合成镇 合成统计局" in line  # the department with its region
    assert ">3<" in line and "2 (66.7%)" in line and "1 (33.3%)" in line


@pytest.mark.parametrize("role", [roles.LEADER, roles.AUDITOR, roles.REVIEWER, roles.ADMINISTRATOR, roles.SUBMITTER])
def test_completeness_is_readable_by_every_role(client, role):
    client.force_login(UserFactory(role=role))

    assert client.get("/completeness/", {"year": YEAR}, follow=True).status_code == 200


def test_completeness_needs_a_role(client):
    client.force_login(UserFactory())

    assert client.get("/completeness/").status_code == 403


@pytest.mark.parametrize("query", ["?year=1800", "?year=abc"])
def test_a_bad_year_is_said_not_silently_replaced(client, query):
    """Both addresses read ?year= the same way: a bad one is named above the page (400)."""
    client.force_login(UserFactory(role=roles.LEADER))
    for url in ("/completeness/" + query, "/dashboards/completeness/" + query):
        response = client.get(url, follow=True)
        assert response.status_code == 400, url
        assert "year" in response.content.decode()
        assert response.context["year"] == timezone.localdate().year - 1


def row_of(response, plan, department):
    (row,) = [r for r in response.context["rows"]
              if r["plan_code"] == plan.code and r["department_code"] == department.code]
    return row["owed"], row["submitted"], row["approved"], row["overdue"]


def test_a_correction_waiting_or_returned_leaves_the_figure_approved_and_a_first_return_is_overdue(client, setting):
    """Approved, then corrected (waiting): submitted and approved. Approved, then a correction
    returned: still submitted and approved. Only ever returned: not submitted, so overdue."""
    plan, department, submitter = setting
    reviewer = UserFactory(role=roles.REVIEWER)
    corrections = []
    for code in ("syn_c_0", "syn_c_1"):
        first = submit(submitter, department, code)
        approved = actual_approve(user=reviewer, version=first, expected_lock_version=first.actual.lock_version)
        corrections.append(submit(submitter, department, code, corrects=approved))
    waiting = corrections[1]
    actual_return(user=reviewer, version=waiting, reason="请核实", expected_lock_version=waiting.actual.lock_version)
    returned = submit(submitter, department, "syn_c_2")
    actual_return(user=reviewer, version=returned, reason="请核实", expected_lock_version=returned.actual.lock_version)
    client.force_login(UserFactory(role=roles.LEADER))

    assert row_of(client.get("/dashboards/completeness/", {"year": YEAR}), plan, department) == (3, 2, 2, 1)


def test_the_query_count_does_not_grow_with_the_obligations(client, django_assert_max_num_queries):
    """5 obligations of one department and plan, then 60 of three departments and three plans: the
    same number of queries."""
    region = Region.objects.create(code="syn-city", name="合成市", level="city")
    leader = UserFactory(role=roles.LEADER)

    def owe(number: int, figures: int):
        department = Department.objects.create(code=f"syn-d{number}", name=f"合成部门{number}", region=region)
        plan = Plan.objects.create(code=f"syn-p{number}", title=f"合成规划{number}", short_title=f"合成{number}",
                                   region=region, issuing_body="测试", start_year=2021, end_year=2023,
                                   published_at=timezone.now())
        for i in range(figures):
            indicator = Indicator.objects.create(code=f"syn_q{number}_{i}", name=f"合成指标{number}-{i}", unit="家",
                                                 kind="count")
            TargetFactory(plan=plan, key=f"k{i}", indicator=indicator, region=region, value=3, unit="家", year=2023,
                          lead_departments=[department])
        obligations_generate(YEAR)
        return plan, department

    small = owe(0, 5)
    client.force_login(leader)
    with CaptureQueriesContext(connection) as few:
        response = client.get("/dashboards/completeness/", {"year": YEAR})
    assert row_of(response, *small)[0] == 5
    large = [owe(number, 20) for number in (1, 2, 3)]
    with django_assert_max_num_queries(len(few)):
        response = client.get("/dashboards/completeness/", {"year": YEAR})
    assert [row_of(response, *owing)[0] for owing in large] == [20, 20, 20]


def test_obligations_dump_and_load_back_with_or_without_their_figure(setting):
    # The figure is a join, not a column: dumpdata (and the test runner's serialized rollback)
    # must neither fetch it nor fail on the obligations nobody has entered a figure for yet.
    from django.core import serializers

    from trackers.models import ReportingObligation

    plan, department, submitter = setting
    submit(submitter, department, "syn_c_0")
    owed = ReportingObligation.objects.filter(department=department)
    dumped = serializers.serialize("json", owed)
    assert owed.count() == 3 and "figure" not in dumped
    assert sorted(o.object.pk for o in serializers.deserialize("json", dumped)) == sorted(owed.values_list("pk", flat=True))
