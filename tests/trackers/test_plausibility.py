"""Plausibility as values are entered (DHIS2's min/max and outlier checks): whole numbers for
counts, the indicator's plausible range, far beyond the target, far from last year. A doubtful
figure is stored flagged for the reviewer, never refused; the same check serves the web form, the
API and the spreadsheet upload (trackers.validation.figure_check via selectors.figure_contexts)."""
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import UserFactory, target_with_lead
from tests.trackers.test_upload import as_csv, synthetic_plan, synthetic_regions, upload
from trackers import roles
from trackers.models import ActualVersion, Department, Indicator, Target
from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure
from trackers.validation import FigureContext, figure_check

pytestmark = pytest.mark.django_db
YEAR = 2023


def context(**changes) -> FigureContext:
    values = {"indicator_unit": "家", "indicator_kind": "count", "allows_negative": False,
              "allowed_years": (2022, 2025), "previous_value": None, "jump_ratio": Decimal(3),
              "whole_numbers": True, "minimum": None, "maximum": None, "target_magnitude": Decimal(4),
              "target_ratio": Decimal(10)}
    return FigureContext(**{**values, **changes})


def codes(value, **changes):
    check = figure_check(year=YEAR, value=value, unit="", source="统计年鉴", context=context(**changes))
    assert not check.errors  # doubtful, never refused
    return [w.code for w in check.warnings]


def test_a_count_with_decimals_is_flagged():
    assert codes("12345.6") == ["not_whole", "beyond_target"]
    assert codes("4") == []
    assert codes("4.0") == []  # a whole number written with a point
    assert codes("3.5", whole_numbers=False) == []


def test_the_indicators_plausible_range():
    assert codes("2", minimum=Decimal(3)) == ["below_minimum"]
    assert codes("3", minimum=Decimal(3), maximum=Decimal(5)) == []
    assert codes("6", maximum=Decimal(5)) == ["above_maximum"]


def test_far_beyond_the_target():
    assert codes("40") == []  # ten times the target is still believable
    assert codes("41") == ["beyond_target"]
    assert codes("41", target_magnitude=None) == []


def test_far_from_last_years_approved_value():
    assert codes("9", previous_value=Decimal(3)) == []
    assert codes("10", previous_value=Decimal(3)) == ["implausible_jump"]
    assert codes("1", previous_value=Decimal(3), target_magnitude=Decimal(4)) == []
    assert codes("0.9", previous_value=Decimal(3), whole_numbers=False) == ["implausible_jump"]


def test_the_database_keeps_min_at_most_max():
    indicator = Indicator.objects.filter(unit="家").first()
    indicator.plausible_min, indicator.plausible_max = Decimal(5), Decimal(4)
    with pytest.raises(IntegrityError), transaction.atomic():
        indicator.save()


# The same check from each way in

@pytest.fixture
def target():
    """潮州: enterprises with revenue over 1亿元, 3-4家 (a count)."""
    return target_with_lead("chaozhou-biomed-2022-2025", indicator_code="firms_revenue_over_1bn")


@pytest.fixture
def department(target):
    return target.lead_departments.get()


@pytest.fixture
def submitter(target, department):
    return UserFactory(role=roles.SUBMITTER, departments=[department])


def form_data(target, department, **fields):
    return {"department": department.pk, "indicator": target.indicator.pk, "region": target.region.pk,
            "year": YEAR, "lock_version": "", "value": "4", "unit": "家", "source": "潮州统计年鉴", **fields}


def stored(target, year=YEAR) -> ActualVersion:
    return ActualVersion.objects.get(actual__indicator=target.indicator, actual__region=target.region,
                                     actual__year=year)


def test_the_form_stores_a_doubtful_count_flagged_and_says_so(client, target, department, submitter):
    client.force_login(submitter)

    response = client.post("/figures/", form_data(target, department, value="12,345.6"), follow=True)

    version = stored(target)
    assert version.status == "submitted" and version.flagged
    assert version.value == Decimal("12345.6")
    html = response.content.decode()
    # Said on the page after saving, and stored for the reviewer (in the submission's language).
    assert "整数" in version.flag_reason and "10 倍" in version.flag_reason
    assert version.flag_reason in html and "标记为需复核" in html


def test_the_form_flags_outside_the_indicators_range(client, target, department, submitter):
    Indicator.objects.filter(pk=target.indicator.pk).update(plausible_min=1, plausible_max=3)
    client.force_login(submitter)

    client.post("/figures/", form_data(target, department, value="4"))

    version = stored(target)
    assert version.flagged and "3" in version.flag_reason
    assert version.status == "submitted"


def test_the_api_flags_a_jump_from_last_year(target, department, submitter, reviewer):
    last_year = actual_submit_figure(user=submitter, department=department, figure=FigureInput(
        target.indicator, target.region, YEAR - 1, "3", "家", "潮州统计年鉴"))
    actual_approve(user=reviewer, version=last_year, expected_lock_version=last_year.actual.lock_version)
    client = APIClient()
    client.force_authenticate(submitter)

    response = client.post("/api/actuals/submit/", {
        "department": department.code, "indicator": target.indicator.code, "region": target.region.code,
        "year": YEAR, "value": "30", "source": "潮州统计年鉴"}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["flagged"] is True and "3" in body["flag_reason"]
    assert body["status"] == "submitted"


@pytest.fixture
def many_counts():
    """A department answering for 40 count figures (four regions x ten indicators), target 10家
    each, with last year approved at 10 for every one."""
    regions = synthetic_regions(4)
    department = Department.objects.create(code="plaus-dept", name="合理性测试部门", region=regions[0])
    _plan, indicators = synthetic_plan(department, indicators=10, regions=regions)
    Indicator.objects.filter(pk__in=[i.pk for i in indicators]).update(unit="家", kind="count")
    for indicator in indicators:
        indicator.unit = "家"
    user = UserFactory(role=roles.SUBMITTER, departments=[department])
    reviewer = UserFactory(role=roles.REVIEWER)
    Target.objects.filter(indicator__in=indicators).update(unit="家", value_text="10家")
    for indicator in indicators:
        for region in regions:
            version = actual_submit_figure(user=user, department=department, figure=FigureInput(
                indicator, region, 2022, "10", "家", "年鉴"))
            actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    return user, department, indicators, regions


def sheet(department, pairs, value):
    return as_csv([
        {"department_code": department.code, "indicator_code": indicator.code, "indicator_name": "",
         "region_code": region.code, "region_name": "", "year": 2023, "unit": "家", "value": value(i),
         "source": "统计年鉴", "correction_reason": "", "lock_version": ""}
        for i, (indicator, region) in enumerate(pairs)
    ])


def test_upload_flags_by_the_same_rules_in_a_bounded_number_of_queries(client, many_counts,
                                                                      django_assert_max_num_queries):
    user, department, indicators, regions = many_counts
    pairs = [(indicator, region) for indicator in indicators for region in regions]
    client.force_login(user)

    # 12.5: not whole; 150: beyond ten times the target; 40: four times last year; 11: fine.
    values = ["12.5", "150", "40", "11"]
    with CaptureQueriesContext(connection) as small:
        response = upload(client, "small.csv", sheet(department, pairs[:4], lambda i: values[i]))
    assert response.status_code == 200, response.content.decode()[:2000]
    flags = {v.actual.region_id: v for v in ActualVersion.objects.filter(actual__year=2023).select_related("actual")}
    by_value = {format(v.value.normalize(), "f"): v for v in flags.values()}
    assert "整数" in by_value["12.5"].flag_reason
    assert "10" in by_value["150"].flag_reason and by_value["150"].flagged
    assert by_value["40"].flagged and "10" in by_value["40"].flag_reason
    assert not by_value["11"].flagged
    assert response.context["result"].flagged == 3
    html = response.content.decode()  # which rows, and why, shown after the upload
    assert [flag.row for flag in response.context["result"].flags] == [2, 3, 4]
    assert 'class="data import-flags"' in html and by_value["150"].flag_reason in html

    # Nine times the rows, no more queries: last year's values and the targets come for the whole file at once.
    with django_assert_max_num_queries(len(small)):
        response = upload(client, "large.csv", sheet(department, pairs[4:], lambda i: "40" if i % 2 else "11"))
    assert response.status_code == 200
    assert response.context["result"].stored == 36 and response.context["result"].flagged == 18


# Each flag, by each way in: the same words stored, whichever way the figure came.

def by_form(client, user, target, department, value):
    client.force_login(user)
    return client.post("/figures/", form_data(target, department, value=value))


def by_api(client, user, target, department, value):
    api = APIClient()
    api.force_authenticate(user)
    return api.post("/api/actuals/submit/", {
        "department": department.code, "indicator": target.indicator.code, "region": target.region.code,
        "year": YEAR, "value": value, "unit": "家", "source": "潮州统计年鉴"}, format="json")


def by_upload(client, user, target, department, value):
    client.force_login(user)
    return upload(client, "one.csv", as_csv([{
        "department_code": department.code, "indicator_code": target.indicator.code, "indicator_name": "",
        "region_code": target.region.code, "region_name": "", "year": YEAR, "unit": "家", "value": value,
        "source": "潮州统计年鉴", "correction_reason": "", "lock_version": ""}]))


@pytest.mark.parametrize("way_in", [by_form, by_api, by_upload], ids=["form", "api", "upload"])
@pytest.mark.parametrize("case, value, words", [
    ("count", "3.5", "应为整数"),
    ("range", "3", "合理上限 2 家"),
    ("target", "41", "目标值 4 家 的 10 倍"),
    ("last_year", "10", "上年审核通过的 3 相差悬殊"),
    ("plausible", "4", None),
])
def test_each_flag_by_each_way_in(client, target, department, submitter, reviewer, way_in, case, value, words):
    if case == "range":
        Indicator.objects.filter(pk=target.indicator.pk).update(plausible_max=2)
    if case in ("last_year", "plausible"):
        last_year = actual_submit_figure(user=submitter, department=department, figure=FigureInput(
            target.indicator, target.region, YEAR - 1, "3", "家", "潮州统计年鉴"))
        actual_approve(user=reviewer, version=last_year, expected_lock_version=last_year.actual.lock_version)

    response = way_in(client, submitter, target, department, value)

    assert response.status_code in (200, 201, 302), response.content.decode()[:500]
    version = stored(target)
    assert version.status == "submitted"  # stored, never refused for a flag
    if words is None:
        assert not version.flagged and version.flag_reason == ""
    else:
        assert version.flagged and words in version.flag_reason, version.flag_reason


def test_the_plausible_range_is_set_in_the_admin_and_kept_ordered(admin_client):
    indicator = Indicator.objects.filter(unit="家").first()
    url = f"/admin/trackers/indicator/{indicator.pk}/change/"
    form = {"code": indicator.code, "name": indicator.name, "name_en": indicator.name_en, "unit": indicator.unit,
            "direction": indicator.direction, "kind": indicator.kind, "origin": indicator.origin,
            "definition": indicator.definition}

    refused = admin_client.post(url, {**form, "plausible_min": "9", "plausible_max": "2"})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors
    admin_client.post(url, {**form, "plausible_min": "1", "plausible_max": "200"})
    indicator.refresh_from_db()
    assert (indicator.plausible_min, indicator.plausible_max) == (Decimal(1), Decimal(200))
