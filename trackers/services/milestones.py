"""Writes for milestones: a responsible department records that a deliverable was done."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trackers.models import Milestone
from trackers.services.actuals import FigureValidationError
from trackers.validation import FieldError


def milestone_answerable_by(milestone: Milestone, user) -> bool:
    return Milestone.objects.filter(pk=milestone.pk).filter(
        Q(lead_departments__members=user)
        | Q(cooperating_departments__members=user)
        | Q(departments_basis="none", plan__coordinating_departments__members=user)
    ).exists()


@transaction.atomic
def milestone_complete(*, user, milestone: Milestone, completed_on: dt.date, evidence: str) -> Milestone:
    """Record completion with its evidence; django-simple-history keeps who and when."""
    if not (user.has_perm("trackers.review_figure") or milestone_answerable_by(milestone, user)):
        raise PermissionDenied(_("You may not record this milestone."))
    errors = []
    if completed_on > timezone.localdate():
        errors.append(FieldError("completed_on", "future", _("A completion date cannot lie in the future.")))
    if not (evidence or "").strip():
        errors.append(FieldError("evidence", "required", _("Describe the evidence that it was done.")))
    if errors:
        raise FigureValidationError(errors)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    milestone.completed_on = completed_on
    milestone.evidence = evidence.strip()
    milestone.save(update_fields=["completed_on", "evidence"])
    return milestone
