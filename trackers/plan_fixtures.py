"""Reading and checking the curated plan fixtures (fixtures/plans/*.yaml; see fixtures/SCHEMA.md).

Pure Python: the loader refuses a fixture with problems, the tests assert there are none, and
fixtures/check_plan.py prints them for whoever curates a plan.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .quantities import UnitError, convert, is_known_unit, normalize_text, parse_quantity

COMPARATORS = {"gte", "gt", "approx", "range", "lte", "lt", "eq"}
BASES = {"level", "cumulative", "annual"}
QUALIFIERS = {"exact", "over", "about", "at_least", "under"}
DIRECTIONS = {"higher", "lower"}
KINDS = {"flow", "stock", "share", "rate", "count"}
DEPARTMENT_BASES = {"stated", "inferred", "none"}
DOCUMENT_STATUSES = {"final", "consultation_draft"}


def read_fixture(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    for section in ("departments", "indicators", "baselines", "targets", "milestones", "excluded"):
        data.setdefault(section, None)
        data[section] = data[section] or []
    return data


def fixture_paths(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def check_fixture(data: dict, seed_text: str, region_names: set[str]) -> list[str]:
    """Every problem in one plan fixture, as readable lines; empty when it is sound."""
    text = normalize_text(seed_text)
    problems: list[str] = []
    problems += _check_plan(data["plan"], region_names)
    indicators = {row["code"]: row for row in data["indicators"]}
    problems += _check_indicators(data["indicators"])
    departments = {row["code"] for row in data["departments"]}
    problems += _check_departments(data["departments"], region_names)
    baselines = {row["key"]: row for row in data["baselines"]}
    problems += _check_coordinators(data["plan"], departments, text)
    problems += _check_unique_keys("baselines", data["baselines"])
    problems += _check_unique_keys("targets", data["targets"])
    problems += _check_unique_keys("milestones", data["milestones"])
    for row in data["baselines"]:
        where = f"baseline {row.get('key')}"
        problems += _check_clause(where, row, text)
        problems += _check_quantity(where, row, indicators)
        problems += _check_region(where, row, region_names)
        if row.get("qualifier") not in QUALIFIERS:
            problems.append(f"{where}: qualifier {row.get('qualifier')!r} not one of {sorted(QUALIFIERS)}")
    for row in data["targets"]:
        where = f"target {row.get('key')}"
        problems += _check_clause(where, row, text)
        problems += _check_quantity(where, row, indicators)
        problems += _check_region(where, row, region_names)
        problems += _check_target_fields(where, row, baselines, data["plan"])
        problems += _check_departments_named(where, row, departments, text)
    for row in data["milestones"]:
        where = f"milestone {row.get('key')}"
        problems += _check_clause(where, row, text)
        problems += _check_region(where, row, region_names)
        problems += _check_departments_named(where, row, departments, text)
        if not str(row.get("deadline", "")):
            problems.append(f"{where}: no deadline")
    for row in data["excluded"]:
        problems += _check_clause(f"excluded {row.get('clause', '')[:20]}", row, text)
        if not row.get("reason"):
            problems.append(f"excluded {row.get('clause', '')[:20]}: no reason")
    return problems


def _check_plan(plan: dict, region_names: set[str]) -> list[str]:
    problems = []
    for field in ("code", "seed_file", "title", "short_title", "region", "issuing_body", "start_year", "end_year"):
        if not plan.get(field):
            problems.append(f"plan: missing {field}")
    if plan.get("region") not in region_names:
        problems.append(f"plan: unknown region {plan.get('region')!r}")
    if plan.get("document_status", "final") not in DOCUMENT_STATUSES:
        problems.append(f"plan: document_status {plan.get('document_status')!r}")
    if plan.get("start_year") and plan.get("end_year") and plan["end_year"] < plan["start_year"]:
        problems.append("plan: end_year before start_year")
    return problems


def _check_coordinators(plan: dict, departments: set[str], text: str) -> list[str]:
    codes = plan.get("coordinating_departments") or []
    problems = [f"plan: coordinating department {c!r} not declared" for c in codes if c not in departments]
    if not codes:
        problems.append("plan: name coordinating_departments (who answers for targets with none)")
    if plan.get("coordinating_basis") not in ("stated", "assigned"):
        problems.append("plan: coordinating_basis must be stated or assigned")
    clause = plan.get("coordinating_clause")
    if plan.get("coordinating_basis") == "stated" and (not clause or clause not in text):
        problems.append("plan: a stated coordinating_clause must occur verbatim in the seed")
    return problems


def _check_indicators(rows: list[dict]) -> list[str]:
    problems = _check_unique_keys("indicators", rows, key="code")
    for row in rows:
        where = f"indicator {row.get('code')}"
        if not row.get("name"):
            problems.append(f"{where}: no name")
        if row.get("direction") not in DIRECTIONS:
            problems.append(f"{where}: direction {row.get('direction')!r}")
        if row.get("kind") not in KINDS:
            problems.append(f"{where}: kind {row.get('kind')!r}")
        if not row.get("unit"):
            problems.append(f"{where}: no unit")
    return problems


def _check_departments(rows: list[dict], region_names: set[str]) -> list[str]:
    problems = _check_unique_keys("departments", rows, key="code")
    for row in rows:
        if row.get("region") not in region_names:
            problems.append(f"department {row.get('code')}: unknown region {row.get('region')!r}")
        if not row.get("name"):
            problems.append(f"department {row.get('code')}: no name")
    return problems


def _check_unique_keys(section: str, rows: list[dict], key: str = "key") -> list[str]:
    seen, problems = set(), []
    for row in rows:
        value = row.get(key)
        if not value:
            problems.append(f"{section}: a row has no {key}")
        elif value in seen:
            problems.append(f"{section}: {key} {value!r} appears twice")
        seen.add(value)
    return problems


def _check_clause(where: str, row: dict, text: str) -> list[str]:
    clause = row.get("clause") or ""
    if not clause:
        return [f"{where}: no clause"]
    if clause != normalize_text(clause):
        return [f"{where}: clause contains whitespace"]
    if clause not in text:
        return [f"{where}: clause not found verbatim in the seed text: {clause}"]
    return []


def _check_region(where: str, row: dict, region_names: set[str]) -> list[str]:
    region = row.get("region")
    if region is not None and region not in region_names:
        return [f"{where}: unknown region {region!r}"]
    return []


def _check_quantity(where: str, row: dict, indicators: dict[str, dict]) -> list[str]:
    problems = []
    indicator = indicators.get(row.get("indicator"))
    if indicator is None:
        return [f"{where}: indicator {row.get('indicator')!r} not declared in this file"]
    value_text = str(row.get("value_text") or "")
    if not value_text or value_text not in (row.get("clause") or ""):
        return [f"{where}: value_text {value_text!r} not in its clause"]
    try:
        value = Decimal(str(row["value"]))
        high = Decimal(str(row["value_high"])) if row.get("value_high") not in (None, "") else None
    except (KeyError, InvalidOperation):
        return [f"{where}: value {row.get('value')!r} is not a decimal"]
    try:
        quantity = parse_quantity(value_text)
    except ValueError as error:
        return [f"{where}: cannot read {value_text!r}: {error}"]
    unit = row.get("unit") or ""
    if quantity.low != value or quantity.high != high:
        problems.append(
            f"{where}: value_text {value_text!r} reads as {quantity.low}-{quantity.high}, "
            f"fixture says {value}-{high}"
        )
    if quantity.unit and quantity.unit != unit:
        problems.append(f"{where}: value_text unit {quantity.unit!r} but unit {unit!r}")
    if not is_known_unit(unit) and unit != indicator["unit"]:
        problems.append(f"{where}: unit {unit!r} is unknown and differs from the indicator's")
    else:
        try:
            convert(value, unit, indicator["unit"])
        except UnitError:
            problems.append(f"{where}: unit {unit!r} does not convert to indicator unit {indicator['unit']!r}")
    return problems


def _check_target_fields(where: str, row: dict, baselines: dict, plan: dict) -> list[str]:
    problems = []
    comparator = row.get("comparator")
    if comparator not in COMPARATORS:
        problems.append(f"{where}: comparator {comparator!r}")
    has_high = row.get("value_high") not in (None, "")
    if (comparator == "range") != has_high:
        problems.append(f"{where}: value_high goes with comparator range, and only with it")
    if row.get("tolerance_pct") not in (None, "") and comparator != "approx":
        problems.append(f"{where}: tolerance_pct only for approx")
    if row.get("basis", "level") not in BASES:
        problems.append(f"{where}: basis {row.get('basis')!r}")
    if not isinstance(row.get("year"), int):
        problems.append(f"{where}: year {row.get('year')!r} is not a year")
    elif not year_fits_period(row["year"], plan["start_year"], plan["end_year"]):
        problems.append(f"{where}: year {row['year']} far outside the plan period")
    baseline_key = row.get("baseline")
    if baseline_key:
        baseline = baselines.get(baseline_key)
        if baseline is None:
            problems.append(f"{where}: baseline {baseline_key!r} not declared")
        elif baseline.get("indicator") != row.get("indicator"):
            problems.append(f"{where}: baseline {baseline_key!r} measures another indicator")
    return problems


def year_fits_period(year: int, start_year: int, end_year: int) -> bool:
    """A target's year lies in its plan's period, or a year before it (the base year a plan
    restates) up to five years after it (a 2030 vision in a 2021-2025 plan)."""
    return start_year - 1 <= year <= end_year + 5


def _check_departments_named(where: str, row: dict, departments: set[str], text: str) -> list[str]:
    problems = []
    named = list(row.get("lead_departments") or []) + list(row.get("cooperating_departments") or [])
    for code in named:
        if code not in departments:
            problems.append(f"{where}: department {code!r} not declared")
    basis = row.get("departments_basis", "none")
    if basis not in DEPARTMENT_BASES:
        problems.append(f"{where}: departments_basis {basis!r}")
    if (basis != "none") != bool(named):
        problems.append(f"{where}: departments_basis {basis} does not fit the departments named")
    clause = row.get("departments_clause")
    if clause and clause not in text:
        problems.append(f"{where}: departments_clause not found verbatim: {clause}")
    return problems


def check_shared_codes(fixtures: dict[str, dict]) -> list[str]:
    """Indicators and departments are shared across plans by code: every file that declares a
    code must declare the same thing, or the last one loaded would silently win."""
    problems = []
    for section, fields in (("indicators", ("name", "unit", "kind", "direction")), ("departments", ("name", "region"))):
        first_seen: dict[str, tuple[str, tuple]] = {}
        for name, data in sorted(fixtures.items()):
            for row in data[section]:
                signature = tuple(str(row.get(f)) for f in fields)
                origin = first_seen.setdefault(row["code"], (name, signature))
                if origin[1] != signature:
                    problems.append(
                        f"{section[:-1]} {row['code']!r}: {name} declares {signature}, {origin[0]} declares {origin[1]}"
                    )
    return problems
