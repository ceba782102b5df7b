"""The dashboards' GET parameters, checked before anything is looked up.

A bad value (a code that is not a slug, an unknown plan status, a date that is not ISO, a year
outside validation.YEARS, NUL anywhere) is dropped and named in a message above the page, which
then answers 400; the page still shows, unfiltered by it. Nothing unchecked reaches a query.
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trackers.models import Indicator, Plan, Region
from trackers.validation import YEARS


def _code(model, label) -> forms.SlugField:
    return forms.SlugField(label=label, required=False, max_length=model._meta.get_field("code").max_length)


class DashboardParams(forms.Form):
    region = _code(Region, gettext_lazy("Region"))
    plan = _code(Plan, gettext_lazy("Plan"))
    plan_status = forms.ChoiceField(label=gettext_lazy("Plan status"), required=False,
                                    choices=[("", ""), *Plan.Status.choices])
    as_of = forms.DateField(label=gettext_lazy("As of"), required=False, input_formats=["%Y-%m-%d"])
    indicator = _code(Indicator, gettext_lazy("Indicator"))
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=YEARS[0], max_value=YEARS[1])
    sort = forms.SlugField(label=gettext_lazy("Sort"), required=False, max_length=32)
    format = forms.ChoiceField(label=gettext_lazy("Format"), required=False, choices=[("", ""), ("csv", "CSV")])


def dashboard_params(query) -> tuple[dict, list[str]]:
    """The valid parameters (None where absent or refused) and a message for each refused one."""
    form = DashboardParams(query)
    form.is_valid()
    values = {name: form.cleaned_data.get(name) or None for name in form.fields}
    problems = [
        _("The parameter %(name)s (%(label)s) was ignored: %(reason)s")
        % {"name": name, "label": form.fields[name].label, "reason": " ".join(reasons)}
        for name, reasons in form.errors.items()
    ]
    return values, problems
