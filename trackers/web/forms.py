"""Forms carry what was typed to the services; the checks on a figure live in the services."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kpis.core import vocabulary
from trackers import names
from trackers.models import NOTE_MAX_LENGTH, NOTIFICATION_LANGUAGES, Department, Indicator, Plan, Region
from trackers.services.actuals import FigureInput
from trackers.services.imports import EDITABLE, SheetFigure
from trackers.spreadsheets import plain_number, sheet_kind


class FigureForm(forms.Form):
    """One figure of the "My figures" page; each row of the page is its own form."""

    department = forms.ModelChoiceField(Department.objects.all(), widget=forms.HiddenInput)
    indicator = forms.ModelChoiceField(Indicator.objects.all(), widget=forms.HiddenInput)
    region = forms.ModelChoiceField(Region.objects.all(), widget=forms.HiddenInput)
    year = forms.IntegerField(min_value=1900, max_value=2100, widget=forms.HiddenInput)
    lock_version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    # Not required here: the figure's own checks say what is missing, in the same words as the upload.
    value = forms.CharField(label=_("Value"), required=False, max_length=64)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=16)
    source = forms.CharField(
        label=_("Source or evidence note"), required=False, max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    correction_reason = forms.CharField(
        label=_("Reason for correction"), required=False, max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = False
        self.auto_id = f"id_{self.key}_%s"  # one page holds many of these forms

    @classmethod
    def for_figure(cls, figure: SheetFigure) -> FigureForm:
        """A blank form for an owed figure; a draft or returned version is offered for editing."""
        editable = figure.open_version if figure.open_version and figure.open_version.status in EDITABLE else None
        initial = {
            "department": figure.department.pk, "indicator": figure.indicator.pk,
            "region": figure.region.pk, "year": figure.year, "lock_version": figure.lock_version,
            "unit": editable.unit if editable else figure.indicator.unit,
        }
        if editable:
            initial.update(value=plain_number(editable.value), source=editable.source,
                           correction_reason=editable.correction_reason)
        return cls(initial=initial)

    @property
    def key(self) -> str:
        """Which owed figure this form is for; matches SheetFigure.key."""
        source = self.data if self.is_bound else self.initial
        return "-".join(str(source.get(name, "")) for name in ("department", "indicator", "region", "year"))

    def figure_input(self) -> FigureInput:
        data = self.cleaned_data
        return FigureInput(
            indicator=data["indicator"], region=data["region"], year=data["year"], value=data["value"],
            unit=data["unit"], source=data["source"], correction_reason=data["correction_reason"],
        )

    def add_figure_errors(self, errors) -> None:
        """Put each service error next to its field; the rest above the form."""
        for error in errors:
            self.add_error(error.field if error.field in self.fields else None, str(error.message))

    def after_conflict(self, message: str, current_lock_version: int) -> FigureForm:
        """Keep what was typed, now against the current version, so that a second submit is a
        deliberate overwrite by someone who has seen the current value."""
        data = self.data.copy()
        data["lock_version"] = str(current_lock_version)
        form = type(self)(data)
        form.add_error(None, message)
        form.conflict = True
        return form


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (CSV or XLSX)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s."), code="too_large",
                params={"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
            )
        if sheet_kind(upload.name) is None:
            raise ValidationError(_("Upload a .csv or .xlsx file."), code="file_type")
        return upload


class ReviewForm(forms.Form):
    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    # No max_length here: the service refuses a long or unclean reason in words that name it.
    reason = forms.CharField(label=_("Reason for return"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DataSelect(forms.Select):
    """A choice among the data's names (plans, regions, departments): an option named in Chinese
    is marked so (lang), as the pages mark such names."""

    def create_option(self, name, value, label, *args, **kwargs):
        option = super().create_option(name, value, label, *args, **kwargs)
        if names.is_chinese(label):
            option["attrs"]["lang"] = "zh-Hans"
        return option


class LanguageSelect(forms.Select):
    """A choice of languages, each option named in its own language and marked so (lang)."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["lang"] = value
        return option


class NotificationPreferencesForm(forms.Form):
    """Which mails a user receives, and in which language (services.notifications)."""

    reminders = forms.BooleanField(label=_("Reminders before a figure is due, and when it is overdue"), required=False)
    returns = forms.BooleanField(label=_("When a figure I submitted is returned"), required=False)
    approvals = forms.BooleanField(label=_("When a figure I submitted is approved"), required=False)
    reviewer_digest = forms.BooleanField(label=_("Weekly digest of the review queue (reviewers)"), required=False)
    language = forms.ChoiceField(label=_("Language of the mails"), choices=NOTIFICATION_LANGUAGES,
                                 widget=LanguageSelect)

    @classmethod
    def for_preferences(cls, preferences) -> NotificationPreferencesForm:
        return cls(initial={name: getattr(preferences, name) for name in cls.base_fields})


class _DepartmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, department):
        return names.department_name(department)  # 市科技局 of which city; English where the data has it


class _RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return names.region_name(region)


class WorkFilterForm(forms.Form):
    """The filters of "my work": state (by default what is still to do), department, year."""

    TO_DO, EVERYTHING = "", "all"

    state = forms.ChoiceField(label=_("State"), required=False)
    department = _DepartmentChoice(Department.objects.none(), label=_("Department"), required=False,
                                   to_field_name="code", empty_label=_("all"), widget=DataSelect)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, departments, years, state_labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [(self.TO_DO, _("to do (returned, overdue, owed)")),
                                        *state_labels.items(), (self.EVERYTHING, _("all"))]
        self.fields["department"].queryset = departments
        self.fields["year"].choices = [("", _("all")), *[(year, str(year)) for year in years]]

    def filters(self) -> dict:
        """What to pass to selectors.work_list_for; every filter off for a field that is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        state = data.get("state", self.TO_DO)
        states = (vocabulary.WORK_TO_DO if state == self.TO_DO
                  else tuple(vocabulary.WORK_STATES) if state == self.EVERYTHING else (state,))
        return {"states": states, "department": data.get("department"), "year": data.get("year")}


class ReviewFilterForm(forms.Form):
    """The review queue's filters; all optional."""

    plan = forms.ModelChoiceField(Plan.objects.none(), label=_("Plan"), required=False, to_field_name="code",
                                  empty_label=_("all"), widget=DataSelect)
    region = _RegionChoice(Region.objects.none(), label=_("Region"), required=False, to_field_name="code",
                           empty_label=_("all"), widget=DataSelect)
    department = _DepartmentChoice(Department.objects.none(), label=_("Department"), required=False,
                                   to_field_name="code", empty_label=_("all"), widget=DataSelect)
    flagged = forms.ChoiceField(label=_("Flags"), required=False, choices=[
        ("", _("all")), ("yes", _("flagged")), ("no", _("not flagged"))])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[
        ("", _("all")), ("new", _("new figure")), ("correction", _("correction"))])

    def __init__(self, *args, plans, regions, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["region"].queryset = regions
        self.fields["department"].queryset = departments

    def filters(self) -> dict:
        """What to pass to selectors.review_queue; every filter off for a field that is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        flagged = {"yes": True, "no": False}.get(data.get("flagged", ""))
        return {"plan": data.get("plan"), "region": data.get("region"), "department": data.get("department"),
                "flagged": flagged, "kind": data.get("kind") or None}
