"""The stored progress of targets through the API: what the engine said at an as-of date,
exactly as pages and reports show it (they read the same snapshots)."""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from kpis.models import ProgressSnapshot, Status
from kpis.selectors import latest_snapshot_date
from trackers.api.base import ReadOnlyViewSet
from trackers.api.filters import CodeFilter, IdFilter
from trackers.api.pagination import ByTargetCursorPagination
from trackers.models import Indicator, Plan, Region
from trackers.selectors import snapshot_counts_q


class ProgressSerializer(serializers.ModelSerializer):
    target = serializers.IntegerField(source="target_id", read_only=True)
    plan = serializers.CharField(source="target.plan.code", read_only=True)
    target_key = serializers.CharField(source="target.key", read_only=True)
    basis = serializers.CharField(
        source="target.basis", read_only=True,
        help_text="level | cumulative | annual. For cumulative targets latest_value is the running total of the "
                  "yearly additions since the plan began (累计), not a single year's figure.",
    )
    unit = serializers.CharField(source="target.indicator.unit", read_only=True)

    class Meta:
        model = ProgressSnapshot
        fields = [
            "target", "plan", "target_key", "as_of", "status", "basis", "unit", "latest_year", "latest_value",
            "target_value", "progress", "expected_progress", "gap", "trajectory_value", "projection",
            "actual_growth", "required_growth", "years_left", "years_met", "years_due", "achieved",
            "reason", "reason_zh", "method_version",
        ]


class ProgressFilter(django_filters.FilterSet):
    as_of = django_filters.DateFilter(method="filter_as_of", help_text="Default: the latest date with snapshots.")
    plan = CodeFilter(field_name="target__plan__code", model=Plan)
    region = CodeFilter(field_name="target__region__code", model=Region)
    indicator = CodeFilter(field_name="target__indicator__code", model=Indicator)
    status = django_filters.ChoiceFilter(choices=Status.choices)
    target = IdFilter(field_name="target_id")

    class Meta:
        model = ProgressSnapshot
        fields = ["as_of", "plan", "region", "indicator", "status", "target"]

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("as_of"):
            queryset = queryset.filter(as_of=latest_snapshot_date())
        return super().filter_queryset(queryset)

    def filter_as_of(self, queryset, name, value):
        return queryset.filter(as_of=value)


@extend_schema_view(list=extend_schema(summary="Stored progress of targets at an as-of date"))
class ProgressViewSet(ReadOnlyViewSet):
    """Paged by cursor: follow `next`."""

    serializer_class = ProgressSerializer
    filterset_class = ProgressFilter
    pagination_class = ByTargetCursorPagination
    ordering = ["target_id"]
    ordering_fields = []  # the cursor's order only
    # Published plans only, each target's version that counted on the snapshot's date.
    queryset = ProgressSnapshot.objects.filter(snapshot_counts_q()).select_related(
        "target__plan", "target__indicator")
