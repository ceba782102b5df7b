"""Snapshots are written by COPY and one upsert on PostgreSQL and by bulk_create elsewhere; both
store the same rows, the ones the per-value rounding (_decimal) has always stored."""
import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from kpis.models import ProgressSnapshot
from kpis.services import DECIMAL_FIELDS, INT_FIELDS, _decimal, _decimal_units, snapshots_write
from trackers.models import ActualVersion, Target

pytestmark = pytest.mark.django_db


def awkward_numbers(rng, n):
    """Values of every size, and values whose ninth decimal is a near tie, where float arithmetic
    and decimal rounding part ways."""
    sizes = 10.0 ** rng.integers(-12, 17, n) * rng.uniform(-1, 1, n)
    ties = (rng.integers(-10**12, 10**12, n) + 0.5) / 1e8
    nudged = np.nextafter(ties, np.where(rng.random(n) < 0.5, -np.inf, np.inf))
    plain = rng.uniform(-1e4, 1e4, n)
    special = np.array([0.0, -0.0, 5e-9, -5e-9, 1e-8, 0.5e-8, 9999999.999999995, 1e7, 123456789.123456789,
                        math.nan, math.inf, -math.inf, 1e16, 2.5e-9])
    return np.concatenate([sizes, ties, nudged, plain, special])


def test_column_rounding_is_the_per_value_rounding():
    values = awkward_numbers(np.random.default_rng(12), 20_000)
    expected = [None if d is None else int(d.scaleb(8)) for d in map(_decimal, values)]
    assert _decimal_units(pd.Series(values)) == expected
    mixed = pd.Series([Decimal("1200.000000"), None, 2.5, math.nan, "text"], dtype=object)
    assert _decimal_units(mixed) == [120000000000, None, 250000000, None, None]
    assert _decimal_units(pd.Series([Decimal("0.1"), None], dtype=object)) == [10000000, None]


def engine_like_result(rng, targets, versions):
    """A frame shaped as kpis.selectors.progress_frame's, with awkward values in every column."""
    n = len(targets)
    plans = dict(Target.objects.values_list("pk", "plan_id"))
    frame = pd.DataFrame({"target_id": targets, "plan_id": [plans[t] for t in targets], "method_version": "m-test",
                          "achieved": rng.random(n) < 0.5, "status": "on_track",
                          "reason": [f"原因, \"引号\"\n{i}" for i in range(n)], "reason_zh": "中文",
                          "opensdg_status": rng.choice(["substantial", "", None], n)})
    for field, column in DECIMAL_FIELDS.items():
        values = awkward_numbers(rng, n)[rng.permutation(n)] if column != "value" else rng.uniform(1, 1e6, n)
        frame[column] = np.where(rng.random(n) < 0.2, math.nan, values) if column != "value" else values
        model_field = ProgressSnapshot._meta.get_field(field)
        limit = 10.0 ** (model_field.max_digits - model_field.decimal_places) / 2
        frame[column] = frame[column].where(np.abs(frame[column]) < limit)  # what the column can hold
    for column in INT_FIELDS.values():
        frame[column] = np.where(rng.random(n) < 0.3, math.nan, rng.integers(0, 2030, n))
    frame["status_rank"] = rng.integers(0, 7, n)  # never missing
    frame["version_id"] = [rng.choice(versions) if versions and rng.random() < 0.5 else math.nan for _ in range(n)]
    return frame


def rows(as_of):
    return [{k: v for k, v in row.items() if k not in ("id", "as_of")}
            for row in ProgressSnapshot.objects.filter(as_of=as_of).order_by("target_id").values()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite has only the portable path")
def test_copy_and_portable_writes_store_the_same_rows():
    from tests.factories import ActualFactory

    target = Target.objects.filter(lead_departments__isnull=False).first()
    ActualFactory(target=target, year=target.plan.start_year, value=5)
    targets = list(Target.objects.order_by("pk").values_list("pk", flat=True))
    versions = list(ActualVersion.objects.values_list("pk", flat=True))
    result = engine_like_result(np.random.default_rng(3), targets, versions)
    copied, portable = dt.date(2024, 1, 1), dt.date(2024, 1, 2)

    snapshots_write(result, copied)
    snapshots_write(result, portable, portable=True)

    assert rows(copied) == rows(portable) and len(rows(copied)) == len(targets)
    snapshots_write(result.assign(status="at_risk"), copied)  # an upsert: the same rows, updated
    assert ProgressSnapshot.objects.filter(as_of=copied).count() == len(targets)
    assert set(ProgressSnapshot.objects.filter(as_of=copied).values_list("status", flat=True)) == {"at_risk"}
