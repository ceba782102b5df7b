"""Reads for the dashboard pages that reporting/selectors.py does not already give."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import QuerySet

from kpis.models import ProgressSnapshot
from trackers.models import ActualVersion, Target
from trackers.selectors import answerer_names


def series_with_sources(series: pd.DataFrame) -> pd.DataFrame:
    """The core's counted series (kpis.selectors.target_picture) with each point's version:
    whether it is demo data and where it comes from. One query."""
    ids = [int(v) for v in series["version_id"].dropna()]
    versions = {
        pk: (is_demo, source)
        for pk, is_demo, source in ActualVersion.objects.filter(pk__in=ids).values_list("pk", "actual__is_demo", "source")
    }
    frame = series.copy()
    frame["value"] = frame["value"].astype(float)
    frame["reported"] = frame["reported"].astype(float)
    frame["is_demo"] = [bool(versions.get(v, (False, ""))[0]) if pd.notna(v) else False for v in frame["version_id"]]
    frame["source"] = [versions.get(v, (False, ""))[1] if pd.notna(v) else "" for v in frame["version_id"]]
    return frame


def figure_versions(target: Target) -> QuerySet[ActualVersion]:
    """Every version of every figure behind a target, newest first, with who and when."""
    return (
        ActualVersion.objects.filter(actual__indicator=target.indicator_id, actual__region=target.region_id)
        .select_related("actual", "submitted_by", "reviewed_by", "department")
        .order_by("-actual__year", "-number")
    )


def target_answerers(target: Target) -> dict[str, list[str]]:
    names = answerer_names(Target.objects.filter(pk=target.pk), labelled=True)
    return names.get(target.pk, {"accountable": [], "supporting": []})


def snapshot_for(target: Target, as_of: dt.date) -> ProgressSnapshot | None:
    return ProgressSnapshot.objects.filter(target=target, as_of=as_of).first()
