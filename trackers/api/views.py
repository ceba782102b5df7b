"""The API over plans, targets and reported figures. Login and an API role required everywhere
(REST_FRAMEWORK's default permissions); what a user may read or do is decided by
trackers/rules.py, every write goes through services, and their refusals become HTTP answers in
trackers.api.exceptions."""
import math

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from kpis.selectors import target_whatif
from trackers.exceptions import InvalidInput
from trackers.models import ActualVersion, Department, Indicator, Milestone, Region, Target
from trackers.selectors import actual_list_for, plans_for, promises_for, version_list_for
from trackers.services import actuals as figure_services
from trackers.services import milestones as milestone_services

from . import filters, serializers
from .base import ReadOnlyViewSet
from .pagination import ByIdCursorPagination
from .schema import BAD_REQUEST, CONFLICT_RESPONSE, DETAIL

_NO_START = _("No approved figure or baseline to start from.")


class RegionViewSet(ReadOnlyViewSet):
    queryset = Region.objects.select_related("parent")
    serializer_class = serializers.RegionSerializer
    filterset_class = filters.RegionFilter
    search_fields = ["name", "name_en", "code"]
    ordering = ["code"]


class DepartmentViewSet(ReadOnlyViewSet):
    queryset = Department.objects.select_related("region")
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filters.DepartmentFilter
    search_fields = ["name", "full_name", "code"]
    ordering = ["code"]


class PlanViewSet(ReadOnlyViewSet):
    serializer_class = serializers.PlanSerializer
    filterset_class = filters.PlanFilter
    search_fields = ["title", "short_title"]
    ordering_fields = ["start_year", "end_year", "code"]
    ordering = ["code"]

    def get_queryset(self):
        return plans_for(self.request.user)


class IndicatorViewSet(ReadOnlyViewSet):
    queryset = Indicator.objects.all()
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    search_fields = ["name", "name_en", "code"]
    ordering = ["code"]


class TargetViewSet(ReadOnlyViewSet):
    """Targets of the plans you may read. Paged by cursor: follow `next`."""

    queryset = Target.objects.select_related(
        "plan", "indicator", "region", "baseline__indicator", "baseline__region"
    ).prefetch_related("lead_departments", "cooperating_departments", "answerers__department")
    serializer_class = serializers.TargetSerializer
    filterset_class = filters.TargetFilter
    search_fields = ["clause", "indicator__name"]
    ordering_fields = ["year", "key", "value"]
    ordering = ["id"]
    pagination_class = ByIdCursorPagination

    def get_queryset(self):
        return promises_for(self.request.user, super().get_queryset())


    @extend_schema(
        parameters=[serializers.WhatIfQuerySerializer],
        responses={200: serializers.WhatIfSerializer, 400: BAD_REQUEST},
    )
    @action(detail=True, methods=["get"])
    def whatif(self, request, pk=None):
        """At X% a year from the latest approved figure (or the baseline), where do we land by the
        target year, and what growth is needed?"""
        query = serializers.WhatIfQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        target = self.get_object()
        as_of = query.validated_data.get("as_of") or timezone.localdate()
        result = target_whatif(target, as_of, float(query.validated_data["growth_pct"]))
        if result["start_source"] == "none":
            raise InvalidInput.single("as_of", "no_start", _NO_START)
        return Response(serializers.WhatIfSerializer({
            **result, "target": target.pk, "as_of": as_of, "unit": target.indicator.unit,
            "target_value": result["goal"], "start_year": int(result["start_year"]),
            "required_growth_pct": None if math.isnan(result["required_growth_pct"]) else result["required_growth_pct"],
        }).data)


class MilestoneViewSet(ReadOnlyViewSet):
    queryset = Milestone.objects.select_related("plan", "region").prefetch_related(
        "lead_departments", "cooperating_departments"
    )
    serializer_class = serializers.MilestoneSerializer
    filterset_class = filters.MilestoneFilter
    search_fields = ["title", "clause"]
    ordering_fields = ["deadline"]
    ordering = ["id"]

    def get_queryset(self):
        return promises_for(self.request.user, super().get_queryset())

    @extend_schema(request=serializers.MilestoneCompleteSerializer, responses=serializers.MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Record that the deliverable was done, with its evidence (responsible departments)."""
        payload = serializers.MilestoneCompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        milestone = milestone_services.milestone_complete(
            user=request.user, milestone=self.get_object(), **payload.validated_data
        )
        return Response(serializers.MilestoneSerializer(milestone).data)


class ActualViewSet(ReadOnlyViewSet):
    """Reported figures with all their versions. Submitters see their departments' figures only.
    Paged by cursor: follow `next`."""

    serializer_class = serializers.ActualSerializer
    filterset_class = filters.ActualFilter
    pagination_class = ByIdCursorPagination

    def get_queryset(self):
        return actual_list_for(self.request.user).prefetch_related(
            Prefetch(
                "versions",
                queryset=ActualVersion.objects.select_related("department", "submitted_by", "reviewed_by"),
            )
        )

    @extend_schema(
        request=serializers.FigureSubmitSerializer,
        responses={
            201: serializers.VersionDetailSerializer,
            400: BAD_REQUEST,
            403: OpenApiResponse(DETAIL, description="Not allowed to submit this figure"),
            409: CONFLICT_RESPONSE,
        },
    )
    @action(detail=False, methods=["post"])
    def submit(self, request):
        """Save and submit a figure for review (a correction when an approved version exists)."""
        payload = serializers.FigureSubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        figure = figure_services.FigureInput(
            indicator=data["indicator"], region=data["region"], year=data["year"], value=data["value"],
            unit=data.get("unit", ""), source=data["source"], correction_reason=data["correction_reason"],
        )
        version = figure_services.actual_submit_figure(
            user=request.user, department=data["department"], figure=figure,
            expected_lock_version=data["expected_lock_version"],
        )
        return Response(serializers.VersionDetailSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.VersionHistorySerializer(many=True))
    # A figure's history is a few records, numbered by page (history records share their version's
    # id, so the figures' id cursor does not apply).
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=PageNumberPagination)
    def history(self, request, pk=None):
        """Every recorded state of every version of this figure: who, when, what and why; paged
        (?page=)."""
        actual = self.get_object()  # scoped: another department's figure is a 404
        if not request.user.has_perm("trackers.view_figure_history", actual):
            raise exceptions.PermissionDenied()
        records = ActualVersion.history.filter(actual_id=actual.pk).select_related("history_user").order_by(
            "number", "history_date", "history_id"
        )
        page = self.paginate_queryset(records)
        return self.get_paginated_response(serializers.VersionHistorySerializer(page, many=True).data)


class VersionViewSet(ReadOnlyViewSet):
    """Versions of figures; reviewers approve or return submitted ones."""

    serializer_class = serializers.VersionDetailSerializer
    filterset_class = filters.VersionFilter
    pagination_class = ByIdCursorPagination

    def get_queryset(self):
        return version_list_for(self.request.user).select_related(
            "actual", "department", "submitted_by", "reviewed_by"
        )

    @extend_schema(request=serializers.ReviewSerializer,
                   responses={200: serializers.VersionDetailSerializer, 409: CONFLICT_RESPONSE})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        payload = serializers.ReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = figure_services.actual_approve(
            user=request.user, version=self.get_object(),
            expected_lock_version=payload.validated_data["expected_lock_version"],
        )
        return Response(serializers.VersionDetailSerializer(version).data)

    @extend_schema(request=serializers.ReturnSerializer,
                   responses={200: serializers.VersionDetailSerializer, 409: CONFLICT_RESPONSE})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        payload = serializers.ReturnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = figure_services.actual_return(
            user=request.user, version=self.get_object(), reason=payload.validated_data["reason"],
            expected_lock_version=payload.validated_data["expected_lock_version"],
        )
        return Response(serializers.VersionDetailSerializer(version).data)
