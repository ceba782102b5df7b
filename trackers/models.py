"""What was promised (plans, targets, milestones, baselines) and what was reported (actuals).

Integrity rules live here as database constraints; the writes that keep them live in services.py.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpis.core import vocabulary

from .choices import one_of, text_choices
from .cleantext import multi_line, one_line

AMOUNT = {"max_digits": 24, "decimal_places": 6}
# What people type: a source, a reason, evidence. Enough for a citation and a paragraph; small
# enough that a report lays it out in a moment (a 2,000,000-character source once held a PDF
# report for twenty minutes). A plan's whole text is far longer (the five seeds: 5,000-20,000).
NOTE_MAX_LENGTH = 2000
PLAN_TEXT_MAX_LENGTH = 200_000


def note_field(verbose_name, **kwargs) -> models.TextField:
    """A text a person types, bounded and without control characters (trackers.cleantext)."""
    return models.TextField(verbose_name, max_length=NOTE_MAX_LENGTH, validators=[multi_line], **kwargs)


def at_most(field: str, limit: int, name: str) -> models.CheckConstraint:
    """The database's copy of a text field's max_length (Django checks it only in forms)."""
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    DISTRICT = "district", _("district")


class DocumentStatus(models.TextChoices):
    FINAL = "final", _("final")
    CONSULTATION_DRAFT = "consultation_draft", _("consultation draft")


Origin = text_choices("Origin", vocabulary.ORIGINS)


class Provenance(models.Model):
    """Where a row comes from, and what the plan loader last wrote into it.

    `curated_fingerprint` is the SHA-256 of the curated values the loader wrote (services.plans):
    a row whose values still hash to it is unchanged since, so the loader may update it; a row
    whose values differ was edited by people, and the loader reports instead of overwriting.
    """

    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.INTAKE)
    curated_fingerprint = models.CharField(
        _("curated fingerprint"), max_length=64, blank=True, editable=False,
        help_text=_("What the plan loader last wrote (SHA-256 of its values); empty for rows people added."),
    )

    class Meta:
        abstract = True


def origin_valid(model_name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=one_of("origin", vocabulary.ORIGINS), name=f"{model_name}_origin_valid")


class Region(Provenance):
    Level = RegionLevel

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent region"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=one_of("level", RegionLevel.values), name="region_level_valid"),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="region_not_own_parent"
            ),
            origin_valid("region"),
        ]

    def __str__(self):
        return self.name


class Department(Provenance):
    """A department of a region. Intake creates the ones a plan's brackets name and the region
    does not have yet (origin "intake")."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128, help_text=_("As the plans write it."))
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departments"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True,
        related_name="departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["region_id", "name"]  # the columns of an index, not a join
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region"),
            origin_valid("department"),
        ]

    def __str__(self):
        return self.name


class Plan(Provenance):
    """A plan. Dashboards, the progress API, reports and the calendar show published plans only
    (`published_at`); the loader publishes the curated ones, a reviewer the ones read by intake."""

    DocumentStatus = DocumentStatus

    class Status(models.TextChoices):
        """Derived from document status and period; see selectors.plan_status_expression."""
        DRAFT = "draft", _("draft")
        IN_FORCE = "in_force", _("in force")
        EXPIRED = "expired", _("expired")

    code = models.SlugField(_("code"), max_length=96, unique=True)
    title = models.CharField(_("title"), max_length=255)
    short_title = models.CharField(_("short title"), max_length=128)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="plans"
    )
    issuing_body = models.CharField(_("issuing body"), max_length=255)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))
    document_status = models.CharField(
        _("document status"), max_length=32, choices=DocumentStatus.choices,
        default=DocumentStatus.FINAL,
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    seed_file = models.CharField(_("source file"), max_length=128, blank=True)
    source_text = models.TextField(_("source text"), blank=True)
    # Who answers for a target the plan gives no department: the plan's monitoring lead
    # (跟踪评估及统计监测, 组织领导) where the text names one, else one assigned and said so.
    coordinating_departments = models.ManyToManyField(
        "Department", verbose_name=_("coordinating departments"), blank=True, related_name="coordinated_plans"
    )
    coordinating_basis = models.CharField(
        _("coordinating departments basis"), max_length=16,
        choices=[("stated", _("stated in the plan")), ("assigned", _("assigned: the plan names none"))],
        default="assigned",
    )
    coordinating_clause = models.TextField(_("coordinating clause"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["region__code", "start_year", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=F("start_year")), name="plan_period_ordered"),
            models.CheckConstraint(
                condition=one_of("document_status", DocumentStatus.values), name="plan_document_status_valid"
            ),
            origin_valid("plan"),
        ]

    def __str__(self):
        return self.short_title or self.title

    @property
    def status_label(self) -> str:
        """Needs the `status` annotation of selectors.plan_list()."""
        return self.Status(self.status).label


class Indicator(Provenance):
    Direction = text_choices("Direction", vocabulary.DIRECTIONS)
    Kind = text_choices("Kind", vocabulary.KINDS)

    code = models.SlugField(_("code"), max_length=96, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=16)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    allows_negative = models.BooleanField(_("allows negative values"), default=False)
    # DHIS2's min/max: a figure outside them is stored flagged for the reviewer, never refused
    # for that alone (trackers.validation). In the indicator's unit; empty: no bound.
    plausible_min = models.DecimalField(
        _("plausible minimum"), null=True, blank=True, **AMOUNT,
        help_text=_("A figure below it is flagged for the reviewer. In the indicator's unit; empty: none."),
    )
    plausible_max = models.DecimalField(
        _("plausible maximum"), null=True, blank=True, **AMOUNT,
        help_text=_("A figure above it is flagged for the reviewer. In the indicator's unit; empty: none."),
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plausible_min__isnull=True) | Q(plausible_max__isnull=True)
                | Q(plausible_min__lte=F("plausible_max")),
                name="indicator_plausible_range_ordered",
            ),
            models.CheckConstraint(condition=one_of("direction", vocabulary.DIRECTIONS), name="indicator_direction_valid"),
            models.CheckConstraint(condition=one_of("kind", vocabulary.KINDS), name="indicator_kind_valid"),
            origin_valid("indicator"),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class Baseline(Provenance):
    """A stated fact about the present or past, with the plan's own qualifier (超过, 约)."""

    Qualifier = text_choices("Qualifier", vocabulary.BASELINE_QUALIFIERS)

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="baselines")
    key = models.SlugField(_("key"), max_length=96)
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), **AMOUNT)
    unit = models.CharField(_("unit"), max_length=16)
    value_text = models.CharField(_("value as written"), max_length=64)
    qualifier = models.CharField(_("qualifier"), max_length=16, choices=Qualifier.choices, default=Qualifier.EXACT)
    clause = models.TextField(_("clause"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["plan_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="baseline_unique_key_in_plan"),
            models.CheckConstraint(
                condition=one_of("qualifier", vocabulary.BASELINE_QUALIFIERS), name="baseline_qualifier_valid"
            ),
            origin_valid("baseline"),
        ]

    def __str__(self):
        return f"{self.indicator.name} {self.year}: {self.value_text}"


Responsibility = text_choices("Responsibility", vocabulary.DEPARTMENT_BASES)


class Answerable(models.Model):
    """Who answers for a promise: the lead (牵头) and co-operating departments the plan names."""

    lead_departments = models.ManyToManyField(
        Department, verbose_name=_("lead departments"), blank=True, related_name="led_%(class)ss"
    )
    cooperating_departments = models.ManyToManyField(
        Department, verbose_name=_("co-operating departments"), blank=True, related_name="cooperating_%(class)ss"
    )
    departments_basis = models.CharField(
        _("departments basis"), max_length=16, choices=Responsibility.choices, default=Responsibility.NONE
    )
    departments_clause = models.TextField(_("departments clause"), blank=True)

    class Meta:
        abstract = True


class CurrentTargetManager(models.Manager):
    """The current version of every target: what dashboards, the calendar, snapshots and figure
    permissions follow. Reports for a date read the versions valid then (Target.all_versions and
    trackers.selectors.targets_valid_on); related objects (a snapshot's target) reach every row."""

    def get_queryset(self):
        return super().get_queryset().filter(valid_to__isnull=True)


class Target(Answerable, Provenance):
    """A quantitative promise. Rows are versions: a revision of the plan's text retires a row
    (`valid_to`) and creates its successor (`replaces`), so a report for an earlier date still
    reads the target as it stood then, and figures (indicator x region x year) stay with both."""

    Comparator = text_choices("Comparator", vocabulary.COMPARATORS)
    Basis = text_choices("Basis", vocabulary.BASES)

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets")
    key = models.SlugField(_("key"), max_length=96)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="targets")
    section = models.CharField(_("section"), max_length=128, blank=True)
    clause = models.TextField(_("clause"), help_text=_("Verbatim from the plan, whitespace removed."))
    value_text = models.CharField(_("value as written"), max_length=64)
    comparator = models.CharField(_("comparator"), max_length=8, choices=Comparator.choices)
    value = models.DecimalField(_("value"), **AMOUNT)
    value_high = models.DecimalField(_("upper value"), null=True, blank=True, **AMOUNT)
    unit = models.CharField(_("unit"), max_length=16)
    tolerance_pct = models.DecimalField(
        _("tolerance (%)"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("Only for 'about'; empty means the global setting."),
    )
    year = models.PositiveSmallIntegerField(_("target year"))
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices, default=Basis.LEVEL)
    aspirational = models.BooleanField(_("aspirational"), default=False)
    composition = models.SlugField(_("composition group"), max_length=96, blank=True)
    baseline = models.ForeignKey(
        Baseline, verbose_name=_("baseline"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="targets",
    )
    note = models.TextField(_("note"), blank=True)
    valid_from = models.DateField(
        _("counts from"), null=True, blank=True, help_text=_("Empty: from the plan's first published text."),
    )
    valid_to = models.DateField(
        _("replaced on"), null=True, blank=True, help_text=_("Empty: the current version of the target."),
    )
    replaces = models.ForeignKey(
        "self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.PROTECT, related_name="successors",
    )
    revision = models.ForeignKey(
        "PlanRevision", verbose_name=_("created by revision"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="created_targets",
    )
    retired_by = models.ForeignKey(
        "PlanRevision", verbose_name=_("retired by revision"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="retired_targets",
    )
    history = HistoricalRecords()

    all_versions = models.Manager()
    objects = CurrentTargetManager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan_id", "year", "key"]  # columns, not the plan's own ordering (a join)
        default_manager_name = "objects"
        base_manager_name = "all_versions"
        constraints = [
            # One current version per key; retired versions keep theirs.
            models.UniqueConstraint(
                fields=["plan", "key"], condition=Q(valid_to__isnull=True), name="target_unique_current_key_in_plan"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="target_validity_ordered",
            ),
            origin_valid("target"),
            models.CheckConstraint(condition=one_of("comparator", vocabulary.COMPARATORS), name="target_comparator_valid"),
            models.CheckConstraint(condition=one_of("basis", vocabulary.BASES), name="target_basis_valid"),
            # A range has an upper end above its lower end; nothing else has one.
            models.CheckConstraint(
                condition=(
                    Q(comparator="range", value_high__isnull=False, value_high__gt=F("value"))
                    | (~Q(comparator="range") & Q(value_high__isnull=True))
                ),
                name="target_range_has_ordered_upper_value",
            ),
            models.CheckConstraint(
                condition=Q(tolerance_pct__isnull=True) | Q(comparator="approx", tolerance_pct__gt=0),
                name="target_tolerance_only_for_approx",
            ),
            models.CheckConstraint(
                condition=one_of("departments_basis", vocabulary.DEPARTMENT_BASES), name="target_departments_basis_valid"
            ),
        ]

    def __str__(self):
        return f"{self.indicator.name} {self.year}: {self.value_text}"


class Milestone(Answerable, Provenance):
    """A dated deliverable with no number to measure: done or not, by its deadline."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="milestones")
    key = models.SlugField(_("key"), max_length=96)
    title = models.CharField(_("title"), max_length=255)
    clause = models.TextField(_("clause"))
    deadline = models.DateField(_("deadline"))
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="milestones")
    section = models.CharField(_("section"), max_length=128, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    evidence = note_field(_("evidence"), blank=True)
    valid_from = models.DateField(
        _("counts from"), null=True, blank=True, help_text=_("Empty: from the plan's first published text."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["plan_id", "deadline", "key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="milestone_unique_key_in_plan"),
            # A completed milestone must say how we know.
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | ~Q(evidence=""),
                name="milestone_completion_has_evidence",
            ),
            origin_valid("milestone"),
            at_most("evidence", NOTE_MAX_LENGTH, "milestone_evidence_length"),
        ]

    def __str__(self):
        return self.title


class Answerer(models.Model):
    """A department that answers for a target or a milestone, as kpis.core.responsibility decides
    from the plan's lead, co-operating and coordinating departments. Derived, never edited: the
    services that change those departments rewrite these rows (services.responsibility)."""

    Role = text_choices("Role", vocabulary.ANSWERING_ROLES)

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="answers"
    )
    target = models.ForeignKey(
        "Target", verbose_name=_("target"), null=True, blank=True, on_delete=models.CASCADE, related_name="answerers"
    )
    milestone = models.ForeignKey(
        "Milestone", verbose_name=_("milestone"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="answerers",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    accountable = models.BooleanField(_("accountable"), help_text=_("Owes the figure and is named first."))

    class Meta:
        verbose_name = _("answering department")
        verbose_name_plural = _("answering departments")
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=False, milestone__isnull=True) | Q(target__isnull=True, milestone__isnull=False),
                name="answerer_of_one_promise",
            ),
            models.CheckConstraint(condition=one_of("role", vocabulary.ANSWERING_ROLES), name="answerer_role_valid"),
            models.UniqueConstraint(fields=["target", "department"], name="answerer_unique_for_target"),
            models.UniqueConstraint(fields=["milestone", "department"], name="answerer_unique_for_milestone"),
        ]
        indexes = [models.Index(fields=["department", "target"]), models.Index(fields=["department", "milestone"])]

    def __str__(self):
        return f"{self.department} ({self.role})"


class ExcludedPromise(models.Model):
    """A sentence read and judged not quantitative, kept so the judgement can be reviewed."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="excluded")
    clause = models.TextField(_("clause"))
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("excluded promise")
        verbose_name_plural = _("excluded promises")
        constraints = [
            models.UniqueConstraint(fields=["plan", "clause"], name="excluded_unique_clause_in_plan")
        ]

    def __str__(self):
        return self.clause[:40]


class Actual(models.Model):
    """One reported figure: an indicator for a region and a year. Its values live in versions.

    One figure serves every plan that targets the indicator in that region.
    `lock_version` rises on every write so that two editors cannot silently overwrite each other.
    """

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="actuals")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="actuals")
    year = models.PositiveSmallIntegerField(_("year"))
    lock_version = models.PositiveIntegerField(_("lock version"), default=0)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("actual")
        verbose_name_plural = _("actuals")
        ordering = ["indicator_id", "region_id", "year"]  # the unique index's order
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "year"], name="actual_unique_figure")
        ]

    def __str__(self):
        return f"{self.indicator.name} {self.region} {self.year}"


FigureOrigin = text_choices("FigureOrigin", vocabulary.FIGURE_ORIGINS)


class ActualVersion(models.Model):
    """One version of a figure. Approved versions are never changed: a correction is a new one."""

    Status = text_choices("Status", vocabulary.VERSION_STATUSES)

    actual = models.ForeignKey(Actual, verbose_name=_("figure"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    value = models.DecimalField(_("value"), **AMOUNT)
    unit = models.CharField(_("unit"), max_length=16, validators=[one_line])
    value_in_indicator_unit = models.DecimalField(_("value in the indicator's unit"), **AMOUNT)
    source = note_field(_("source or evidence"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="actual_versions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    return_reason = note_field(_("reason for return"), blank=True)
    correction_reason = note_field(_("reason for correction"), blank=True)
    flagged = models.BooleanField(_("flagged for review"), default=False)
    flag_reason = models.TextField(_("flag reason"), blank=True)
    # Which kind of figure this version is; a department's correction of a published figure is
    # a new version, "submitted".
    origin = models.CharField(_("kind of figure"), max_length=16, choices=FigureOrigin.choices,
                              default=FigureOrigin.SUBMITTED)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("actual version")
        verbose_name_plural = _("actual versions")
        ordering = ["actual_id", "number"]  # the unique index's order
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["actual", "number"], name="actual_version_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="actual_version_number_positive"),
            models.CheckConstraint(condition=one_of("status", vocabulary.VERSION_STATUSES), name="actual_version_status_valid"),
            models.CheckConstraint(condition=~Q(source=""), name="actual_version_has_source"),
            # An approved figure names who approved it and when; nobody approves their own figure.
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False, reviewed_by__isnull=False),
                name="actual_version_approval_attributed",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("submitted_by")),
                name="actual_version_four_eyes",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="actual_version_return_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(correction_reason=""),
                name="actual_version_correction_has_reason",
            ),
            # At most one version of a figure is in play (draft, submitted or returned) at a time.
            models.UniqueConstraint(
                fields=["actual"], condition=one_of("status", vocabulary.OPEN_VERSION_STATUSES),
                name="actual_version_one_open",
            ),
            models.UniqueConstraint(
                fields=["actual"], condition=Q(status="approved"), name="actual_version_one_approved",
            ),
            at_most("source", NOTE_MAX_LENGTH, "actual_version_source_length"),
            at_most("return_reason", NOTE_MAX_LENGTH, "actual_version_return_reason_length"),
            at_most("correction_reason", NOTE_MAX_LENGTH, "actual_version_correction_reason_length"),
            models.CheckConstraint(condition=one_of("origin", vocabulary.FIGURE_ORIGINS), name="actual_version_origin_valid"),
        ]
        # selectors.counting_versions: the latest approval of a figure by a date.
        indexes = [models.Index(fields=["actual", "approved_at"], name="actual_version_approved")]

    def __str__(self):
        return f"{self.actual} v{self.number}"


class PublishedFigure(models.Model):
    """A figure a public page states about what happened, with its citation: the page's address,
    publisher, date and title, and the exact sentence it was read from (fixtures/published,
    loaded by trackers.services.published). The value is stored as the source states it, its
    qualifier (超过, 约) and range kept, never estimated.

    A figure whose scope matches its target's indicator is submitted for review as a version of
    the figure (`version`, origin "published") and counts once a reviewer approves it; any other
    is kept here only, shown beside the target and never counted (`standing` says why)."""

    Measure = text_choices("Measure", vocabulary.PUBLISHED_MEASURES)
    Qualifier = text_choices("Qualifier", vocabulary.BASELINE_QUALIFIERS)
    SourceKind = text_choices("SourceKind", vocabulary.PUBLISHED_SOURCE_KINDS)
    Standing = text_choices("Standing", vocabulary.PUBLISHED_STANDINGS)

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="published_figures")
    key = models.SlugField(_("key"), max_length=96)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="published_figures"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="published_figures")
    year = models.PositiveSmallIntegerField(_("year"))
    target_keys = models.JSONField(_("targets"), default=list, help_text=_("Keys of the plan's targets it is evidence for."))
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    cumulative_since = models.PositiveSmallIntegerField(_("cumulative since"), null=True, blank=True)
    value = models.DecimalField(_("value"), **AMOUNT)
    value_high = models.DecimalField(_("upper value"), null=True, blank=True, **AMOUNT)
    unit = models.CharField(_("unit"), max_length=16)
    value_in_indicator_unit = models.DecimalField(_("value in the indicator's unit"), **AMOUNT)
    value_high_in_indicator_unit = models.DecimalField(
        _("upper value in the indicator's unit"), null=True, blank=True, **AMOUNT
    )
    value_text = models.CharField(_("value as written"), max_length=64)
    qualifier = models.CharField(_("qualifier"), max_length=16, choices=Qualifier.choices, default=Qualifier.EXACT)
    scope = models.CharField(_("scope"), max_length=255, help_text=_("What the source says it measures, in its words."))
    scope_matches = models.BooleanField(_("scope matches the target's indicator"))
    scope_note = models.TextField(_("scope note"), max_length=NOTE_MAX_LENGTH, blank=True)
    source_url = models.CharField(_("source address"), max_length=500)
    publisher = models.CharField(_("publisher"), max_length=255)
    source_kind = models.CharField(_("kind of source"), max_length=16, choices=SourceKind.choices)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=500)
    sentence = models.TextField(_("sentence"), max_length=NOTE_MAX_LENGTH, help_text=_("Verbatim, as the page gives it."))
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    standing = models.CharField(_("standing"), max_length=16, choices=Standing.choices)
    version = models.OneToOneField(
        ActualVersion, verbose_name=_("version submitted"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="published",
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        ordering = ["indicator_id", "region_id", "year", "key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="published_figure_unique_key_in_plan"),
            # No figure without the address it was read from and the sentence that states it.
            models.CheckConstraint(
                condition=Q(source_url__startswith="http://") | Q(source_url__startswith="https://"),
                name="published_figure_has_url",
            ),
            models.CheckConstraint(condition=~Q(sentence=""), name="published_figure_has_sentence"),
            models.CheckConstraint(condition=~Q(publisher=""), name="published_figure_has_publisher"),
            models.CheckConstraint(condition=~Q(title=""), name="published_figure_has_title"),
            models.CheckConstraint(condition=~Q(value_text=""), name="published_figure_has_value_text"),
            models.CheckConstraint(condition=Q(scope_matches=True) | ~Q(scope_note=""),
                                   name="published_figure_mismatch_has_note"),
            # Only a figure whose scope matches is submitted; every other is shown, never counted.
            models.CheckConstraint(
                condition=(Q(standing="submitted", scope_matches=True, version__isnull=False)
                           | (~Q(standing="submitted") & Q(version__isnull=True))),
                name="published_figure_submitted_has_version",
            ),
            models.CheckConstraint(condition=Q(scope_matches=True) | Q(standing="scope_differs"),
                                   name="published_figure_mismatch_shown_only"),
            models.CheckConstraint(condition=Q(value_high__isnull=True) | Q(value_high__gt=F("value")),
                                   name="published_figure_range_ordered"),
            models.CheckConstraint(
                condition=Q(measure="cumulative", cumulative_since__isnull=False)
                | (~Q(measure="cumulative") & Q(cumulative_since__isnull=True)),
                name="published_figure_cumulative_since",
            ),
            models.CheckConstraint(condition=one_of("measure", vocabulary.PUBLISHED_MEASURES),
                                   name="published_figure_measure_valid"),
            models.CheckConstraint(condition=one_of("qualifier", vocabulary.BASELINE_QUALIFIERS),
                                   name="published_figure_qualifier_valid"),
            models.CheckConstraint(condition=one_of("source_kind", vocabulary.PUBLISHED_SOURCE_KINDS),
                                   name="published_figure_source_kind_valid"),
            models.CheckConstraint(condition=one_of("standing", vocabulary.PUBLISHED_STANDINGS),
                                   name="published_figure_standing_valid"),
            at_most("scope_note", NOTE_MAX_LENGTH, "published_figure_scope_note_length"),
            at_most("sentence", NOTE_MAX_LENGTH, "published_figure_sentence_length"),
            at_most("note", NOTE_MAX_LENGTH, "published_figure_note_length"),
        ]
        # The target page and reports read them by figure (indicator x region).
        indexes = [models.Index(fields=["indicator", "region", "year"], name="published_figure_figure")]

    def __str__(self):
        return f"{self.indicator.name} {self.region} {self.year}: {self.value_text}"


class ReportingObligation(models.Model):
    """The reporting calendar: which figure a department owes for a year, and by when."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="obligations"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("year"))
    due_date = models.DateField(_("due date"))
    # The figure owed, if anyone has entered it yet: a join on (indicator, region, year), no column
    # of its own (selectors.with_work_state reads its versions through it, set-based, not per row).
    figure = models.ForeignObject(
        Actual, on_delete=models.DO_NOTHING, from_fields=["indicator", "region", "year"],
        to_fields=["indicator", "region", "year"], null=True, related_name="+",
        serialize=False,  # a join, not a column: nothing to dump, and most obligations have no figure yet
    )

    class Meta:
        verbose_name = _("reporting obligation")
        verbose_name_plural = _("reporting obligations")
        ordering = ["year", "due_date", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "indicator", "region", "year"], name="obligation_unique_figure"
            )
        ]

    def __str__(self):
        return f"{self.department} {self.indicator.name} {self.year}"


class PlanDraft(models.Model):
    """A plan's text, read by trackers.reading into proposals for a reviewer: the text of a new
    plan (its proposals are accepted into `plan`), or a new text of an existing plan (a revision)."""

    class Purpose(models.TextChoices):
        NEW_PLAN = "new_plan", _("a new plan")
        REVISION = "revision", _("a new text of an existing plan")

    title = models.CharField(_("title"), max_length=255, validators=[one_line])
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), null=True, blank=True, on_delete=models.PROTECT, related_name="texts",
        help_text=_("The plan its proposals are accepted into; empty for texts read before plans were made here."),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.NEW_PLAN)
    filename = models.CharField(_("file name"), max_length=255, blank=True, validators=[one_line])
    text = models.TextField(
        _("text"), max_length=PLAN_TEXT_MAX_LENGTH, validators=[multi_line],
        help_text=_("Whitespace removed; draft offsets point into it."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan draft")
        verbose_name_plural = _("plan drafts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=one_of("purpose", ["new_plan", "revision"]), name="plan_draft_purpose_valid"),
            models.CheckConstraint(
                condition=~Q(purpose="revision") | Q(plan__isnull=False), name="plan_draft_revision_has_plan"
            ),
            at_most("text", PLAN_TEXT_MAX_LENGTH, "plan_draft_text_length"),
        ]

    def __str__(self):
        return self.title


class DraftTarget(models.Model):
    class Kind(models.TextChoices):
        TARGET = "target", _("target")
        BASELINE = "baseline", _("baseline")
        MILESTONE = "milestone", _("milestone")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    plan_draft = models.ForeignKey(PlanDraft, verbose_name=_("plan draft"), on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    clause = models.TextField(_("clause"))
    start = models.PositiveIntegerField(_("start offset"))
    end = models.PositiveIntegerField(_("end offset"))
    value_text = models.CharField(_("value as written"), max_length=64, blank=True)
    value = models.DecimalField(_("value"), null=True, blank=True, **AMOUNT)
    value_high = models.DecimalField(_("upper value"), null=True, blank=True, **AMOUNT)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    comparator = models.CharField(_("comparator"), max_length=8, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    aspirational = models.BooleanField(_("aspirational"), default=False)
    basis = models.CharField(_("basis"), max_length=16, default="level")
    qualifier = models.CharField(_("qualifier"), max_length=16, blank=True)
    lead_departments = models.TextField(_("lead departments"), blank=True)
    cooperating_departments = models.TextField(_("co-operating departments"), blank=True)
    # What the reader says about its own proposal (trackers.reading.Draft).
    confidence = models.DecimalField(_("confidence"), max_digits=3, decimal_places=2, default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True, help_text=_("Codes of trackers.reading.REASON_TEXTS."))
    subject = models.CharField(_("subject"), max_length=128, blank=True, help_text=_("What the number measures."))
    sentence_kind = models.CharField(_("sentence kind"), max_length=16, blank=True)
    deadline_text = models.CharField(_("deadline as written"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # What accepting it made; PROTECT: a target, milestone or baseline a proposal became is never deleted.
    accepted_target = models.ForeignKey(
        Target, verbose_name=_("target created"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="proposals",
    )
    accepted_milestone = models.ForeignKey(
        Milestone, verbose_name=_("milestone created"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="proposals",
    )
    accepted_baseline = models.ForeignKey(
        Baseline, verbose_name=_("baseline created"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="proposals",
    )

    class Meta:
        verbose_name = _("draft promise")
        verbose_name_plural = _("draft promises")
        ordering = ["plan_draft_id", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="draft_offsets_ordered"),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_target__isnull=False) | ~Q(kind="target"),
                name="draft_accepted_target_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_milestone__isnull=False) | ~Q(kind="milestone"),
                name="draft_accepted_milestone_has_milestone",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_baseline__isnull=False) | ~Q(kind="baseline"),
                name="draft_accepted_baseline_has_baseline",
            ),
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="draft_confidence_in_unit"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value_text or self.clause[:20]}"


class PlanRevision(models.Model):
    """A new text of a plan (a draft becoming final, a mid-term adjustment). Accepting its diff
    retires the targets it changes or removes and creates their successors, all counting from
    `effective_on`; reports for earlier dates keep reading the earlier rows."""

    Change = text_choices("Change", vocabulary.REVISION_CHANGES)

    class Status(models.TextChoices):
        OPEN = "open", _("open for review")
        ACCEPTED = "accepted", _("accepted")

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="revisions")
    plan_draft = models.OneToOneField(
        PlanDraft, verbose_name=_("text"), on_delete=models.PROTECT, related_name="revision"
    )
    title = models.CharField(_("title of the new text"), max_length=255)
    document_status = models.CharField(_("document status"), max_length=32, choices=DocumentStatus.choices)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    effective_on = models.DateField(_("counts from"), null=True, blank=True)
    added = models.PositiveIntegerField(_("targets added"), default=0)
    changed = models.PositiveIntegerField(_("targets changed"), default=0)
    removed = models.PositiveIntegerField(_("targets removed"), default=0)
    unchanged = models.PositiveIntegerField(_("targets unchanged"), default=0)

    class Meta:
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=one_of("status", ["open", "accepted"]), name="revision_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_by__isnull=False, accepted_at__isnull=False,
                                                     effective_on__isnull=False),
                name="revision_acceptance_attributed",
            ),
            # At most one open revision of a plan at a time: two would each retire the same rows.
            models.UniqueConstraint(fields=["plan"], condition=Q(status="open"), name="revision_one_open_per_plan"),
        ]

    def __str__(self):
        return self.title


class UploadJob(models.Model):
    """A spreadsheet too large to check and store during the request (settings.UPLOAD_ASYNC_BYTES):
    a Celery task reads, checks and stores it, all or nothing, as the page would have, and keeps
    the outcome here for the page that follows it. The file is kept with the job, so the web
    process and the workers need no shared disk."""

    State = text_choices("State", vocabulary.JOB_STATES)

    # What the job is doing, shown while it runs (services.imports.upload_job_run sets them).
    STAGES = {
        "queued": _("waiting for a worker"),
        "reading": _("reading the file"),
        "storing": _("checking and storing the figures"),
        "done": _("finished"),
        "failed": _("failed"),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"), editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"))
    language = models.CharField(_("language"), max_length=16)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    stored = models.PositiveIntegerField(_("figures stored"), default=0)
    flagged = models.PositiveIntegerField(_("figures flagged"), default=0)
    skipped = models.PositiveIntegerField(_("blank rows skipped"), default=0)
    # The rows' problems, {"row", "column", "message"}, in the job's language; none when stored.
    errors = models.JSONField(_("row problems"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)  # why the job failed as a whole

    class Meta:
        verbose_name = _("upload job")
        verbose_name_plural = _("upload jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="upload_job_progress_percent"),
            models.CheckConstraint(condition=one_of("state", ["pending", "running", "done", "failed"]),
                                   name="upload_job_state_valid"),
            # Nothing is stored from a file with problems: all or nothing.
            models.CheckConstraint(condition=Q(stored=0) | Q(state="done"), name="upload_job_stores_only_when_done"),
        ]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self):
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def stage_label(self) -> str:
        return str(self.STAGES.get(self.stage, self.stage))


# Notifications by email (services.notifications). Who gets which mail, in which language.

NOTIFICATION_LANGUAGES = list(settings.LANGUAGES)  # mails come in the site's languages


class NotificationPreferences(models.Model):
    """What mail one user wants. A user without a row gets every kind, in Chinese (the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    reminders = models.BooleanField(_("reminders before the due date and when overdue"), default=True)
    returns = models.BooleanField(_("when a figure of mine is returned"), default=True)
    approvals = models.BooleanField(_("when a figure of mine is approved"), default=True)
    reviewer_digest = models.BooleanField(_("weekly digest of the review queue (reviewers)"), default=True)
    language = models.CharField(_("language of the mails"), max_length=16, choices=NOTIFICATION_LANGUAGES,
                                default="zh-hans")

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(condition=one_of("language", [code for code, _name in NOTIFICATION_LANGUAGES]),
                                   name="notification_preferences_language_valid"),
        ]

    def __str__(self):
        return str(self.user)


class NotificationLog(models.Model):
    """One mail sent (or being sent) to one user about one thing. The unique (user, kind, key) is
    what keeps a reminder from going out twice, even when two workers run the same job: the
    sender claims its rows first and mails only the rows its own run inserted (`run`)."""

    Kind = text_choices("Kind", vocabulary.NOTIFICATION_KINDS)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # What the mail is about: "obligation-<id>", "figure-<actual id>-<lock version>", a week "2026-W49",
    # a bulk approval "approvals-<digest of its versions and lock versions>".
    key = models.CharField(_("what it is about"), max_length=64)
    run = models.UUIDField(_("sending run"), editable=False)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="notification_log_once"),
            models.CheckConstraint(condition=one_of("kind", vocabulary.NOTIFICATION_KINDS),
                                   name="notification_log_kind_valid"),
        ]
        indexes = [models.Index(fields=["run"], name="notification_log_run"),
                   models.Index(fields=["sent_at"], name="notification_log_sent_at")]  # the daily prune

    def __str__(self):
        return f"{self.user} {self.kind} {self.key}"
