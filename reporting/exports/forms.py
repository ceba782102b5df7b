"""The export form, and the input checks it shares with the API serializer."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.models import ReportFormat, ScopeType
from trackers.exceptions import InvalidInput

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
    scope_type = forms.ChoiceField(label=_("Scope"), choices=ScopeType.choices, initial=ScopeType.ALL)
    scope_code = forms.CharField(
        label=_("Code of the plan, region or department"), required=False, max_length=96,
        widget=forms.TextInput(attrs={"list": "scope-codes", "autocomplete": "off"}),
        help_text=_("Leave empty for everything. A region includes the regions below it."),
    )
    as_of = forms.DateField(
        label=_("As of"), validators=[validate_as_of],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # what <input type=date> reads
        help_text=_("Figures approved by the end of this day count."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices, initial=ReportFormat.XLSX)

    def clean(self):
        data = super().clean()
        if "scope_type" in data:
            try:
                data["scope"] = resolve_scope(data["scope_type"], data.get("scope_code", ""))
            except ValidationError as error:
                self.add_error(None, error)
        return data
