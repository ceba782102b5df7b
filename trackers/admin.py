from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import names
from .models import (
    Actual,
    ActualVersion,
    Baseline,
    Department,
    DraftTarget,
    ExcludedPromise,
    Indicator,
    Milestone,
    NotificationLog,
    NotificationPreferences,
    Plan,
    PlanDraft,
    PlanRevision,
    PublishedFigure,
    Region,
    Target,
    UploadJob,
)
from .selectors import plan_status_expression

# The data as the admin shows it: names in English where the data has them, Chinese marked
# lang="zh-Hans" (trackers.names), as the pages show them; the interface around it is translated.

def _shown(value):
    """A region, indicator, department or plan by its shown name; a set of them joined; another
    row by its own wording; text as stored. Chinese marked."""
    if isinstance(value, models.Manager):
        return format_html_join(", ", "{}", ((_shown(item),) for item in value.all()))
    if isinstance(value, models.Model):
        named = hasattr(value, "name") or value._meta.model_name == "plan"
        return names.marked_name(value) if named else names.marked_data(str(value))
    return names.marked_data(value)


def _linked(value):
    """A related row shown, linked to its own admin page where it has one."""
    shown = _shown(value)
    try:
        url = reverse(f"admin:{value._meta.app_label}_{value._meta.model_name}_change", args=[value.pk])
    except NoReverseMatch:
        return shown
    return format_html('<a href="{}">{}</a>', url, shown)


def data_field(model, name: str, *, link: bool = False):
    """A column (or read-only field) showing the model's field `name` as _shown writes it; named
    after the field, so the admin labels it and finds its help text as for the field itself."""
    field = model._meta.get_field(name)

    def shown(obj):
        value = getattr(obj, name)
        if value is None or value == "":
            return "-"
        return _linked(value) if link and isinstance(value, models.Model) else _shown(value)

    shown.__name__ = name
    shown.short_description = field.verbose_name
    shown.admin_order_field = name
    return shown


def _is_data(field) -> bool:
    """Fields whose values are the data's words: text without choices, related rows."""
    if field.is_relation:
        return True
    return isinstance(field, (models.CharField, models.TextField)) and not field.choices


class NamedRelatedFilter(admin.RelatedFieldListFilter):
    """A filter by a related region, plan, indicator or department, each by its shown name, Chinese marked."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model._default_manager.all()
        if field.related_model._meta.model_name == "department":
            related = related.select_related("region")
        ordering = self.field_admin_ordering(field, request, model_admin)
        return [(obj.pk, _shown(obj)) for obj in (related.order_by(*ordering) if ordering else related)]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Plans and their promises change only through the services (intake, revisions, the plan
    loader, milestone completion), which keep their history and refresh who answers for them;
    the admin shows them, with that history, and never writes them. Their data fields are shown
    as data_field shows them (names in the page's language, Chinese marked)."""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [self._data_field(name) for name in fields]

    def _data_field(self, name):
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:  # a method or another computed field: as the admin shows it
            return name
        return data_field(self.model, name, link=True) if _is_data(field) else name

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Policy target tracker")
admin.site.site_title = _("Policy target tracker")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "origin"]
    list_filter = ["level", "origin"]
    search_fields = ["name", "name_en", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name", "region", "code", "origin"]
    list_filter = ["origin", "region"]
    search_fields = ["name", "full_name", "code"]
    filter_horizontal = ["members"]


class TargetInline(admin.TabularInline):
    model = Target
    fields = ["key", "indicator", "comparator", "value", "value_high", "unit", "year", "basis", "aspirational"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ["key", "title", "deadline", "completed_on"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


class BaselineInline(admin.TabularInline):
    model = Baseline
    fields = ["key", "indicator", "year", "value", "unit", "qualifier"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ExcludedInline(admin.TabularInline):
    model = ExcludedPromise
    fields = ["clause", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class PlanStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Plan.Status.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.annotate(status=plan_status_expression()).filter(status=self.value())
        return queryset


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["short_title", "region", "start_year", "end_year", "document_status", "status", "origin",
                    "published_at"]
    list_filter = [PlanStatusFilter, "document_status", "origin", "region"]
    search_fields = ["title", "short_title", "code", "issuing_body"]
    readonly_fields = ["source_text"]
    inlines = [TargetInline, MilestoneInline, BaselineInline, ExcludedInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region").annotate(status=plan_status_expression())

    @admin.display(description=_("status"), ordering="status")
    def status(self, obj):
        return Plan.Status(obj.status).label


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "direction", "kind", "plausible_min", "plausible_max", "origin"]
    list_filter = ["kind", "direction", "origin", "unit"]
    search_fields = ["name", "name_en", "code", "definition"]


class TargetVersionFilter(admin.SimpleListFilter):
    title = _("version")
    parameter_name = "version"

    def lookups(self, request, model_admin):
        return [("current", _("current")), ("retired", _("replaced by a revision or retired"))]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "retired":
            return queryset.filter(valid_to__isnull=False)
        return queryset


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = [data_field(Target, "indicator"), data_field(Target, "plan"), data_field(Target, "region"),
                    "comparator", data_field(Target, "value_text"), "year", "basis", "aspirational", "origin",
                    "valid_from", "valid_to"]
    list_filter = [TargetVersionFilter, ("plan", NamedRelatedFilter), ("region", NamedRelatedFilter), "year",
                   "comparator", "basis", "aspirational", "departments_basis", "origin"]
    search_fields = ["clause", "key", "indicator__name", "value_text"]
    filter_horizontal = ["lead_departments", "cooperating_departments"]
    list_select_related = ["indicator", "plan", "region"]

    def get_queryset(self, request):
        return Target.all_versions.all()  # every version, retired ones included


@admin.register(Baseline)
class BaselineAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["indicator", "plan", "region", "year", "value_text", "qualifier"]
    list_filter = ["plan", "region", "qualifier"]
    search_fields = ["clause", "indicator__name"]
    list_select_related = ["indicator", "plan", "region"]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Completion is recorded by the responsible departments through the API (services.milestones)."""

    list_display = ["title", "plan", "region", "deadline", "completed_on"]
    list_filter = ["plan", "region"]
    search_fields = ["title", "clause"]
    filter_horizontal = ["lead_departments", "cooperating_departments"]
    date_hierarchy = "deadline"


@admin.register(ExcludedPromise)
class ExcludedPromiseAdmin(ReadOnlyAdmin):
    list_display = ["clause", "plan", "reason"]
    list_filter = ["plan"]
    search_fields = ["clause", "reason"]


class ActualVersionInline(admin.TabularInline):
    model = ActualVersion
    fields = ["number", "value", "unit", "status", "department", "submitted_by", "reviewed_by", "approved_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Actual)
class ActualAdmin(admin.ModelAdmin):
    list_display = ["indicator", "region", "year", "is_demo"]
    list_filter = ["region", "year", "is_demo"]
    search_fields = ["indicator__name"]
    inlines = [ActualVersionInline]
    list_select_related = ["indicator", "region"]


@admin.register(ActualVersion)
class ActualVersionAdmin(SimpleHistoryAdmin):
    """Read-only: figures change only through the review workflow (services), never here."""

    list_display = ["actual", "number", "value", "unit", "status", "origin", "department", "approved_at", "flagged"]
    list_filter = ["status", "origin", "flagged", "department"]
    search_fields = ["actual__indicator__name", "source"]
    list_select_related = ["actual__indicator", "actual__region", "department"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PublishedFigure)
class PublishedFigureAdmin(ReadOnlyAdmin):
    """Published figures change only through the loader (fixtures/published) and, once submitted,
    through the review of the version they became."""

    list_display = ["indicator", "region", "year", "value_text", "scope_matches", "standing", "publisher",
                    "published_on"]
    list_filter = ["standing", "scope_matches", "source_kind", "plan"]
    search_fields = ["key", "indicator__name", "publisher", "title", "sentence"]
    list_select_related = ["indicator", "region"]


class DraftTargetInline(admin.TabularInline):
    model = DraftTarget
    fields = ["kind", "clause", "value_text", "comparator", "year", "confidence", "status", "accepted_target"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(PlanDraft)
class PlanDraftAdmin(admin.ModelAdmin):
    """Plans read by the reader; drafts are accepted or rejected on the intake pages."""

    list_display = ["title", "plan", "purpose", "region", "created_by", "created_at"]
    search_fields = ["title", "text"]
    readonly_fields = ["title", "plan", "purpose", "region", "filename", "text", "created_by", "created_at"]
    inlines = [DraftTargetInline]

    def has_add_permission(self, request):
        return False


@admin.register(PlanRevision)
class PlanRevisionAdmin(ReadOnlyAdmin):
    """New texts of plans; their diffs are reviewed and accepted on the intake pages."""

    list_display = ["title", "plan", "status", "effective_on", "changed", "added", "removed", "unchanged"]
    list_filter = ["status"]
    search_fields = ["title", "plan__code"]


@admin.register(UploadJob)
class UploadJobAdmin(admin.ModelAdmin):
    """Read-only: what each large upload did; the file is never shown here."""

    list_display = ["created_at", "requested_by", "filename", "size", "state", "progress", "rows", "stored",
                    "finished_at"]
    list_filter = ["state"]
    search_fields = ["requested_by__username", "filename"]
    exclude = ["content"]
    list_select_related = ["requested_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NotificationLog)
class NotificationLogAdmin(ReadOnlyAdmin):
    """Read-only: which mail went to whom, about what, when (services.notifications writes it)."""

    list_display = ["sent_at", "user", "kind", "key"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__email", "key"]
    list_select_related = ["user"]
    date_hierarchy = "sent_at"


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(admin.ModelAdmin):
    """Each person sets these on /account/notifications/; administrators see them here."""

    list_display = ["user", "reminders", "returns", "approvals", "reviewer_digest", "language"]
    list_filter = ["language", "reminders", "returns", "approvals", "reviewer_digest"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
