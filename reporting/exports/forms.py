"""The export form, and the input checks it shares with the API serializer."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.models import ReportFormat, ScopeType
from trackers.exceptions import InvalidInput
from trackers.web.forms import DataSelect

from .report import Scope
from .selectors import scope_resolve

EARLIEST_AS_OF = dt.date(2000, 1, 1)


def validate_as_of(value: dt.date) -> None:
    """A report states what was known on a day that has begun: no future dates."""
    if value > timezone.localdate():
        raise ValidationError(_("The as-of date cannot be in the future."), code="future")
    if value < EARLIEST_AS_OF:
        raise ValidationError(_("The as-of date cannot be before 2000."), code="too_early")


def resolve_scope(scope_type: str, scope_code: str) -> Scope:
    try:
        return scope_resolve(scope_type, scope_code)
    except InvalidInput as refused:
        raise ValidationError({e.field: str(e.message) for e in refused.errors}, code="scope") from refused


class GapReportForm(forms.Form):
    """The scope is chosen from lists: a plan from a select, a region or a department from a text
    input with suggestions (a datalist of at most SCOPE_OPTIONS_LIMIT names, narrowed from the
    server as one types: 3,000 regions do not fit in a select). `scope_code` is the code itself,
    as the API takes it; the field of the chosen scope wins over it."""

    scope_type = forms.ChoiceField(label=_("Scope"), choices=ScopeType.choices, initial=ScopeType.ALL)
    plan = forms.ChoiceField(label=_("Plan"), required=False, widget=DataSelect)  # plan names marked lang
    region = forms.CharField(
        label=_("Region"), required=False, max_length=96,
        widget=forms.TextInput(attrs={"list": "scope-regions", "autocomplete": "off", "data-scope-options": "region"}),
        help_text=_("Type a name or code and pick from the list. A region includes the regions below it."),
    )
    department = forms.CharField(
        label=_("Department"), required=False, max_length=96,
        widget=forms.TextInput(attrs={"list": "scope-departments", "autocomplete": "off",
                                      "data-scope-options": "department"}),
        help_text=_("Type a name, a code or its region and pick from the list."),
    )
    scope_code = forms.CharField(label=_("Code of the plan, region or department"), required=False, max_length=96,
                                 widget=forms.HiddenInput)
    as_of = forms.DateField(
        label=_("As of"), validators=[validate_as_of],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # what <input type=date> reads
        help_text=_("Figures approved by the end of this day count."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices, initial=ReportFormat.XLSX)

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", "—"), *plans]

    def clean(self):
        data = super().clean()
        if "scope_type" in data:
            chosen = data["scope_type"] if data["scope_type"] in ("plan", "region", "department") else None
            code = (data.get(chosen) if chosen else "") or data.get("scope_code", "")
            data["scope_code"] = code
            try:
                data["scope"] = resolve_scope(data["scope_type"], code)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    # Named on the list the scope was chosen from, and on the code (the API's name).
                    if chosen and field == "scope_code" and chosen not in self.errors:
                        self.add_error(chosen, messages)
                    self.add_error(field if field in self.fields else None, messages)
        return data
