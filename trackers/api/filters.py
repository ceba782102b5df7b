import django_filters
from django.db.models import Exists, OuterRef

from trackers.models import Actual, Department, Indicator, Milestone, Plan, Region, Target
from trackers.selectors import promises_answered_by_department


def _responsible(queryset, department_code):
    return promises_answered_by_department(queryset, department_code)


class RegionFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code")

    class Meta:
        model = Region
        fields = ["level", "parent"]


class DepartmentFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code")

    class Meta:
        model = Department
        fields = ["region"]


class PlanFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code")
    status = django_filters.ChoiceFilter(choices=Plan.Status.choices)
    year = django_filters.NumberFilter(method="filter_year", label="in force in year")

    class Meta:
        model = Plan
        fields = ["region", "status", "document_status", "year"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)


class IndicatorFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(method="filter_plan")

    class Meta:
        model = Indicator
        fields = ["kind", "direction", "unit", "plan"]

    def filter_plan(self, queryset, name, value):
        return queryset.filter(targets__plan__code=value).distinct()


class TargetFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__code")
    region = django_filters.CharFilter(field_name="region__code")
    indicator = django_filters.CharFilter(field_name="indicator__code")
    department = django_filters.CharFilter(method="filter_department")

    class Meta:
        model = Target
        fields = ["plan", "region", "indicator", "year", "comparator", "basis", "aspirational", "department"]

    def filter_department(self, queryset, name, value):
        return _responsible(queryset, value)


class MilestoneFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__code")
    region = django_filters.CharFilter(field_name="region__code")
    year = django_filters.NumberFilter(field_name="deadline__year")
    department = django_filters.CharFilter(method="filter_department")

    class Meta:
        model = Milestone
        fields = ["plan", "region", "year", "department"]

    def filter_department(self, queryset, name, value):
        return _responsible(queryset, value)


class ActualFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code")
    indicator = django_filters.CharFilter(field_name="indicator__code")
    plan = django_filters.CharFilter(method="filter_plan", label="figures a plan's targets use")
    department = django_filters.CharFilter(field_name="versions__department__code", distinct=True)

    class Meta:
        model = Actual
        fields = ["region", "indicator", "year", "plan", "department"]

    def filter_plan(self, queryset, name, value):
        targeted = Target.objects.filter(
            plan__code=value, indicator=OuterRef("indicator"), region=OuterRef("region")
        )
        return queryset.filter(Exists(targeted))
