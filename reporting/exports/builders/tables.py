"""The report laid out as titled tables of typed columns, shared by the CSV, XLSX and PDF builders.

Rows hold codes and exact decimals; labels are translated here, at rendering time, in the
active language, so the data (and its checksum) never depends on the reader's language.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kpis.core import vocabulary
from kpis.core.missing import is_missing
from reporting import formatting, wording
from reporting.models import ScopeType
from trackers.spreadsheets import plain_number

from ..report import REPORT_SCHEMA, GapReport, Generation


class _Labels(Mapping):
    """Code -> label of a vocabulary, translated in the language active when a cell is written."""

    def __init__(self, vocabulary_: dict[str, str]):
        self._vocabulary = vocabulary_

    def __getitem__(self, code):
        return gettext(self._vocabulary[code])

    def __iter__(self):
        return iter(self._vocabulary)

    def __len__(self):
        return len(self._vocabulary)


STATUS_LABELS = _Labels(vocabulary.STATUSES)
MILESTONE_STATE_LABELS = _Labels(vocabulary.MILESTONE_STATE_LABELS)
VERSION_STATUS_LABELS = _Labels(vocabulary.VERSION_STATUSES)
FIGURE_STATE_LABELS = _Labels({**vocabulary.VERSION_STATUSES, "missing": vocabulary.gettext_noop("nothing submitted")})
CHANGE_LABELS = _Labels(vocabulary.FIGURE_EVENTS)
COMPARATOR_LABELS = _Labels(vocabulary.COMPARATORS)
BASIS_LABELS = _Labels(vocabulary.BASES)
QUALIFIER_LABELS = _Labels(vocabulary.BASELINE_QUALIFIERS)
LATEST_KIND_LABELS = _Labels(vocabulary.LATEST_VALUE_KINDS)
ORIGIN_LABELS = _Labels(vocabulary.FIGURE_ORIGINS)
STANDING_LABELS = _Labels(vocabulary.PUBLISHED_STANDINGS)
SOURCE_KIND_LABELS = _Labels(vocabulary.PUBLISHED_SOURCE_KINDS)
MEASURE_LABELS = _Labels(vocabulary.PUBLISHED_MEASURES)
SCOPE_LABELS = dict(ScopeType.choices)
NUMERIC_KINDS = frozenset({"number", "int", "percent"})
EXACT_PLACES = 6  # the decimals a stored figure or snapshot number has


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | number | int | percent | date | datetime | bool | code
    width: int = 14
    labels: Mapping | None = None  # code -> label, for kind "code"
    status_code: bool = False  # the column the status colours key on


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict]


def target_columns() -> tuple[Column, ...]:
    return (
        Column("plan", _("Plan"), width=22),
        Column("indicator", _("Indicator"), width=26),
        Column("region", _("Region"), width=10),
        Column("lead", _("Lead departments"), width=22),
        Column("target_text", _("Target as written"), width=14),
        Column("comparator", _("Comparator"), "code", width=10, labels=COMPARATOR_LABELS),
        Column("target_value", _("Target"), "number", width=16),
        Column("target_year", _("Target year"), "int", width=10),
        Column("baseline_text", _("Baseline as written"), width=14),
        Column("baseline_value", _("Baseline"), "number", width=16),
        Column("baseline_year", _("Baseline year"), "int", width=10),
        Column("latest_year", _("Latest year"), "int", width=10),
        Column("latest_value", _("Latest approved value"), "number", width=16),
        Column("latest_kind", _("Latest value is"), "code", width=14, labels=LATEST_KIND_LABELS),
        Column("unit", _("Unit"), width=8),
        Column("figure_version", _("Figure version"), "int", width=8),
        Column("figure_origin", _("Kind of figure"), "code", width=14, labels=ORIGIN_LABELS),
        Column("figure_department", _("Reported by department"), width=18),
        Column("submitted_by", _("Submitted by"), width=14),
        Column("submitted_at", _("Submitted at"), "datetime", width=19),
        Column("approved_by", _("Approved by"), width=14),
        Column("approved_at", _("Approved at"), "datetime", width=19),
        Column("figure_source", _("Source of the figure"), width=22),
        Column("progress", _("Progress to target"), "percent", width=10),
        Column("expected_progress", _("Expected progress by now"), "percent", width=10),
        Column("expected_value", _("Expected value by now"), "number", width=16),
        Column("gap", _("Gap"), "number", width=16),
        Column("required_growth", _("Required growth per year"), "percent", width=12),
        Column("years_left", _("Years left"), "int", width=8),
        Column("status", _("Status"), "code", width=12, labels=STATUS_LABELS),
        Column("reason_zh", _("Reason (Chinese)"), width=36),
        Column("reason", _("Reason (English)"), width=36),
        Column("basis", _("Basis"), "code", width=14, labels=BASIS_LABELS),
        Column("aspirational", _("Aspirational"), "bool", width=8),
        Column("baseline_qualifier", _("Baseline qualifier"), "code", width=12, labels=QUALIFIER_LABELS),
        Column("clause", _("Clause"), width=40),
        Column("method_version", _("Method version"), width=22),
        Column("status", _("Status code"), width=10, status_code=True),
        Column("plan_code", _("Plan code"), width=22),
        Column("target_key", _("Target key"), width=22),
        Column("indicator_code", _("Indicator code"), width=22),
        Column("region_code", _("Region code"), width=12),
    )


def milestone_columns() -> tuple[Column, ...]:
    return (
        Column("plan", _("Plan"), width=22),
        Column("region", _("Region"), width=10),
        Column("title", _("Milestone"), width=36),
        Column("deadline", _("Deadline"), "date", width=12),
        Column("state", _("State"), "code", width=16, labels=MILESTONE_STATE_LABELS),
        Column("completed_on", _("Completed on"), "date", width=12),
        Column("clause", _("Clause"), width=40),
        Column("state", _("State code"), width=10, status_code=True),
        Column("plan_code", _("Plan code"), width=22),
    )


def data_gap_columns() -> tuple[Column, ...]:
    return (
        Column("department", _("Department"), width=20),
        Column("indicator", _("Indicator"), width=26),
        Column("region", _("Region"), width=10),
        Column("year", _("Year"), "int", width=8),
        Column("due_date", _("Due date"), "date", width=12),
        Column("days_overdue", _("Days overdue"), "int", width=10),
        Column("figure_state", _("Figure's state at the as-of date"), "code", width=16, labels=FIGURE_STATE_LABELS),
        Column("department_code", _("Department code"), width=16),
        Column("indicator_code", _("Indicator code"), width=22),
        Column("region_code", _("Region code"), width=12),
    )


def history_columns() -> tuple[Column, ...]:
    return (
        Column("indicator", _("Indicator"), width=26),
        Column("region", _("Region"), width=10),
        Column("year", _("Year"), "int", width=8),
        Column("version", _("Version"), "int", width=8),
        Column("when", _("When"), "datetime", width=19),
        Column("who", _("Who"), width=14),
        Column("change", _("Change"), "code", width=10, labels=CHANGE_LABELS),
        Column("status", _("Status"), "code", width=10, labels=VERSION_STATUS_LABELS),
        Column("value", _("Value"), "number", width=16),
        Column("unit", _("Unit"), width=8),
        Column("origin", _("Kind of figure"), "code", width=14, labels=ORIGIN_LABELS),
        Column("department", _("Filed under department"), width=18),
        Column("source", _("Source of the figure"), width=24),
        Column("return_reason", _("Reason for return"), width=24),
        Column("correction_reason", _("Reason for correction"), width=24),
        Column("flag_reason", _("Flag reason"), width=24),
        Column("counted", _("Counted at the as-of date"), "bool", width=10),
        Column("indicator_code", _("Indicator code"), width=22),
        Column("region_code", _("Region code"), width=12),
    )


def source_columns() -> tuple[Column, ...]:
    return (
        Column("indicator", _("Indicator"), width=26),
        Column("region", _("Region"), width=10),
        Column("year", _("Year"), "int", width=8),
        Column("value_text", _("As the source states it"), width=14),
        Column("qualifier", _("Qualifier"), "code", width=12, labels=QUALIFIER_LABELS),
        Column("value", _("Value in the indicator's unit"), "number", width=16),
        Column("value_high", _("Upper value in the indicator's unit"), "number", width=16),
        Column("unit", _("Unit"), width=8),
        Column("measure", _("Measure"), "code", width=14, labels=MEASURE_LABELS),
        Column("scope", _("Scope"), width=28),
        Column("scope_matches", _("Scope matches the target"), "bool", width=10),
        Column("scope_note", _("Scope note"), width=32),
        Column("standing", _("Standing"), "code", width=18, labels=STANDING_LABELS),
        Column("counted", _("Counted at the as-of date"), "bool", width=10),
        Column("publisher", _("Publisher"), width=20),
        Column("source_kind", _("Kind of source"), "code", width=12, labels=SOURCE_KIND_LABELS),
        Column("published_on", _("Date published"), "date", width=12),
        Column("title", _("Title"), width=30),
        Column("url", _("Source address"), width=30),
        Column("sentence", _("Sentence"), width=40),
        Column("plan_code", _("Plan code"), width=22),
        Column("key", _("Figure key"), width=22),
        Column("indicator_code", _("Indicator code"), width=22),
        Column("region_code", _("Region code"), width=12),
    )


def summary_columns() -> tuple[Column, ...]:
    return (
        Column("group", _("Part"), width=16),
        Column("item", _("Status"), width=24),
        Column("count", _("Count"), "int", width=10),
        Column("code", _("Status code"), width=12, status_code=True),
    )


def summary_rows(report: GapReport) -> list[dict]:
    summary = report.summary
    rows = [{"group": gettext("Targets"), "item": str(STATUS_LABELS[code]), "count": count, "code": code}
            for code, count in summary["targets_by_status"].items()]
    rows.append({"group": gettext("Targets"), "item": gettext("total"), "count": summary["targets"], "code": ""})
    rows += [{"group": gettext("Milestones"), "item": str(MILESTONE_STATE_LABELS[state]), "count": count, "code": state}
             for state, count in summary["milestones_by_state"].items()]
    rows.append({"group": gettext("Milestones"), "item": gettext("total"), "count": summary["milestones"], "code": ""})
    rows.append({"group": gettext("Data gaps"), "item": gettext("figures owed, not approved"),
                 "count": summary["data_gaps"], "code": ""})
    return rows


def tables(report: GapReport) -> list[Table]:
    """The report's tables in the order every format shows them."""
    return [
        Table("targets", gettext("Targets"), target_columns(), report.targets),
        Table("milestones", gettext("Milestones"), milestone_columns(), report.milestones),
        Table("data_gaps", gettext("Data gaps"), data_gap_columns(), report.data_gaps),
        Table("summary", gettext("Summary"), summary_columns(), summary_rows(report)),
        Table("history", gettext("Submission history"), history_columns(), report.history),
        Table("sources", gettext("Published sources"), source_columns(), report.sources),
    ]


def about_rows(report: GapReport, generation: Generation) -> list[tuple[str, str]]:
    """What the report is, and how it was made: the "About this report" sheet and PDF header."""
    rows = [
        (gettext("Report"), gettext("Gap report: plan targets against approved figures")),
        (gettext("As of"), report.as_of.isoformat()),
        (gettext("Scope"), scope_text(report)),
        (gettext("Method version of the snapshots"), ", ".join(report.method_versions) or "—"),
        (gettext("Method version of this software"), generation.software_method_version),
        (gettext("Report layout"), REPORT_SCHEMA),
        (gettext("Generated by"), generation.generated_by),
        (gettext("Generated at"), local_datetime(generation.generated_at)),
        (gettext("Data checksum (SHA-256)"), generation.checksum),
        (gettext("How the checksum is made"),
         gettext("SHA-256 of the report's data (scope, as-of date, every row of every table, codes rather than "
                 "labels) as canonical JSON; the generation time, the person and the file format are not part "
                 "of it. Regenerate the report for the same scope and date to check it.")),
        (gettext("Figures counted"),
         gettext("Approved figures as of the end of the as-of day (%(zone)s), from the progress snapshots "
                 "stored for that date.") % {"zone": settings.TIME_ZONE}),
    ]
    if generation.provisional:
        rows.append((gettext("Provisional"),
                     gettext("The as-of day had not ended when this report was made: figures approved later "
                             "that day would change it.")))
    return rows


def scope_text(report: GapReport) -> str:
    scope = report.scope
    if scope.type == ScopeType.ALL:
        return gettext("Everything: all plans")
    return f"{SCOPE_LABELS[scope.type]}: {report.scope_name} ({scope.code})"


# Cell values

def display(column: Column, value) -> str:
    """A cell as text, for CSV: decimals as stored (a machine reads them back), labels in the active
    language, nothing for a missing value."""
    if value is None or value == "":
        return ""
    if column.kind == "code":
        return str((column.labels or {}).get(value, value))

    if column.kind == "bool":
        return gettext("yes") if value else gettext("no")
    if column.kind == "percent":
        return plain_number(round(Decimal(value) * 100, 2))
    if column.kind == "number":
        return plain_number(value)
    if column.kind == "datetime":
        return local_datetime(value)
    if column.kind == "date":
        return value.isoformat()
    return str(value)


def display_for_people(column: Column, value, unit: str = "") -> str:
    """A cell as people read it (PDF), the way the pages write it (reporting.formatting,
    reporting.wording): thousands separators and the unit, 超出 X for an exceeded target's gap,
    percentages with their sign, "—" for a missing number. Quantities keep every stored decimal
    (a signed report states exactly what the data says); pages round to two."""
    if column.kind in NUMERIC_KINDS and is_missing(value if value != "" else None):
        return formatting.MISSING
    if column.key == "gap":
        return wording.gap_text(value, unit, places=EXACT_PLACES)
    if column.kind == "number":
        return formatting.quantity(value, unit, EXACT_PLACES)
    if column.kind == "int" and column.key.endswith(("_year", "year")):
        return str(value)  # a year has no thousands separator
    if column.kind == "int":
        return formatting.amount(value, 0)
    if column.kind == "percent":
        return formatting.percent(value, 2)
    return display(column, value)


def local_datetime(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def heading(column: Column, for_people: bool = False) -> str:
    """Column heading. Where the cell is a plain number (CSV) percentages say so, and the gap says
    what its sign means; cells for people (PDF) carry their own % and 超出."""
    if for_people:
        return str(column.label)
    if column.kind == "percent":
        return f"{column.label} (%)"
    if column.key == "gap":
        return gettext("%(label)s (negative: the target is exceeded by that much)") % {"label": column.label}
    return str(column.label)
