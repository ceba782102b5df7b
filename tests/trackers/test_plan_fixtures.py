"""The curated fixtures are faithful to the seed texts: checked on the stored rows."""
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from trackers.models import Baseline, Milestone, Plan, Region, Target
from trackers.plan_fixtures import check_fixture, fixture_paths, read_fixture
from trackers.quantities import convert, normalize_text, parse_quantity

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
PLAN_FILES = fixture_paths(FIXTURES / "plans")
EXPECTED_PLANS = {
    "jiangmen-health-2016-2020",
    "guangdong-biomed-2021-2025",
    "guangzhou-health-elderly-2017-2020",
    "shenzhen-health-2022-2025",
    "chaozhou-biomed-2022-2025",
}


def seed_text(plan: Plan) -> str:
    return normalize_text((settings.SEEDS_DIR / plan.seed_file).read_text("utf-8"))


@pytest.mark.django_db
def test_all_five_plans_are_loaded():
    assert set(Plan.objects.values_list("code", flat=True)) == EXPECTED_PLANS


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.stem)
def test_fixture_file_has_no_problems(path):
    data = read_fixture(path)
    regions = {row["name"] for row in yaml.safe_load((FIXTURES / "regions.yaml").read_text("utf-8"))}
    seed = (settings.SEEDS_DIR / data["plan"]["seed_file"]).read_text("utf-8")
    assert check_fixture(data, seed, regions) == []


def test_plans_agree_on_shared_indicator_and_department_codes():
    from trackers.plan_fixtures import check_shared_codes

    assert check_shared_codes({p.name: read_fixture(p) for p in PLAN_FILES}) == []


def test_a_conflicting_shared_code_is_reported():
    from trackers.plan_fixtures import check_shared_codes

    a = {"indicators": [{"code": "x", "name": "产值", "unit": "亿元", "kind": "flow", "direction": "higher"}],
         "departments": []}
    b = {"indicators": [{"code": "x", "name": "产值", "unit": "万元", "kind": "flow", "direction": "higher"}],
         "departments": []}
    assert len(check_shared_codes({"a.yaml": a, "b.yaml": b})) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(EXPECTED_PLANS))
def test_every_stored_clause_occurs_verbatim_in_its_seed(code):
    plan = Plan.objects.get(code=code)
    text = seed_text(plan)
    clauses = (
        list(plan.targets.values_list("clause", flat=True))
        + list(plan.baselines.values_list("clause", flat=True))
        + list(plan.milestones.values_list("clause", flat=True))
        + list(plan.excluded.values_list("clause", flat=True))
    )
    assert clauses, f"{code} holds nothing"
    missing = [clause for clause in clauses if clause not in text]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(EXPECTED_PLANS))
def test_every_target_number_occurs_in_its_clause(code):
    wrong = []
    for target in Target.objects.filter(plan__code=code).select_related("indicator"):
        quantity = parse_quantity(target.value_text)
        if target.value_text not in target.clause or quantity.low != target.value or quantity.high != target.value_high:
            wrong.append(target.key)
        # The unit converts exactly into the indicator's unit.
        convert(target.value, target.unit, target.indicator.unit)
    for baseline in Baseline.objects.filter(plan__code=code):
        if baseline.value_text not in baseline.clause or parse_quantity(baseline.value_text).low != baseline.value:
            wrong.append(baseline.key)
    assert wrong == []


@pytest.mark.django_db
def test_each_plan_has_targets_and_the_headline_promises():
    headline = {
        ("guangdong-biomed-2021-2025", "万亿元", 1, 2025),
        ("jiangmen-health-2016-2020", "亿元", 500, 2020),
        ("shenzhen-health-2022-2025", "亿元", 1200, 2025),
    }
    for code, unit, value, year in headline:
        assert Target.objects.filter(plan__code=code, unit=unit, value=value, year=year).exists(), code
    for plan in Plan.objects.all():
        assert plan.targets.exists(), plan.code


@pytest.mark.django_db
def test_regions_form_a_tree_under_guangdong():
    guangdong = Region.objects.get(name="广东省")
    assert guangdong.parent is None
    assert set(guangdong.children.values_list("name", flat=True)) >= {"广州市", "深圳市", "江门市", "潮州市"}


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    def dump():
        return {
            "targets": sorted(Target.objects.values_list("pk", "key", "value", "clause", "baseline_id")),
            "milestones": sorted(Milestone.objects.values_list("pk", "key", "deadline")),
            "baselines": sorted(Baseline.objects.values_list("pk", "key", "value")),
            "leads": sorted(Target.lead_departments.through.objects.values_list("target_id", "department_id")),
        }

    before = dump()
    call_command("load_plans", verbosity=0)
    assert dump() == before
