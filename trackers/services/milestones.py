"""Writes for milestones: a responsible department records that a deliverable was done."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trackers.cleantext import model_text_errors
from trackers.exceptions import FieldError, InvalidInput
from trackers.models import Milestone


@transaction.atomic
def milestone_complete(*, user, milestone: Milestone, completed_on: dt.date, evidence: str) -> Milestone:
    """Record completion with its evidence; django-simple-history keeps who and when."""
    if not user.has_perm("trackers.record_milestone", milestone):
        raise PermissionDenied(_("You may not record this milestone."))
    errors = []
    if completed_on > timezone.localdate():
        errors.append(FieldError("completed_on", "future", _("A completion date cannot lie in the future.")))
    if not (evidence or "").strip():
        errors.append(FieldError("evidence", "required", _("Describe the evidence that it was done.")))
    errors += model_text_errors(evidence, Milestone, "evidence")
    if errors:
        raise InvalidInput(errors)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    milestone.completed_on = completed_on
    milestone.evidence = evidence.strip()
    milestone.save(update_fields=["completed_on", "evidence"])
    return milestone
