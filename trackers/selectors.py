"""Reads for the promise side."""
from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone

from .models import Plan


def plan_status_expression(today: dt.date | None = None) -> Case:
    """A plan's status follows from its document and its period, so it is computed, not stored."""
    year = (today or timezone.localdate()).year
    return Case(
        When(document_status=Plan.DocumentStatus.CONSULTATION_DRAFT, then=Value(Plan.Status.DRAFT)),
        When(end_year__lt=year, then=Value(Plan.Status.EXPIRED)),
        default=Value(Plan.Status.IN_FORCE),
        output_field=CharField(),
    )


def plan_list(*, today: dt.date | None = None) -> QuerySet[Plan]:
    return Plan.objects.select_related("region").annotate(status=plan_status_expression(today))
