"""Read-only API over the promise side and the reported figures. Login required everywhere."""
from django.db.models import Prefetch
from rest_framework import viewsets

from trackers.models import Actual, ActualVersion, Department, Indicator, Milestone, Region, Target
from trackers.selectors import plan_list

from . import filters, serializers


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.select_related("parent")
    serializer_class = serializers.RegionSerializer
    filterset_class = filters.RegionFilter
    search_fields = ["name", "name_en", "code"]


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.select_related("region")
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filters.DepartmentFilter
    search_fields = ["name", "full_name", "code"]


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.PlanSerializer
    filterset_class = filters.PlanFilter
    search_fields = ["title", "short_title"]
    ordering_fields = ["start_year", "end_year", "code"]

    def get_queryset(self):
        return plan_list()


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Indicator.objects.all()
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    search_fields = ["name", "name_en", "code"]


class TargetViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Target.objects.select_related(
        "plan", "indicator", "region", "baseline__indicator", "baseline__region"
    ).prefetch_related("lead_departments", "cooperating_departments")
    serializer_class = serializers.TargetSerializer
    filterset_class = filters.TargetFilter
    search_fields = ["clause", "indicator__name"]
    ordering_fields = ["year", "key", "value"]


class MilestoneViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Milestone.objects.select_related("plan", "region").prefetch_related(
        "lead_departments", "cooperating_departments"
    )
    serializer_class = serializers.MilestoneSerializer
    filterset_class = filters.MilestoneFilter
    search_fields = ["title", "clause"]
    ordering_fields = ["deadline"]


class ActualViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Actual.objects.select_related("indicator", "region").prefetch_related(
        Prefetch(
            "versions",
            queryset=ActualVersion.objects.select_related("department", "submitted_by", "reviewed_by"),
        )
    )
    serializer_class = serializers.ActualSerializer
    filterset_class = filters.ActualFilter
    ordering_fields = ["year"]
