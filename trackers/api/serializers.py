from rest_framework import serializers

from trackers.models import (
    AMOUNT,
    Actual,
    ActualVersion,
    Answerer,
    Baseline,
    Department,
    Indicator,
    Milestone,
    Plan,
    Region,
    Target,
)
from trackers.validation import YEARS

from .fields import CodeRelatedField, TextField, WholeNumberField, model_integer, model_text


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "name_en", "level", "parent"]


class DepartmentSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "code", "name", "full_name", "region"]


class PlanSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = serializers.ChoiceField(choices=Plan.Status.choices, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id", "code", "title", "short_title", "region", "issuing_body", "start_year", "end_year",
            "document_status", "status", "published_on",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "name_en", "definition", "unit", "direction", "kind", "allows_negative"]


class BaselineSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Baseline
        fields = ["id", "key", "indicator", "region", "year", "value", "unit", "value_text", "qualifier", "clause"]


class AnswererSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Answerer
        fields = ["department", "role", "accountable"]


class TargetSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    baseline = BaselineSerializer(read_only=True, allow_null=True)
    lead_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    cooperating_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    answering_departments = AnswererSerializer(
        source="answerers", many=True, read_only=True,
        help_text="Who answers for the target: the departments it names, else the plan's coordinators; "
                  "the accountable ones owe its figure.",
    )

    class Meta:
        model = Target
        fields = [
            "id", "plan", "key", "indicator", "region", "section", "clause", "value_text", "comparator",
            "value", "value_high", "unit", "tolerance_pct", "year", "basis", "aspirational", "composition",
            "baseline", "lead_departments", "cooperating_departments", "answering_departments",
            "departments_basis", "departments_clause", "note",
        ]


class MilestoneSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    cooperating_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id", "plan", "key", "title", "clause", "deadline", "region", "section", "lead_departments",
            "cooperating_departments", "departments_basis", "departments_clause", "completed_on", "evidence",
        ]


class ActualVersionSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    submitted_by = serializers.StringRelatedField(allow_null=True)
    reviewed_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ActualVersion
        fields = [
            "number", "value", "unit", "value_in_indicator_unit", "source", "status", "department",
            "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "approved_at", "return_reason",
            "correction_reason", "flagged", "flag_reason", "origin",
        ]


class ActualSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    versions = ActualVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Actual
        fields = ["id", "indicator", "region", "year", "lock_version", "is_demo", "versions"]


class FigureSubmitSerializer(serializers.Serializer):
    """Input for submitting a figure. Only these fields are read: status, approver and the like
    cannot be set by a payload. Each is bounded by the column it ends up in."""

    department = CodeRelatedField(slug_field="code", queryset=Department.objects.all())
    indicator = CodeRelatedField(slug_field="code", queryset=Indicator.objects.all())
    region = CodeRelatedField(slug_field="code", queryset=Region.objects.all())
    year = WholeNumberField(min_value=YEARS[0], max_value=YEARS[1])
    value = TextField(max_length=40, help_text="The number as a string, e.g. \"1200\" or \"3.5\": "
                       "exact decimals, at most 18 digits before the point and 6 after.")
    unit = model_text(ActualVersion, "unit", required=False, allow_blank=True)
    source = model_text(ActualVersion, "source", allow_blank=True)
    correction_reason = model_text(ActualVersion, "correction_reason", required=False, allow_blank=True, default="")
    expected_lock_version = model_integer(Actual, "lock_version", required=False, allow_null=True, default=None)


class ReviewSerializer(serializers.Serializer):
    expected_lock_version = model_integer(Actual, "lock_version")


class ReturnSerializer(ReviewSerializer):
    reason = model_text(ActualVersion, "return_reason")


class VersionDetailSerializer(ActualVersionSerializer):
    figure = serializers.IntegerField(source="actual_id", read_only=True)
    lock_version = serializers.IntegerField(source="actual.lock_version", read_only=True)

    class Meta(ActualVersionSerializer.Meta):
        fields = ["id", "figure", "lock_version", *ActualVersionSerializer.Meta.fields]


class VersionHistorySerializer(serializers.Serializer):
    """One recorded state of a version: who changed it, when, to what, and why."""

    version = serializers.IntegerField(source="number")
    history_date = serializers.DateTimeField()
    history_type = serializers.ChoiceField(choices=[("+", "created"), ("~", "changed"), ("-", "deleted")])
    changed_by = serializers.StringRelatedField(source="history_user", allow_null=True)
    status = serializers.ChoiceField(choices=ActualVersion.Status.choices)
    value = serializers.DecimalField(**AMOUNT)
    unit = serializers.CharField()
    source = serializers.CharField()
    return_reason = serializers.CharField()
    correction_reason = serializers.CharField()
    approved_at = serializers.DateTimeField(allow_null=True)


class MilestoneCompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField()
    evidence = model_text(Milestone, "evidence", allow_blank=True)


class WhatIfQuerySerializer(serializers.Serializer):
    growth_pct = serializers.DecimalField(max_digits=8, decimal_places=3, min_value=-100, max_value=1000)
    as_of = serializers.DateField(required=False)


class WhatIfSerializer(serializers.Serializer):
    """At growth_pct a year from the starting point, where the target year lands."""

    target = serializers.IntegerField()
    as_of = serializers.DateField()
    unit = serializers.CharField()
    start_year = serializers.IntegerField()
    start_value = serializers.FloatField()
    start_source = serializers.ChoiceField(choices=["actual", "baseline"])
    target_year = serializers.IntegerField()
    target_value = serializers.FloatField()
    growth_pct = serializers.FloatField()
    years = serializers.IntegerField()
    projected_value = serializers.FloatField()
    required_growth_pct = serializers.FloatField(allow_null=True)
    would_meet = serializers.BooleanField()
