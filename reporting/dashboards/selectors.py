"""Reads for the dashboard pages that reporting/selectors.py does not already give."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import QuerySet

from kpis.models import ProgressSnapshot
from kpis.selectors import end_of_day
from trackers.models import ActualVersion, Target


def approved_series(target: Target, as_of: dt.date) -> pd.DataFrame:
    """The figures that counted at `as_of` for a target's indicator and region: year, value,
    version id, demo flag. One query."""
    rows = (
        ActualVersion.objects.filter(
            approved_at__isnull=False, approved_at__lte=end_of_day(as_of), actual__indicator=target.indicator_id,
            actual__region=target.region_id, actual__year__lte=as_of.year,
        )
        .order_by("actual__year", "approved_at", "pk")
        .values_list("actual__year", "value_in_indicator_unit", "pk", "actual__is_demo", "actual_id")
    )
    frame = pd.DataFrame(list(rows), columns=["year", "value", "version_id", "is_demo", "actual_id"])
    return frame.drop_duplicates("actual_id", keep="last").reset_index(drop=True)


def figure_versions(target: Target) -> QuerySet[ActualVersion]:
    """Every version of every figure behind a target, newest first, with who and when."""
    return (
        ActualVersion.objects.filter(actual__indicator=target.indicator_id, actual__region=target.region_id)
        .select_related("actual", "submitted_by", "reviewed_by", "department")
        .order_by("-actual__year", "-number")
    )


def snapshot_for(target: Target, as_of: dt.date) -> ProgressSnapshot | None:
    return ProgressSnapshot.objects.filter(target=target, as_of=as_of).first()
