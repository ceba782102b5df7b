"""Loading the curated published figures (fixtures/published/*.yaml, SCHEMA.md) into the database.

All or nothing: every file is checked by the pure checker (trackers.published_fixtures) and
against the database; any problem refuses the whole load, naming file, figure and field, and
nothing is stored. Idempotent: a figure already loaded (plan, key) is left alone when the file
still says the same; a file that now says something else is refused (a loaded figure is corrected
through the review, not by the loader).

A figure whose scope matches its target's indicator is submitted for review through the same
service as a department's figure (services.actuals.figures_submit), as a version with origin
"published", by the curator account; a reviewer accepts each. Any other figure is kept with its
citation only, shown beside its target and never counted (PublishedFigure.standing says why).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction

from trackers import roles
from trackers.exceptions import DomainError
from trackers.models import Actual, Answerer, Department, Indicator, Plan, PublishedFigure, Region, Target
from trackers.plan_fixtures import read_fixture
from trackers.published_fixtures import check_published, published_paths, read_published, value_in_unit
from trackers.services.actuals import FigureInput, FiguresRefused, FigureWrite, figures_submit

CURATOR_USERNAME = "published-figures"  # submits the published figures; cannot log in
Standing = PublishedFigure.Standing


class PublishedFiguresRefused(DomainError):
    """The load was refused and nothing was stored; `problems` name file, figure and field."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the published figures:\n" + "\n".join(problems))
        self.problems = problems


@dataclass
class PublishedLoad:
    created: dict[str, int] = field(default_factory=dict)  # standing -> figures stored now
    unchanged: int = 0
    versions: list = field(default_factory=list)  # the versions submitted for review now


def published_load(fixtures_dir: Path, published_dir: Path | None = None) -> PublishedLoad:
    """Load every file of `published_dir` (default fixtures_dir/published), checked against the
    plan fixtures and regions of `fixtures_dir`. The plans must be loaded first (load_plans)."""
    published_dir = published_dir or fixtures_dir / "published"
    regions = {row["name"] for row in yaml.safe_load((fixtures_dir / "regions.yaml").read_text("utf-8"))}
    files, problems = [], []
    for path in published_paths(published_dir):
        data = read_published(path)
        plan_path = fixtures_dir / "plans" / f"{data.get('plan')}.yaml"
        if not plan_path.exists():
            problems.append(f"{path.name}: plan: no plan fixture {data.get('plan')!r}")
            continue
        problems += [f"{path.name}: {problem}" for problem in check_published(data, read_fixture(plan_path), regions)]
        files.append((path, data))
    if problems:
        raise PublishedFiguresRefused(problems)
    with transaction.atomic():
        result = _load(files)  # raises, rolling everything back, on any problem
    return result


def _load(files: list[tuple[Path, dict]]) -> PublishedLoad:
    known = _Known(files)
    problems = list(known.problems)
    result, rows, writes = PublishedLoad(), [], []
    seen_figures: set[tuple] = set()
    for path, data in files:
        plan = known.plans.get(data["plan"])
        if plan is None:
            continue
        for figure in data["figures"]:
            where = f"{path.name}: figure {figure['key']}"
            wanted = _wanted(figure, known)
            stored = known.stored.get((plan.pk, figure["key"]))
            if stored is not None:
                changed = _changed_fields(stored, wanted)
                problems += [f"{where}: {name} differs from the figure loaded on {stored.loaded_at:%Y-%m-%d} "
                             f"({getattr(stored, name)!r} loaded, {wanted[name]!r} in the file); correct a loaded "
                             "figure through the review" for name in changed]
                result.unchanged += not changed
                continue
            row = PublishedFigure(plan=plan, key=figure["key"], **wanted)
            row.standing = _standing(row, known, seen_figures)
            rows.append(row)
            if row.standing == Standing.SUBMITTED:
                department = known.department(plan, figure["targets"])
                if department is None:
                    problems.append(f"{where}: targets: no department answers for {', '.join(figure['targets'])}")
                    continue
                writes.append((where, row, FigureWrite(department, _figure_input(row))))
    if problems:
        raise PublishedFiguresRefused(problems)
    curator = known.curator_for({write.department for _where, _row, write in writes})
    try:
        versions = figures_submit(user=curator, writes=[write for _where, _row, write in writes])
    except FiguresRefused as refused:
        raise PublishedFiguresRefused([
            f"{writes[position][0]}: {refusal.field}: {refusal.error}"
            for position, found in sorted(refused.refusals.items()) for refusal in found
        ]) from None
    for (_where, row, _write), version in zip(writes, versions):
        row.version = version
    PublishedFigure.objects.bulk_create(rows)
    for row in rows:
        result.created[row.standing] = result.created.get(row.standing, 0) + 1
    result.versions = versions
    return result


class _Known:
    """What the load needs from the database, read in a few queries."""

    def __init__(self, files: list[tuple[Path, dict]]):
        self.problems: list[str] = []
        codes = {data["plan"] for _path, data in files}
        self.plans = {plan.code: plan for plan in Plan.objects.filter(code__in=codes)}
        for path, data in files:
            if data["plan"] not in self.plans:
                self.problems.append(f"{path.name}: plan: {data['plan']} is not loaded (run load_plans first)")
        figures = [figure for _path, data in files for figure in data["figures"]]
        self.indicators = {i.code: i for i in Indicator.objects.filter(code__in={f["indicator"] for f in figures})}
        self.regions = {r.name: r for r in Region.objects.filter(name__in={f["region"] for f in figures})}
        for path, data in files:
            for figure in data["figures"]:
                where = f"{path.name}: figure {figure['key']}"
                if figure["indicator"] not in self.indicators:
                    self.problems.append(f"{where}: indicator: {figure['indicator']} is not loaded")
                if figure["region"] not in self.regions:
                    self.problems.append(f"{where}: region: {figure['region']} is not loaded")
        self.stored = {(row.plan_id, row.key): row for row in PublishedFigure.objects.filter(plan__in=self.plans.values())}
        keys = {(self.indicators[f["indicator"]].pk, self.regions[f["region"]].pk, f["year"])
                for f in figures if f["indicator"] in self.indicators and f["region"] in self.regions}
        self.reported = {
            key for key in Actual.objects.filter(
                indicator__in={k[0] for k in keys}, region__in={k[1] for k in keys}, year__in={k[2] for k in keys},
                versions__isnull=False,
            ).values_list("indicator_id", "region_id", "year")
        } & keys
        # Who answers for each target: the accountable department first, as the calendar owes it.
        self._answerers: dict[tuple[int, str], list[Department]] = {}
        answers = (Answerer.objects.filter(target__in=Target.objects.filter(plan__in=self.plans.values()))
                   .select_related("department", "target").order_by("-accountable", "department_id"))
        for answer in answers:
            self._answerers.setdefault((answer.target.plan_id, answer.target.key), []).append(answer.department)

    def department(self, plan: Plan, target_keys: list[str]) -> Department | None:
        return next((d for key in target_keys for d in self._answerers.get((plan.pk, key), [])), None)

    def curator_for(self, departments: set[Department]):
        """The curator account, a submitter belonging to the departments its figures are filed under."""
        User = get_user_model()
        curator, created = User.objects.get_or_create(username=CURATOR_USERNAME, defaults={"first_name": "公开数据"})
        if created:
            curator.set_unusable_password()
            curator.save(update_fields=["password"])
        curator.groups.add(Group.objects.get(name=roles.SUBMITTER))
        curator.departments.add(*departments)
        return curator


def _wanted(figure: dict, known: _Known) -> dict:
    """The stored fields of a file's figure (the values as the source states them, and in the
    indicator's unit, exactly)."""
    source = figure["source"]
    indicator = known.indicators[figure["indicator"]]
    low, high = value_in_unit(figure, indicator.unit)
    return {
        "indicator": indicator, "region": known.regions[figure["region"]], "year": figure["year"],
        "target_keys": list(figure["targets"]), "measure": figure["measure"],
        "cumulative_since": figure.get("cumulative_since"),
        "value": Decimal(str(figure["value"])),
        "value_high": Decimal(str(figure["value_high"])) if figure.get("value_high") not in (None, "") else None,
        "unit": figure["unit"], "value_in_indicator_unit": low, "value_high_in_indicator_unit": high,
        "value_text": figure["value_text"], "qualifier": figure["qualifier"], "scope": figure["scope"].strip(),
        "scope_matches": figure["scope_matches"], "scope_note": str(figure.get("scope_note") or "").strip(),
        "source_url": source["url"], "publisher": source["publisher"], "source_kind": source["kind"],
        "published_on": source.get("published_on"), "title": source["title"], "sentence": source["sentence"],
        "note": str(figure.get("note") or "").strip(),
    }


def _changed_fields(stored: PublishedFigure, wanted: dict) -> list[str]:
    changed = []
    for name, value in wanted.items():
        if isinstance(value, models.Model):
            differs = getattr(stored, f"{name}_id") != value.pk  # no query per related row
        elif isinstance(value, Decimal):
            differs = getattr(stored, name) is None or Decimal(getattr(stored, name)) != value
        else:
            differs = getattr(stored, name) != value
        if differs:
            changed.append(name)
    return changed


def _standing(row: PublishedFigure, known: _Known, seen: set) -> str:
    if not row.scope_matches:
        return Standing.SCOPE_DIFFERS
    if row.measure == PublishedFigure.Measure.CUMULATIVE:
        # A running total is not a year's figure; deriving the year's addition would be estimating.
        return Standing.RUNNING_TOTAL
    key = (row.indicator.pk, row.region.pk, row.year)
    if key in known.reported or key in seen:
        return Standing.ALREADY_REPORTED
    seen.add(key)
    return Standing.SUBMITTED


def published_source_text(row: PublishedFigure) -> str:
    """The version's source: publisher, title, date and address (the sentence stays with the figure)."""
    date = row.published_on.isoformat() if row.published_on else "—"
    return f"{row.publisher}《{row.title}》（{date}）{row.source_url}"


def _figure_input(row: PublishedFigure) -> FigureInput:
    # Submitted in the indicator's unit: the exact conversion of the stated value, nothing estimated.
    return FigureInput(
        indicator=row.indicator, region=row.region, year=row.year, value=row.value_in_indicator_unit,
        unit=row.indicator.unit, source=published_source_text(row), origin="published",
    )
