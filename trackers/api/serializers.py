from rest_framework import serializers

from trackers.models import (
    Actual,
    ActualVersion,
    Baseline,
    Department,
    Indicator,
    Milestone,
    Plan,
    Region,
    Target,
)


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

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


class TargetSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    baseline = BaselineSerializer(read_only=True)
    lead_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    cooperating_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Target
        fields = [
            "id", "plan", "key", "indicator", "region", "section", "clause", "value_text", "comparator",
            "value", "value_high", "unit", "tolerance_pct", "year", "basis", "aspirational", "composition",
            "baseline", "lead_departments", "cooperating_departments", "departments_basis",
            "departments_clause", "note",
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
    submitted_by = serializers.StringRelatedField()
    reviewed_by = serializers.StringRelatedField()

    class Meta:
        model = ActualVersion
        fields = [
            "number", "value", "unit", "value_in_indicator_unit", "source", "status", "department",
            "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "approved_at", "return_reason",
            "correction_reason", "flagged", "flag_reason",
        ]


class ActualSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    versions = ActualVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Actual
        fields = ["id", "indicator", "region", "year", "lock_version", "is_demo", "versions"]
