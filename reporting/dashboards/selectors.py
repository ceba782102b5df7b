"""Reads for the dashboard pages that reporting/selectors.py does not already give."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import QuerySet

from kpis.models import ProgressSnapshot
from trackers.models import ActualVersion, PublishedFigure, Target
from trackers.selectors import answerer_names

_CITATION = ("origin", "actual__is_demo", "source", "published__publisher", "published__title",
             "published__published_on", "published__source_url", "published__sentence", "published__qualifier")


def series_with_sources(series: pd.DataFrame) -> pd.DataFrame:
    """The core's counted series (kpis.selectors.target_picture) with each point's version: which
    kind of figure it is (submitted, published, demo), where it comes from and, for a published
    figure, its citation. One query."""
    ids = [int(v) for v in series["version_id"].dropna()]
    versions = {
        row[0]: dict(zip(_CITATION, row[1:]))
        for row in ActualVersion.objects.filter(pk__in=ids).values_list("pk", *_CITATION)
    }
    frame = series.copy()
    frame["value"] = frame["value"].astype(float)
    frame["reported"] = frame["reported"].astype(float)
    found = [versions.get(int(v), {}) if pd.notna(v) else {} for v in frame["version_id"]]
    # A figure loaded before versions said their kind is demo data when its figure says so.
    frame["origin"] = ["demo" if f.get("actual__is_demo") else f.get("origin", "") for f in found]
    frame["is_demo"] = [origin == "demo" for origin in frame["origin"]]
    frame["source"] = [f.get("source", "") for f in found]
    for name in ("publisher", "title", "published_on", "source_url", "sentence", "qualifier"):
        frame[name] = [f.get(f"published__{name}") or "" for f in found]
    return frame


def published_figures_for(target: Target) -> QuerySet[PublishedFigure]:
    """Every published figure of the target's indicator and region, counted or shown only,
    with the version it became, by year."""
    return (
        PublishedFigure.objects.filter(indicator=target.indicator_id, region=target.region_id)
        .select_related("version").order_by("year", "key")
    )


def figure_versions(target: Target) -> QuerySet[ActualVersion]:
    """Every version of every figure behind a target, newest first, with who and when."""
    return (
        ActualVersion.objects.filter(actual__indicator=target.indicator_id, actual__region=target.region_id)
        .select_related("actual", "submitted_by", "reviewed_by", "department", "published")
        .order_by("-actual__year", "-number")
    )


def target_answerers(target: Target) -> dict[str, list[str]]:
    names = answerer_names(Target.objects.filter(pk=target.pk), labelled=True)
    return names.get(target.pk, {"accountable": [], "supporting": []})


def snapshot_for(target: Target, as_of: dt.date) -> ProgressSnapshot | None:
    return ProgressSnapshot.objects.filter(target=target, as_of=as_of).first()
