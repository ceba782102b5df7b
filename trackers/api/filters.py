"""The API's query parameters. Every one is validated before it reaches the database: codes are
slugs no longer than the column, years lie in validation.YEARS, ids are whole numbers, booleans
are true or false, and the free-text search is short and clean. A bad value is a 400 naming the
parameter (django-filter's errors, or the search's own); an empty value means "not filtered".
"""
import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.filters import SearchFilter

from trackers.cleantext import text_errors
from trackers.models import Actual, ActualVersion, Department, Indicator, Milestone, Plan, Region, Target
from trackers.selectors import promises_answered_by_department
from trackers.validation import YEARS

from .fields import SLUG_PATTERN

# Database ids (bigint) are safe below 10**18; a longer number names nothing.
MAX_ID = 10**18 - 1
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_TERMS = 10


def code_length(model) -> int:
    return model._meta.get_field("code").max_length


def code_schema(limit: int) -> dict:
    return {"type": "string", "pattern": SLUG_PATTERN, "maxLength": limit}


class CodeFilter(django_filters.CharFilter):
    """A plan, region, indicator or department code: a slug no longer than the model's code."""

    field_class = forms.SlugField

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, max_length=code_length(model), **kwargs)
        set_override(self, "field", code_schema(code_length(model)))


@extend_schema_field({"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]})
class YearFilter(django_filters.NumberFilter):
    """A calendar year, a whole number in validation.YEARS."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=YEARS[0], max_value=YEARS[1], **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class StrictNullBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); Django's own reads anything else as "not given", silently."""

    widget = forms.TextInput
    TRUE, FALSE = ("true", "True", "1"), ("false", "False", "0")

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in self.TRUE:
            return True
        if value in self.FALSE:
            return False
        raise ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


class BoundedSearchFilter(SearchFilter):
    """?search=: at most SEARCH_MAX_LENGTH characters in SEARCH_MAX_TERMS words, no control
    characters, so that a search stays one small query."""

    def get_search_terms(self, request):
        raw = request.query_params.get(self.search_param, "")
        problems = text_errors(raw, field=self.search_param, max_length=SEARCH_MAX_LENGTH)
        if problems:
            raise exceptions.ValidationError({self.search_param: [str(p.message) for p in problems]})
        terms = super().get_search_terms(request)
        if len(terms) > SEARCH_MAX_TERMS:
            raise exceptions.ValidationError({self.search_param: [
                str(_("Search for at most %(count)s words.") % {"count": SEARCH_MAX_TERMS})]})
        return terms


def _responsible(queryset, department_code):
    return promises_answered_by_department(queryset, department_code)


class RegionFilter(django_filters.FilterSet):
    parent = CodeFilter(field_name="parent__code", model=Region)

    class Meta:
        model = Region
        fields = ["level", "parent"]


class DepartmentFilter(django_filters.FilterSet):
    region = CodeFilter(field_name="region__code", model=Region)

    class Meta:
        model = Department
        fields = ["region"]


class PlanFilter(django_filters.FilterSet):
    region = CodeFilter(field_name="region__code", model=Region)
    status = django_filters.ChoiceFilter(choices=Plan.Status.choices)
    year = YearFilter(method="filter_year", label="in force in year")

    class Meta:
        model = Plan
        fields = ["region", "status", "document_status", "year"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)


class IndicatorFilter(django_filters.FilterSet):
    plan = CodeFilter(method="filter_plan", model=Plan)
    unit = django_filters.CharFilter(max_length=Indicator._meta.get_field("unit").max_length)

    class Meta:
        model = Indicator
        fields = ["kind", "direction", "unit", "plan"]

    def filter_plan(self, queryset, name, value):
        return queryset.filter(targets__plan__code=value).distinct()


class TargetFilter(django_filters.FilterSet):
    plan = CodeFilter(field_name="plan__code", model=Plan)
    region = CodeFilter(field_name="region__code", model=Region)
    indicator = CodeFilter(field_name="indicator__code", model=Indicator)
    department = CodeFilter(method="filter_department", model=Department)
    year = YearFilter()
    aspirational = BooleanFilter()

    class Meta:
        model = Target
        fields = ["plan", "region", "indicator", "year", "comparator", "basis", "aspirational", "department"]

    def filter_department(self, queryset, name, value):
        return _responsible(queryset, value)


class MilestoneFilter(django_filters.FilterSet):
    plan = CodeFilter(field_name="plan__code", model=Plan)
    region = CodeFilter(field_name="region__code", model=Region)
    year = YearFilter(field_name="deadline__year")
    department = CodeFilter(method="filter_department", model=Department)

    class Meta:
        model = Milestone
        fields = ["plan", "region", "year", "department"]

    def filter_department(self, queryset, name, value):
        return _responsible(queryset, value)


class ActualFilter(django_filters.FilterSet):
    region = CodeFilter(field_name="region__code", model=Region)
    indicator = CodeFilter(field_name="indicator__code", model=Indicator)
    plan = CodeFilter(method="filter_plan", model=Plan, label="figures a plan's targets use")
    department = CodeFilter(field_name="versions__department__code", distinct=True, model=Department)
    year = YearFilter()

    class Meta:
        model = Actual
        fields = ["region", "indicator", "year", "plan", "department"]

    def filter_plan(self, queryset, name, value):
        targeted = Target.objects.filter(
            plan__code=value, indicator=OuterRef("indicator"), region=OuterRef("region")
        )
        return queryset.filter(Exists(targeted))


class VersionFilter(django_filters.FilterSet):
    flagged = BooleanFilter()

    class Meta:
        model = ActualVersion
        fields = ["status", "flagged"]

