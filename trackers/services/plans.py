"""Writes for the promise side: regions, departments, indicators and plans from fixtures.

Loading is a sync: every row is keyed by a stable code, so loading the same files twice changes
nothing, and a target removed from a fixture is removed from the database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction

from trackers.models import (
    Baseline,
    Department,
    ExcludedPromise,
    Indicator,
    Milestone,
    Plan,
    Region,
    Target,
)
from trackers.plan_fixtures import check_fixture, check_shared_codes, fixture_paths, read_fixture
from trackers.quantities import normalize_text
from trackers.services.calendar import obligations_generate_for_plan
from trackers.services.responsibility import answerers_refresh_for_plan


class FixtureError(ValueError):
    """A fixture that does not check out; nothing of it is stored."""


@dataclass
class LoadReport:
    plans: dict[str, dict[str, int]] = field(default_factory=dict)


def regions_load(path: Path) -> int:
    rows = yaml.safe_load(path.read_text("utf-8"))
    by_code = {}
    with transaction.atomic():
        for row in rows:  # parents come first in the file
            region, _ = Region.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "name_en": row.get("name_en", ""),
                    "level": row["level"],
                    "parent": by_code.get(row.get("parent")),
                },
            )
            by_code[region.code] = region
    return len(by_code)


def plans_load(fixtures_dir: Path, seeds_dir: Path) -> LoadReport:
    """Load regions and every plan fixture; all or nothing."""
    report = LoadReport()
    with transaction.atomic():
        regions_load(fixtures_dir / "regions.yaml")
        region_names = set(Region.objects.values_list("name", flat=True))
        fixtures = {path.name: read_fixture(path) for path in fixture_paths(fixtures_dir / "plans")}
        shared = check_shared_codes(fixtures)
        if shared:
            raise FixtureError("; ".join(shared))
        for name, data in fixtures.items():
            seed_text = (seeds_dir / data["plan"]["seed_file"]).read_text("utf-8")
            problems = check_fixture(data, seed_text, region_names)
            if problems:
                raise FixtureError(f"{name}: " + "; ".join(problems))
            plan = plan_load(data, seed_text)
            report.plans[plan.code] = {
                "targets": plan.targets.count(),
                "milestones": plan.milestones.count(),
                "baselines": plan.baselines.count(),
                "excluded": plan.excluded.count(),
            }
    return report


def plan_load(data: dict, seed_text: str) -> Plan:
    regions = {region.name: region for region in Region.objects.all()}
    indicators = {row["code"]: _indicator_sync(row) for row in data["indicators"]}
    departments = {row["code"]: _department_sync(row, regions) for row in data["departments"]}
    plan = _plan_sync(data["plan"], regions, seed_text)
    plan.coordinating_departments.set([departments[c] for c in data["plan"].get("coordinating_departments") or []])
    default_region = plan.region
    baselines = {
        row["key"]: _baseline_sync(plan, row, indicators, regions, default_region)
        for row in data["baselines"]
    }
    targets = [
        _target_sync(plan, row, indicators, baselines, departments, regions, default_region)
        for row in data["targets"]
    ]
    milestones = [_milestone_sync(plan, row, departments, regions, default_region) for row in data["milestones"]]
    excluded = [_excluded_sync(plan, row) for row in data["excluded"]]
    # Rows that left the fixture leave the database too.
    plan.targets.exclude(pk__in=[t.pk for t in targets]).delete()
    plan.milestones.exclude(pk__in=[m.pk for m in milestones]).delete()
    plan.excluded.exclude(pk__in=[e.pk for e in excluded]).delete()
    plan.baselines.exclude(pk__in=[b.pk for b in baselines.values()]).delete()
    answerers_refresh_for_plan(plan)
    obligations_generate_for_plan(plan)
    return plan


def _indicator_sync(row: dict) -> Indicator:
    indicator, _ = Indicator.objects.update_or_create(
        code=row["code"],
        defaults={
            "name": row["name"],
            "name_en": row.get("name_en", ""),
            "definition": row.get("definition") or "",
            "unit": row["unit"],
            "direction": row["direction"],
            "kind": row["kind"],
            "allows_negative": bool(row.get("allows_negative", False)),
        },
    )
    return indicator


def _department_sync(row: dict, regions: dict[str, Region]) -> Department:
    department, _ = Department.objects.update_or_create(
        code=row["code"],
        defaults={
            "name": row["name"],
            "full_name": row.get("full_name") or row["name"],
            "region": regions[row["region"]],
        },
    )
    return department


def _plan_sync(row: dict, regions: dict[str, Region], seed_text: str) -> Plan:
    plan, _ = Plan.objects.update_or_create(
        code=row["code"],
        defaults={
            "title": normalize_text(row["title"]),
            "short_title": row["short_title"],
            "region": regions[row["region"]],
            "issuing_body": row["issuing_body"],
            "start_year": row["start_year"],
            "end_year": row["end_year"],
            "document_status": row.get("document_status", Plan.DocumentStatus.FINAL),
            "published_on": _date_or_none(row.get("published_on")),
            "seed_file": row["seed_file"],
            "source_text": seed_text,
            "coordinating_basis": row.get("coordinating_basis") or "assigned",
            "coordinating_clause": row.get("coordinating_clause") or "",
        },
    )
    return plan


def _baseline_sync(plan, row, indicators, regions, default_region) -> Baseline:
    baseline, _ = Baseline.objects.update_or_create(
        plan=plan,
        key=row["key"],
        defaults={
            "indicator": indicators[row["indicator"]],
            "region": regions.get(row.get("region"), default_region),
            "year": row["year"],
            "value": Decimal(str(row["value"])),
            "unit": row["unit"],
            "value_text": str(row["value_text"]),
            "qualifier": row.get("qualifier", Baseline.Qualifier.EXACT),
            "clause": row["clause"],
        },
    )
    return baseline


def _target_sync(plan, row, indicators, baselines, departments, regions, default_region) -> Target:
    target, _ = Target.objects.update_or_create(
        plan=plan,
        key=row["key"],
        defaults={
            "indicator": indicators[row["indicator"]],
            "region": regions.get(row.get("region"), default_region),
            "section": row.get("section") or "",
            "clause": row["clause"],
            "value_text": str(row["value_text"]),
            "comparator": row["comparator"],
            "value": Decimal(str(row["value"])),
            "value_high": _decimal_or_none(row.get("value_high")),
            "unit": row["unit"],
            "tolerance_pct": _decimal_or_none(row.get("tolerance_pct")),
            "year": row["year"],
            "basis": row.get("basis") or Target.Basis.LEVEL,
            "aspirational": bool(row.get("aspirational", False)),
            "composition": row.get("composition") or "",
            "baseline": baselines.get(row.get("baseline")),
            "departments_basis": row.get("departments_basis") or "none",
            "departments_clause": row.get("departments_clause") or "",
            "note": row.get("note") or "",
        },
    )
    _responsibilities_set(target, row, departments)
    return target


def _milestone_sync(plan, row, departments, regions, default_region) -> Milestone:
    milestone, _ = Milestone.objects.update_or_create(
        plan=plan,
        key=row["key"],
        defaults={
            "title": row["title"],
            "clause": row["clause"],
            "deadline": _date_or_none(row["deadline"]),
            "region": regions.get(row.get("region"), default_region),
            "section": row.get("section") or "",
            "departments_basis": row.get("departments_basis") or "none",
            "departments_clause": row.get("departments_clause") or "",
        },
    )
    _responsibilities_set(milestone, row, departments)
    return milestone


def _excluded_sync(plan, row) -> ExcludedPromise:
    excluded, _ = ExcludedPromise.objects.update_or_create(
        plan=plan, clause=row["clause"], defaults={"reason": row["reason"]}
    )
    return excluded


def _responsibilities_set(obj, row: dict, departments: dict[str, Department]) -> None:
    obj.lead_departments.set([departments[c] for c in row.get("lead_departments") or []])
    obj.cooperating_departments.set([departments[c] for c in row.get("cooperating_departments") or []])


def _decimal_or_none(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _date_or_none(value) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
