"""Writes for the promise side from the curated fixtures: regions, departments, indicators, plans.

The database owns the plans once they are loaded. The loader creates and updates only the rows
it owns (origin "curated"), and only while nobody has changed them since it wrote them: each
such row keeps the fingerprint of the values the loader wrote (Provenance.curated_fingerprint).
A row whose values no longer hash to it was edited by people (a revision, say): a fixture change
to it is reported, never applied. Nothing people added, and nothing that figures, proposals or
snapshots refer to, is deleted: a curated target that leaves its fixture is retired (valid_to),
as a revision retires one. Loading is all or nothing, and safe to run on every deploy.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import models, transaction
from django.utils import timezone

from trackers import signals
from trackers.models import (
    Baseline,
    Department,
    ExcludedPromise,
    Indicator,
    Milestone,
    Origin,
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
    """What a load did and found, one readable line per row concerned."""

    plans: dict[str, dict[str, int]] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # Edited by people while the fixture stayed as the loader wrote it: their edit stands.
    kept: list[str] = field(default_factory=list)
    # The fixture changed a row people have edited (or the loader has no record of writing): not applied.
    conflicts: list[str] = field(default_factory=list)
    # Indicators and departments several fixtures share are synced once per load, as the last
    # file (by name) declares them, as loaders always have (check_shared_codes makes sure the
    # files agree on what matters: names, units, kinds, regions).
    shared: dict[tuple[str, str], models.Model] = field(default_factory=dict, repr=False)
    declared: dict[tuple[str, str], dict] = field(default_factory=dict, repr=False)


@dataclass
class Curated:
    """One row as its fixture states it: the fields the loader owns and its many-to-many sets."""

    label: str
    fields: dict
    m2m: dict = field(default_factory=dict)

    def values(self) -> dict[str, str]:
        return {name: _canonical(value) for name, value in {**self.fields, **self.m2m}.items()}


def regions_load(path: Path, report: LoadReport | None = None) -> int:
    report = report if report is not None else LoadReport()
    rows = yaml.safe_load(path.read_text("utf-8"))
    by_code: dict[str, Region] = {}
    with transaction.atomic():
        for row in rows:  # parents come first in the file
            wanted = Curated(f"region {row['code']}", {
                "name": row["name"], "name_en": row.get("name_en", ""), "level": row["level"],
                "parent": by_code.get(row.get("parent")),
            })
            existing = Region.objects.filter(code=row["code"]).first()
            if existing is None:
                existing = _region_added_by_people(row["name"], report)
            by_code[row["code"]] = _sync(report, Region, existing, wanted, {"code": row["code"]})
    return len(by_code)


def _region_added_by_people(name: str, report: LoadReport) -> Region | None:
    """A region intake added before a fixture named it is the same place: keep it, say so."""
    region = Region.objects.filter(name=name).first()
    if region is not None:
        report.kept.append(f"region {name}: added by a reviewer as {region.code}; kept under that code")
    return region


def plans_load(fixtures_dir: Path, seeds_dir: Path) -> LoadReport:
    """Load regions and every plan fixture; all or nothing."""
    report = LoadReport()
    with transaction.atomic():
        regions_load(fixtures_dir / "regions.yaml", report)
        region_names = set(Region.objects.values_list("name", flat=True))
        fixtures = {path.name: read_fixture(path) for path in fixture_paths(fixtures_dir / "plans")}
        shared = check_shared_codes(fixtures)
        if shared:
            raise FixtureError("; ".join(shared))
        for data in fixtures.values():
            for section in ("indicators", "departments"):
                report.declared.update({(section, row["code"]): row for row in data[section]})
        for name, data in fixtures.items():
            seed_text = (seeds_dir / data["plan"]["seed_file"]).read_text("utf-8")
            problems = check_fixture(data, seed_text, region_names)
            if problems:
                raise FixtureError(f"{name}: " + "; ".join(problems))
            plan = plan_load(data, seed_text, report)
            report.plans[plan.code] = {
                "targets": plan.targets.count(),
                "milestones": plan.milestones.count(),
                "baselines": plan.baselines.count(),
                "excluded": plan.excluded.count(),
            }
    return report


def plan_load(data: dict, seed_text: str, report: LoadReport | None = None) -> Plan:
    report = report if report is not None else LoadReport()
    regions = {region.name: region for region in Region.objects.all()}
    indicators = {row["code"]: _indicator_sync(row, report) for row in data["indicators"]}
    departments = {row["code"]: _department_sync(row, regions, report) for row in data["departments"]}
    plan = _plan_sync(data["plan"], regions, departments, seed_text, report)
    context = _PlanContext(plan, indicators, departments, regions, report)
    baselines = {row["key"]: _baseline_sync(context, row) for row in data["baselines"]}
    context.baselines = baselines
    targets = {row["key"] for row in data["targets"] if _target_sync(context, row) is not None}
    milestones = {row["key"] for row in data["milestones"] if _milestone_sync(context, row) is not None}
    excluded = [_excluded_sync(plan, row) for row in data["excluded"]]
    _targets_left_fixture(context, targets)
    _milestones_left_fixture(context, milestones)
    _baselines_left_fixture(context, set(baselines))
    plan.excluded.exclude(pk__in=[e.pk for e in excluded]).delete()  # the loader's own notes; nothing refers to them
    answerers_refresh_for_plan(plan)
    obligations_generate_for_plan(plan)
    return plan


@dataclass
class _PlanContext:
    plan: Plan
    indicators: dict[str, Indicator]
    departments: dict[str, Department]
    regions: dict[str, Region]
    report: LoadReport
    baselines: dict[str, Baseline | None] = field(default_factory=dict)

    def region(self, row: dict) -> Region:
        return self.regions.get(row.get("region"), self.plan.region)

    def label(self, kind: str, key: str) -> str:
        return f"{kind} {self.plan.code}/{key}"


# The one rule: create, update while unchanged since written, otherwise report.

def _sync(report: LoadReport, model, row, wanted: Curated, identity: dict, **extra):
    """Bring `row` (None: not there yet) to what the fixture states, if the loader may."""
    owned = _OWNED_FIELDS.get(model)
    if owned is not None and (tuple(wanted.fields), tuple(wanted.m2m)) != owned:
        raise ValueError(f"{model.__name__}: the fields the loader owns are listed once, in _OWNED_FIELDS")
    fixture = wanted.values()
    fixture_print = fingerprint(fixture)
    if row is None:
        row = model(**identity, **wanted.fields, **extra, origin=Origin.CURATED, curated_fingerprint=fixture_print)
        row.save()
        _m2m_set(row, wanted.m2m)
        report.created.append(wanted.label)
        return row
    stored = _stored_values(row, wanted)
    stored_print = fingerprint(stored)
    if stored_print == fixture_print:
        if row.origin == Origin.CURATED and row.curated_fingerprint != fixture_print:
            model._base_manager.filter(pk=row.pk).update(curated_fingerprint=fixture_print)
        return row
    differing = ", ".join(name for name in fixture if fixture[name] != stored.get(name))
    if row.origin == Origin.CURATED and row.curated_fingerprint == stored_print:
        for name, value in wanted.fields.items():
            setattr(row, name, value)
        row.curated_fingerprint = fixture_print
        row.save()
        _m2m_set(row, wanted.m2m)
        report.updated.append(f"{wanted.label} ({differing})")
    elif row.curated_fingerprint and row.curated_fingerprint == fixture_print:
        report.kept.append(f"{wanted.label}: edited by people ({differing}); the fixture has not changed")
    elif row.curated_fingerprint:
        report.conflicts.append(
            f"{wanted.label}: edited by people since it was loaded; the fixture's change ({differing}) was not applied")
    else:
        report.conflicts.append(
            f"{wanted.label}: differs from the fixture ({differing}) and the loader has no record of writing it; kept")
    return row


def _unchanged_since_loaded(row, wanted: Curated) -> bool:
    return row.origin == Origin.CURATED and row.curated_fingerprint == fingerprint(_stored_values(row, wanted))


def fingerprint(values: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _canonical(value) -> str:
    """One spelling per value, so a row read back hashes as the fixture did: 1200 = 1200.000000."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple, set)):
        return ",".join(sorted(_canonical(item) for item in value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _stored_values(row, wanted: Curated) -> dict[str, str]:
    values = {}
    for name in wanted.fields:
        model_field = row._meta.get_field(name)
        values[name] = _canonical(getattr(row, model_field.attname))
    for name in wanted.m2m:
        values[name] = _canonical(list(getattr(row, name).values_list("pk", flat=True)))
    return values


def _m2m_set(row, m2m: dict) -> None:
    for name, items in m2m.items():
        getattr(row, name).set(items)


# Shared rows

def _indicator_sync(row: dict, report: LoadReport) -> Indicator:
    if ("indicator", row["code"]) in report.shared:
        return report.shared["indicator", row["code"]]
    row = report.declared.get(("indicators", row["code"]), row)
    wanted = Curated(f"indicator {row['code']}", {
        "name": row["name"], "name_en": row.get("name_en", ""), "definition": row.get("definition") or "",
        "unit": row["unit"], "direction": row["direction"], "kind": row["kind"],
        "allows_negative": bool(row.get("allows_negative", False)),
    })
    indicator = _sync(report, Indicator, Indicator.objects.filter(code=row["code"]).first(), wanted, {"code": row["code"]})
    report.shared["indicator", row["code"]] = indicator
    return indicator


def _department_sync(row: dict, regions: dict[str, Region], report: LoadReport) -> Department:
    if ("department", row["code"]) in report.shared:
        return report.shared["department", row["code"]]
    row = report.declared.get(("departments", row["code"]), row)
    region = regions[row["region"]]
    wanted = Curated(f"department {row['code']}", {
        "name": row["name"], "full_name": row.get("full_name") or row["name"], "region": region,
    })
    existing = Department.objects.filter(code=row["code"]).first()
    if existing is None:
        # A department intake created from a bracket before a fixture named it is the same office.
        existing = Department.objects.filter(region=region, name=row["name"]).first()
        if existing is not None:
            report.kept.append(f"department {row['code']}: added by a reviewer as {existing.code}; kept under that code")
    department = existing if existing is not None and existing.code != row["code"] else _sync(
        report, Department, existing, wanted, {"code": row["code"]})
    report.shared["department", row["code"]] = department
    return department


def _plan_sync(row: dict, regions, departments, seed_text: str, report: LoadReport) -> Plan:
    wanted = Curated(f"plan {row['code']}", {
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
    }, {"coordinating_departments": [departments[c] for c in row.get("coordinating_departments") or []]})
    existing = Plan.objects.filter(code=row["code"]).first()
    # Curated plans are published by the loader: they are what the service was built to track.
    return _sync(report, Plan, existing, wanted, {"code": row["code"]}, published_at=timezone.now())


# A plan's promises

def _baseline_sync(context: _PlanContext, row: dict) -> Baseline:
    wanted = Curated(context.label("baseline", row["key"]), {
        "indicator": context.indicators[row["indicator"]],
        "region": context.region(row),
        "year": row["year"],
        "value": Decimal(str(row["value"])),
        "unit": row["unit"],
        "value_text": str(row["value_text"]),
        "qualifier": row.get("qualifier", Baseline.Qualifier.EXACT),
        "clause": row["clause"],
    })
    existing = context.plan.baselines.filter(key=row["key"]).first()
    return _sync(context.report, Baseline, existing, wanted, {"plan": context.plan, "key": row["key"]})


def _target_sync(context: _PlanContext, row: dict) -> Target | None:
    wanted = Curated(context.label("target", row["key"]), {
        "indicator": context.indicators[row["indicator"]],
        "region": context.region(row),
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
        "baseline": context.baselines.get(row.get("baseline")),
        "departments_basis": row.get("departments_basis") or "none",
        "departments_clause": row.get("departments_clause") or "",
        "note": row.get("note") or "",
    }, _departments(row, context.departments))
    existing = Target.objects.filter(plan=context.plan, key=row["key"]).first()
    if existing is None:
        retired = Target.all_versions.filter(plan=context.plan, key=row["key"]).order_by("-valid_to", "-pk").first()
        if retired is not None and retired.retired_by_id is not None:
            if retired.curated_fingerprint != fingerprint(wanted.values()):
                context.report.conflicts.append(
                    f"{wanted.label}: removed by a revision of the plan; the fixture's change was not applied")
            return None
        if retired is not None:  # it left the fixture once and is back: a new version from today
            return _sync(context.report, Target, None, wanted, {"plan": context.plan, "key": row["key"]},
                         valid_from=timezone.localdate(), replaces=retired)
    return _sync(context.report, Target, existing, wanted, {"plan": context.plan, "key": row["key"]})


def _milestone_sync(context: _PlanContext, row: dict) -> Milestone:
    wanted = Curated(context.label("milestone", row["key"]), {
        "title": row["title"],
        "clause": row["clause"],
        "deadline": _date_or_none(row["deadline"]),
        "region": context.region(row),
        "section": row.get("section") or "",
        "departments_basis": row.get("departments_basis") or "none",
        "departments_clause": row.get("departments_clause") or "",
    }, _departments(row, context.departments))
    existing = context.plan.milestones.filter(key=row["key"]).first()
    return _sync(context.report, Milestone, existing, wanted, {"plan": context.plan, "key": row["key"]})


def _excluded_sync(plan, row) -> ExcludedPromise:
    excluded, _ = ExcludedPromise.objects.update_or_create(
        plan=plan, clause=row["clause"], defaults={"reason": row["reason"]}
    )
    return excluded


def _departments(row: dict, departments: dict[str, Department]) -> dict:
    return {
        "lead_departments": [departments[c] for c in row.get("lead_departments") or []],
        "cooperating_departments": [departments[c] for c in row.get("cooperating_departments") or []],
    }


# Rows the fixture no longer lists: never deleted if people touched them or anything refers to them.

def _targets_left_fixture(context: _PlanContext, keys: set[str]) -> None:
    today = timezone.localdate()
    for target in Target.objects.filter(plan=context.plan, origin=Origin.CURATED).exclude(key__in=keys):
        label = context.label("target", target.key)
        if target.curated_fingerprint and _still_as_loaded(target):
            target.valid_to = today
            target.save(update_fields=["valid_to"])
            signals.targets_retired.send(sender=Target, target_ids=[target.pk], on=today)
            context.report.retired.append(f"{label}: left the fixture; retired from {today}, earlier reports keep it")
        else:
            context.report.kept.append(f"{label}: left the fixture but was edited by people; kept")


def _milestones_left_fixture(context: _PlanContext, keys: set[str]) -> None:
    for milestone in context.plan.milestones.filter(origin=Origin.CURATED).exclude(key__in=keys):
        label = context.label("milestone", milestone.key)
        referred = milestone.completed_on is not None or milestone.snapshots.exists() or milestone.proposals.exists()
        if milestone.curated_fingerprint and _still_as_loaded(milestone) and not referred:
            milestone.delete()
            context.report.deleted.append(f"{label}: left the fixture")
        else:
            context.report.kept.append(f"{label}: left the fixture but is completed, computed or edited; kept")


def _baselines_left_fixture(context: _PlanContext, keys: set[str]) -> None:
    for baseline in context.plan.baselines.filter(origin=Origin.CURATED).exclude(key__in=keys):
        label = context.label("baseline", baseline.key)
        referred = Target.all_versions.filter(baseline=baseline).exists() or baseline.proposals.exists()
        if baseline.curated_fingerprint and _still_as_loaded(baseline) and not referred:
            baseline.delete()
            context.report.deleted.append(f"{label}: left the fixture")
        else:
            context.report.kept.append(f"{label}: left the fixture but targets refer to it or it was edited; kept")


def _still_as_loaded(row) -> bool:
    """Whether a row that left its fixture still holds what the loader wrote (its fingerprint
    over the fields the loader writes for its kind)."""
    fields, m2m = _OWNED_FIELDS[type(row)]
    wanted = Curated("", dict.fromkeys(fields), dict.fromkeys(m2m))
    return _unchanged_since_loaded(row, wanted)


_OWNED_FIELDS = {
    Target: (("indicator", "region", "section", "clause", "value_text", "comparator", "value", "value_high", "unit",
              "tolerance_pct", "year", "basis", "aspirational", "composition", "baseline", "departments_basis",
              "departments_clause", "note"), ("lead_departments", "cooperating_departments")),
    Milestone: (("title", "clause", "deadline", "region", "section", "departments_basis", "departments_clause"),
                ("lead_departments", "cooperating_departments")),
    Baseline: (("indicator", "region", "year", "value", "unit", "value_text", "qualifier", "clause"), ()),
}


def _decimal_or_none(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _date_or_none(value) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
