"""The what-if projection through the API, checked against the Guangzhou plan's own footnotes."""
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    ActualFactory,
    DepartmentFactory,
    PlanFactory,
    TargetFactory,
    UserFactory,
    submitter_for,
)
from trackers import roles
from trackers.models import Baseline, Target
from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(UserFactory(role=roles.LEADER))
    return client


def whatif(api, target, **params):
    return api.get(f"/api/targets/{target.pk}/whatif/", params)


def test_3000_to_5000_over_2015_2020_needs_10_8_percent(api):
    target = Target.objects.get(plan__code="guangzhou-health-elderly-2017-2020", key="industry-scale-2020")
    body = whatif(api, target, growth_pct="10.8", as_of="2016-01-01").json()
    assert (body["start_source"], body["start_year"], body["start_value"]) == ("baseline", 2015, 3000)
    assert round(body["required_growth_pct"], 1) == 10.8
    assert body["years"] == 5 and body["would_meet"] is True
    slower = whatif(api, target, growth_pct="9", as_of="2016-01-01").json()
    assert slower["would_meet"] is False and round(slower["projected_value"]) == 4616


def test_1683_at_12_percent_reaches_2966_in_2020(api):
    baseline = Baseline.objects.get(plan__code="guangzhou-health-elderly-2017-2020", value=1683)
    target = Target.objects.create(
        plan=baseline.plan, key="wholesale-2020", indicator=baseline.indicator, region=baseline.region,
        clause="医药、医疗器械批发零售收入……按12%的年均增长率到2020年可达2966亿元", value_text="2966亿元",
        comparator="gte", value=Decimal(2966), unit="亿元", year=2020, baseline=baseline,
    )
    body = whatif(api, target, growth_pct="12", as_of="2016-01-01").json()
    assert round(body["projected_value"]) == 2966


def test_the_latest_approved_figure_is_the_starting_point(api):
    target = Target.objects.get(plan__code="shenzhen-health-2022-2025", value_text="1200亿元")
    submitter, department = submitter_for(target)
    figure = FigureInput(target.indicator, target.region, 2023, "900", "亿元", "统计公报")
    version = actual_submit_figure(user=submitter, department=department, figure=figure)
    actual_approve(user=UserFactory(role=roles.REVIEWER), version=version, expected_lock_version=version.actual.lock_version)
    body = whatif(api, target, growth_pct="15").json()
    assert (body["start_source"], body["start_year"], body["start_value"]) == ("actual", 2023, 900)
    assert round(body["projected_value"], 2) == round(900 * 1.15 ** 2, 2)
    assert round(body["required_growth_pct"], 2) == round(((1200 / 900) ** 0.5 - 1) * 100, 2)


@pytest.mark.parametrize("value, language, words", [("abc", "en", "number"), ("5000", "en", "1000"),
                                                    ("abc", "zh-hans", "数")])
def test_bad_growth_is_named_in_the_request_language(api, value, language, words):
    target = Target.objects.get(plan__code="shenzhen-health-2022-2025", value_text="1200亿元")
    response = api.get(f"/api/targets/{target.pk}/whatif/", {"growth_pct": value}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert words in " ".join(response.json()["growth_pct"])


def test_anonymous_is_refused():
    target = Target.objects.first()
    assert APIClient().get(f"/api/targets/{target.pk}/whatif/", {"growth_pct": "5"}).status_code == 403


@pytest.fixture
def figure_of_100():
    """A level target's indicator with an approved figure of 100 for 2023 (the plan runs 2021-2025)."""
    department = DepartmentFactory()
    target = TargetFactory(plan=PlanFactory(region=department.region), lead_departments=[department],
                           value=Decimal(100))
    submitter = UserFactory(role=roles.SUBMITTER, departments=[department])
    ActualFactory(target=target, year=2023, value=100, submitter=submitter, department=department)
    return target


def retarget(target, **terms):
    Target.objects.filter(pk=target.pk).update(**terms)
    return target


@pytest.mark.parametrize("growth, meets", [("0", True), ("5", True), ("15", True), ("-5", False)])
def test_would_meet_a_range_from_its_low_end_when_higher_is_better(api, figure_of_100, growth, meets):
    target = retarget(figure_of_100, comparator="range", value=Decimal(100), value_high=Decimal(120))
    # 100 grows for 2 years: 0% -> 100, 5% -> 110.25, 15% -> 132.25 (beyond the stretch end still meets a
    # range that higher-is-better reads as "at least 100"), -5% -> 90.25 (short of it).
    assert whatif(api, target, growth_pct=growth).json()["would_meet"] is meets


@pytest.mark.parametrize("growth, meets", [("3", True), ("6", False), ("-6", False)])
def test_would_meet_an_about_target_within_its_tolerance_both_ways(api, settings, figure_of_100, growth, meets):
    settings.KPI_APPROX_TOLERANCE_PCT = 10
    target = retarget(figure_of_100, comparator="approx", value=Decimal(100))
    # 2 years: 3% -> 106.09 (within 10%), 6% -> 112.36 (over), -6% -> 88.36 (under).
    assert whatif(api, target, growth_pct=growth).json()["would_meet"] is meets


def test_would_meet_a_strict_target_only_strictly_beyond_it(api, figure_of_100):
    target = retarget(figure_of_100, comparator="gt", value=Decimal("121"))
    # 100 * 1.1 ** 2 lands on 121 exactly: not more than 121.
    assert whatif(api, target, growth_pct="10").json()["would_meet"] is False
    retarget(target, comparator="gte")
    assert whatif(api, target, growth_pct="10").json()["would_meet"] is True
