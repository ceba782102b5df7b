"""Integrity rules hold in the database itself, whatever code writes."""
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from trackers.models import Indicator, Plan, Region, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    region = Region.objects.create(code="testland", name="测试市", level="city")
    return Plan.objects.create(
        code="test-plan", title="测试规划", short_title="测试", region=region, issuing_body="测试市人民政府",
        start_year=2021, end_year=2025,
    )


@pytest.fixture
def indicator():
    return Indicator.objects.create(code="test_output", name="产值", unit="亿元", kind="flow")


def make_target(plan, indicator, **fields):
    defaults = dict(
        plan=plan, key="t", indicator=indicator, region=plan.region, clause="产值达到100亿元",
        value_text="100亿元", comparator="gte", value=Decimal(100), unit="亿元", year=2025,
    )
    defaults.update(fields)
    with transaction.atomic():
        return Target.objects.create(**defaults)


def test_a_valid_target_is_stored(plan, indicator):
    assert make_target(plan, indicator).pk


@pytest.mark.parametrize(
    "fields",
    [
        {"comparator": "range"},  # a range without its upper end
        {"comparator": "range", "value_high": Decimal(50)},  # upper end below lower end
        {"comparator": "gte", "value_high": Decimal(200)},  # upper end on a non-range
        {"comparator": "gte", "tolerance_pct": Decimal(5)},  # tolerance on a non-approx
        {"comparator": "bigger"},
        {"basis": "sometimes"},
    ],
)
def test_database_rejects_inconsistent_targets(plan, indicator, fields):
    with pytest.raises(IntegrityError):
        make_target(plan, indicator, **fields)


def test_plan_period_must_be_ordered(plan):
    plan.end_year = 2020
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()


def test_target_keys_are_unique_within_a_plan(plan, indicator):
    make_target(plan, indicator)
    with pytest.raises(IntegrityError):
        make_target(plan, indicator)
