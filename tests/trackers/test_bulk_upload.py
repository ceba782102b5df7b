"""The spreadsheet upload stores a whole file in bulk: exactly what saving and submitting each
figure one by one stores (versions, statuses, flags, lock versions, history rows), all or nothing,
every problem named by row and column, in a number of queries that does not grow with the rows."""
import sqlite3
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from tests.factories import UserFactory
from tests.trackers.test_upload import YEARS, synthetic_plan, synthetic_regions
from trackers import roles
from trackers.models import Actual, ActualVersion, Department
from trackers.rules import figures_prefetched
from trackers.services import actuals, imports
from trackers.services.actuals import FigureInput, actual_approve, actual_return, actual_save_draft, actual_submit
from trackers.spreadsheets import SheetRow

pytestmark = pytest.mark.django_db

History = ActualVersion.history.model


@pytest.fixture
def sheet():
    """A submitter whose department answers for 50 indicators x 4 regions x 5 years, and a reviewer."""
    regions = synthetic_regions(4)
    department = Department.objects.create(code="bulk-dept", name="批量部门", region=regions[0])
    _plan, indicators = synthetic_plan(department, indicators=50, regions=regions)
    user = UserFactory(role=roles.SUBMITTER, departments=[department])
    figures = [(i, r, y) for i in indicators for r in regions for y in YEARS]
    return user, department, figures, UserFactory(role=roles.REVIEWER)


def cells(department, indicator, region, year, value="12.5", **extra):
    return {"department_code": department.code, "indicator_code": indicator.code, "region_code": region.code,
            "year": year, "unit": "亿元", "value": value, "source": "统计年鉴", "correction_reason": "",
            "lock_version": None, **extra}


def figure(indicator, region, year, value, unit="亿元", reason=""):
    return FigureInput(indicator, region, year, value, unit, "统计年鉴", reason)


def lock_of(indicator, region, year):
    return Actual.objects.filter(indicator=indicator, region=region, year=year).values_list(
        "lock_version", flat=True).first()


def prepare_states(user, department, reviewer, figures):
    """Every state an upload meets, a third each: approved (a correction), returned, an open draft."""
    approved, returned, drafted = figures[0::3], figures[1::3], figures[2::3]
    for indicator, region, year in approved + returned:
        version = actual_save_draft(user=user, department=department, figure=figure(indicator, region, year, "10"))
        version = actual_submit(user=user, version=version, expected_lock_version=version.actual.lock_version)
        if (indicator, region, year) in approved:
            actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
        else:
            actual_return(user=reviewer, version=version, reason="口径不一致", expected_lock_version=version.actual.lock_version)
    for indicator, region, year in drafted:
        actual_save_draft(user=user, department=department, figure=figure(indicator, region, year, "7"))
    return approved


def upload_cells(department, figures, approved):
    """What the file says: corrections with a reason, a jump that is flagged, a unit converted."""
    rows = []
    for n, (indicator, region, year) in enumerate(figures):
        extra = {"lock_version": lock_of(indicator, region, year)}
        if (indicator, region, year) in approved:
            extra["correction_reason"] = "统计局修订"
        if (indicator, region, year - 1) in approved:
            extra["value"] = "900"  # ninety times last year's approved 10: flagged for the reviewer
        elif n % 5 == 2:
            extra.update(unit="万元", value=str(125000 + n))  # 12.5亿元 and a little, converted exactly
        rows.append(cells(department, indicator, region, year, **{"value": "12.5", **extra}))
    return rows


def stored(department):
    """Everything stored for the department's figures, keyed by the figure, not by database ids."""
    key = {a.pk: (a.indicator.code, a.region.code, a.year) for a in Actual.objects.filter(
        versions__department=department).select_related("indicator", "region").distinct()}
    figures = {key[pk]: lock for pk, lock in Actual.objects.filter(pk__in=key).values_list("pk", "lock_version")}
    fields = ["number", "value", "unit", "value_in_indicator_unit", "source", "status", "department_id",
              "created_by_id", "submitted_by_id", "reviewed_by_id", "return_reason", "correction_reason", "flagged",
              "flag_reason"]
    versions = {
        (key[v["actual_id"]], v["number"]): {**{f: v[f] for f in fields}, "submitted": v["submitted_at"] is not None}
        for v in ActualVersion.objects.filter(actual_id__in=key).values()
    }
    history = {}
    for record in History.objects.filter(actual_id__in=key).order_by("history_date", "history_id").values():
        history.setdefault((key[record["actual_id"]], record["number"]), []).append(
            (record["history_type"], record["history_user_id"], record["history_change_reason"],
             record["submitted_at"] is not None, *(record[f] for f in fields))
        )
    return {"figures": figures, "versions": versions, "history": history}


class Undo(Exception):
    pass


def test_a_bulk_upload_stores_exactly_what_saving_and_submitting_one_by_one_stores(sheet):
    user, department, figures, reviewer = sheet
    chosen = figures[:40]
    approved = prepare_states(user, department, reviewer, chosen[:12])  # the other 28 are new
    file = upload_cells(department, chosen, approved)

    with pytest.raises(Undo), transaction.atomic():  # one by one, through the single-figure services
        for row in file:
            indicator, region = (next(f for f in chosen if f[0].code == row["indicator_code"]
                                      and f[1].code == row["region_code"])[:2])
            version = actual_save_draft(
                user=user, department=department, expected_lock_version=row["lock_version"],
                figure=figure(indicator, region, row["year"], row["value"], row["unit"], row["correction_reason"]),
            )
            actual_submit(user=user, version=version, expected_lock_version=version.actual.lock_version)
        one_by_one = stored(department)
        raise Undo

    result = imports.figures_import(user=user, rows=[SheetRow(n + 2, c) for n, c in enumerate(file)])

    assert result.ok and result.stored == 40
    in_bulk = stored(department)
    assert in_bulk == one_by_one
    # What that is, spelled out for three kinds of figure:
    new = (chosen[20][0].code, chosen[20][1].code, chosen[20][2])
    assert in_bulk["figures"][new] == 2  # saved, then submitted
    assert [r[:2] for r in in_bulk["history"][(new, 1)]] == [("+", None), ("~", None)]
    assert [r[4 + 5] for r in in_bulk["history"][(new, 1)]] == ["draft", "submitted"]  # status
    corrected = (chosen[0][0].code, chosen[0][1].code, chosen[0][2])
    assert in_bulk["versions"][(corrected, 2)]["correction_reason"] == "统计局修订"
    assert in_bulk["versions"][(corrected, 1)]["status"] == "approved"
    resubmitted = (chosen[4][0].code, chosen[4][1].code, chosen[4][2])
    assert [r[4 + 5] for r in in_bulk["history"][(resubmitted, 1)]][-2:] == ["draft", "submitted"]
    assert in_bulk["versions"][(resubmitted, 1)]["return_reason"] == "口径不一致"  # kept, as saving keeps it
    flagged = [v for v in in_bulk["versions"].values() if v["flagged"]]
    assert len(flagged) == 3 and all("相差悬殊" in v["flag_reason"] for v in flagged)  # in the service's language
    converted = in_bulk["versions"][((chosen[2][0].code, chosen[2][1].code, chosen[2][2]), 1)]
    assert converted["unit"] == "万元" and converted["value_in_indicator_unit"] == Decimal("12.5002")


@pytest.fixture
def real_sqlite_limit(monkeypatch):
    """Django 5.2 splits SQLite statements at 999 parameters, the limit of SQLite before 3.32;
    the SQLite here takes 32,766. Counting queries against the real limit shows the upload's own
    work; PostgreSQL has no such split."""
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


QUERY_BUDGET = 24  # the count on SQLite and on PostgreSQL, for 100 rows and for 1,000


@pytest.mark.parametrize("count", [100, 1000])
def test_the_number_of_queries_does_not_grow_with_the_rows(sheet, count, real_sqlite_limit,
                                                            django_assert_max_num_queries):
    user, department, figures, reviewer = sheet
    chosen = figures[:count]
    # One in ten a correction of an approved figure, one in ten a returned one sent again.
    approved = prepare_states(user, department, reviewer, chosen[: count // 10])
    file = upload_cells(department, chosen, approved)
    rows = [SheetRow(n + 2, c) for n, c in enumerate(file)]
    user = type(user).objects.get(pk=user.pk)  # as a request or a job would load it

    with django_assert_max_num_queries(QUERY_BUDGET):
        result = imports.figures_import(user=user, rows=rows)

    assert result.ok, result.errors[:3]
    assert result.stored == count


def test_a_failure_while_storing_leaves_nothing_stored(sheet, monkeypatch):
    user, department, figures, _reviewer = sheet
    rows = [SheetRow(n + 2, cells(department, *f)) for n, f in enumerate(figures[:300])]

    def disk_full(*args, **kwargs):  # the last write of the batch fails
        raise DatabaseError("could not extend file")

    monkeypatch.setattr(actuals, "_lock_bump", disk_full)
    with pytest.raises(DatabaseError):
        imports.figures_import(user=user, rows=rows)

    assert not Actual.objects.filter(indicator__in={f[0] for f in figures}).exists()
    assert not ActualVersion.objects.filter(department=department).exists()
    assert not History.objects.filter(department_id=department.pk).exists()


def test_every_problem_the_figures_state_raises_is_named_by_row_and_column(sheet):
    user, department, figures, reviewer = sheet
    waiting, approved = figures[10], figures[500]
    version = actual_save_draft(user=user, department=department, figure=figure(*waiting, "5"))
    actual_submit(user=user, version=version, expected_lock_version=version.actual.lock_version)
    version = actual_save_draft(user=user, department=department, figure=figure(*approved, "5"))
    version = actual_submit(user=user, version=version, expected_lock_version=version.actual.lock_version)
    actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
    file = [cells(department, *f, lock_version=lock_of(*f)) for f in figures]
    file[700]["lock_version"] = 3  # a figure nobody has reported, said to be at version 3
    file[999]["value"] = "-1"

    result = imports.figures_import(user=user, rows=[SheetRow(n + 2, c) for n, c in enumerate(file)])

    assert [(e.row, e.column) for e in result.errors] == [
        (12, "value"), (502, "correction_reason"), (702, "lock_version"), (1001, "value"),
    ]
    assert result.stored == 0
    assert ActualVersion.objects.filter(department=department).count() == 2  # the two made above


def test_has_perm_for_many_figures_asks_the_database_once(sheet, django_assert_num_queries):
    user, _department, figures, _reviewer = sheet
    foreign = Department.objects.exclude(pk=_department.pk).filter(answers__isnull=False).first()
    other = foreign.answers.select_related("target__indicator", "target__region").first().target
    asked = [(f[0], f[1]) for f in figures[::5]] + [(other.indicator, other.region)]
    one_by_one = [user.has_perm("trackers.submit_figure", figure) for figure in asked]
    user = type(user).objects.get(pk=user.pk)
    user.has_perm("trackers.submit_figures")  # the role, read once per user object

    with django_assert_num_queries(1), figures_prefetched(user, {f[0] for f in asked}, {f[1] for f in asked}):
        prefetched = [user.has_perm("trackers.submit_figure", figure) for figure in asked]

    assert prefetched == one_by_one and one_by_one[:-1] == [True] * (len(asked) - 1) and one_by_one[-1] is False
