"""Writes for reading new plans: store a plan's text with the promises the reader proposes, and
turn the ones a reviewer accepts into targets. Nothing becomes a target without a reviewer."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trackers.exceptions import FieldError, InvalidInput
from trackers.models import DraftTarget, Indicator, Plan, PlanDraft, Region, Target
from trackers.quantities import normalize_text
from trackers.reading import read_plan
from trackers.services.calendar import obligations_generate_for_plan
from trackers.services.responsibility import answerers_refresh


def _require_intake(user) -> None:
    if not user.has_perm("trackers.read_plans"):
        raise PermissionDenied(_("Only reviewers and administrators may read new plans."))


@transaction.atomic
def plan_draft_create(*, user, title: str, region: Region, text: str, filename: str = "") -> PlanDraft:
    _require_intake(user)
    flat = normalize_text(text)
    if not flat:
        raise InvalidInput([FieldError("text", "required", _("The plan's text is empty."))])
    plan_draft = PlanDraft.objects.create(title=title, region=region, text=flat, filename=filename, created_by=user)
    DraftTarget.objects.bulk_create([
        DraftTarget(
            plan_draft=plan_draft, kind=d.kind, clause=d.clause, start=d.start, end=d.end, value_text=d.value_text,
            value=d.value, value_high=d.value_high, unit=d.unit, comparator=d.comparator, year=d.year,
            aspirational=d.aspirational, basis=d.basis, qualifier=d.qualifier,
            lead_departments="、".join(d.lead_departments), cooperating_departments="、".join(d.cooperating_departments),
        )
        for d in read_plan(flat)
    ])
    return plan_draft


@transaction.atomic
def draft_target_accept(*, user, draft: DraftTarget, plan: Plan, indicator: Indicator, edits: dict) -> Target:
    """Create the target the reviewer confirmed; `edits` overrides what the reader proposed."""
    _require_intake(user)
    draft = DraftTarget.objects.select_for_update().get(pk=draft.pk)
    if draft.status != DraftTarget.Status.PENDING or draft.kind != DraftTarget.Kind.TARGET:
        raise InvalidInput([FieldError("status", "not_pending", _("Only a pending target draft can be accepted."))])
    fields = {
        "comparator": draft.comparator or "gte", "value": draft.value, "value_high": draft.value_high,
        "unit": draft.unit or indicator.unit, "year": draft.year, "aspirational": draft.aspirational,
        "basis": draft.basis,
    }
    fields.update({k: v for k, v in edits.items() if v not in (None, "")})
    errors = _accept_errors(fields)
    if errors:
        raise InvalidInput(errors)
    target = Target.objects.create(
        plan=plan, key=f"intake-{draft.pk}", indicator=indicator, region=draft.plan_draft.region,
        clause=draft.clause, value_text=draft.value_text or str(fields["value"]), comparator=fields["comparator"],
        value=Decimal(fields["value"]), value_high=fields["value_high"] if fields["comparator"] == "range" else None,
        unit=fields["unit"], year=int(fields["year"]), aspirational=bool(fields["aspirational"]),
        basis=fields["basis"], note=_("Read from %(file)s and accepted by a reviewer.") % {"file": draft.plan_draft.title},
    )
    draft.status, draft.reviewed_by, draft.reviewed_at, draft.accepted_target = (
        DraftTarget.Status.ACCEPTED, user, timezone.now(), target)
    draft.save()
    answerers_refresh(targets=Target.objects.filter(pk=target.pk))
    obligations_generate_for_plan(plan)
    return target


def _accept_errors(fields: dict) -> list[FieldError]:
    errors = []
    if fields.get("value") in (None, ""):
        errors.append(FieldError("value", "required", _("Enter the target value.")))
    if not fields.get("year"):
        errors.append(FieldError("year", "required", _("Enter the target year.")))
    if fields.get("comparator") == "range" and fields.get("value_high") in (None, ""):
        errors.append(FieldError("value_high", "required", _("A range needs its upper value.")))
    return errors


@transaction.atomic
def draft_target_reject(*, user, draft: DraftTarget) -> DraftTarget:
    _require_intake(user)
    DraftTarget.objects.filter(pk=draft.pk, status=DraftTarget.Status.PENDING).update(
        status=DraftTarget.Status.REJECTED, reviewed_by=user, reviewed_at=timezone.now()
    )
    draft.refresh_from_db()
    return draft
