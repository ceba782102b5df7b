"""Computed progress, stored so that pages and reports read it instead of recomputing, and so
that a report for a past as-of date can be rebuilt exactly."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from kpis.core import vocabulary
from trackers.choices import one_of, text_choices
from trackers.models import AMOUNT, ActualVersion, Milestone, Plan, Target

Status = text_choices("Status", vocabulary.STATUSES)
MilestoneState = text_choices("MilestoneState", vocabulary.MILESTONE_STATES)
RATIO = {"max_digits": 20, "decimal_places": 8}


class ProgressSnapshot(models.Model):
    """One target's progress as of a date. A pure function of the approved figures at that date:
    recomputing gives identical rows."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateField(_("as of"))
    method_version = models.CharField(_("method version"), max_length=32)
    latest_version = models.ForeignKey(
        ActualVersion, verbose_name=_("figure used"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    latest_year = models.PositiveSmallIntegerField(_("latest year"), null=True, blank=True)
    latest_value = models.DecimalField(_("latest value"), null=True, blank=True, **AMOUNT)
    target_value = models.DecimalField(_("target value (indicator unit)"), **AMOUNT)
    progress = models.DecimalField(_("progress"), null=True, blank=True, **RATIO)
    gap = models.DecimalField(_("gap"), null=True, blank=True, **AMOUNT)
    years_left = models.SmallIntegerField(_("years left"), null=True, blank=True)
    trajectory_value = models.DecimalField(_("trajectory value"), null=True, blank=True, **AMOUNT)
    actual_growth = models.DecimalField(_("actual growth per year"), null=True, blank=True, **RATIO)
    required_growth = models.DecimalField(_("required growth per year"), null=True, blank=True, **RATIO)
    projection_compound = models.DecimalField(_("projection (compound)"), null=True, blank=True, **AMOUNT)
    projection_linear = models.DecimalField(_("projection (linear)"), null=True, blank=True, **AMOUNT)
    # The engine's own projection at the target year (compound for geometric paths, else linear).
    projection = models.DecimalField(_("projection at the target year"), null=True, blank=True, **AMOUNT)
    # Where the trajectory expects progress to stand at the latest year, measured as progress is.
    expected_progress = models.DecimalField(_("expected progress"), null=True, blank=True, **RATIO)
    anticipated_progress = models.DecimalField(_("anticipated progress"), null=True, blank=True, **RATIO)
    # For tables that sort and count in the database at national scale: the target's plan, the
    # status's place in the vocabulary's order, and how far progress trails the path.
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="+")
    status_rank = models.PositiveSmallIntegerField(_("status order"))
    shortfall = models.DecimalField(_("shortfall against the path"), null=True, blank=True, **RATIO)
    achieved = models.BooleanField(_("achieved"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    reason_zh = models.TextField(_("reason (Chinese)"), blank=True)
    years_met = models.SmallIntegerField(_("years met"), null=True, blank=True)
    years_due = models.SmallIntegerField(_("years due"), null=True, blank=True)
    opensdg_ratio = models.DecimalField(_("Open SDG ratio"), null=True, blank=True, **RATIO)
    opensdg_status = models.CharField(_("Open SDG status"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("progress snapshot")
        verbose_name_plural = _("progress snapshots")
        ordering = ["-as_of", "target_id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "as_of"], name="snapshot_unique_target_date"),
            models.CheckConstraint(
                condition=one_of("status", vocabulary.STATUSES), name="snapshot_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["as_of", "plan", "status_rank", "target"], name="snapshot_plan_by_status"),
            models.Index(fields=["as_of", "target"], name="snapshot_date_target"),
            # On PostgreSQL also (as_of, plan, shortfall DESC NULLS LAST, target) and (as_of, shortfall DESC
            # NULLS LAST, target): migrations 0004 and 0005.
        ]

    def __str__(self):
        return f"{self.target} @ {self.as_of}: {self.status}"


class MilestoneSnapshot(models.Model):
    milestone = models.ForeignKey(Milestone, verbose_name=_("milestone"), on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateField(_("as of"))
    state = models.CharField(_("state"), max_length=16, choices=MilestoneState.choices)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone snapshot")
        verbose_name_plural = _("milestone snapshots")
        constraints = [
            models.UniqueConstraint(fields=["milestone", "as_of"], name="milestone_snapshot_unique_date"),
            models.CheckConstraint(condition=one_of("state", vocabulary.MILESTONE_STATES), name="milestone_state_valid"),
        ]

    def __str__(self):
        return f"{self.milestone} @ {self.as_of}: {self.state}"


class RecomputeRequest(models.Model):
    """The outbox: a recomputation owed, written in the same transaction as the approval that
    owes it. If the broker is down the row waits; the beat sweeper dispatches it again."""

    target_ids = models.JSONField(_("targets"), default=list)
    as_of = models.DateField(_("as of"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("recomputation request")
        verbose_name_plural = _("recomputation requests")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["completed_at", "dispatched_at"])]

    def __str__(self):
        return f"{self.reason or 'recompute'} ({len(self.target_ids)} targets, {self.as_of})"


class RecomputeRun(models.Model):
    """A log line per recomputation: when, for what, how long, how many snapshots."""

    scope = models.CharField(_("scope"), max_length=64)
    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    targets = models.PositiveIntegerField(_("targets"))
    snapshots_written = models.PositiveIntegerField(_("snapshots written"))

    class Meta:
        verbose_name = _("recomputation run")
        verbose_name_plural = _("recomputation runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.scope} @ {self.as_of}: {self.snapshots_written} snapshots"
