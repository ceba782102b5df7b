"""Writes for new texts of existing plans: a draft becoming final (征求意见稿 -> 正式稿), a
mid-term adjustment. The new text is read like any plan; a reviewer checks the side-by-side diff
of its targets (trackers.selectors.revision_diff) and accepts it.

Accepting retires each changed or removed target (valid_to) and creates the changed ones'
successors (replaces), all counting from the day of acceptance. Indicators are kept, so every
figure already reported (indicator x region x year) keeps counting for the successor; the
retired rows, their snapshots and their answering departments stay, so a report for an earlier
date reads exactly what it read before.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trackers import signals
from trackers.cleantext import model_text_errors
from trackers.exceptions import FieldError, InvalidInput
from trackers.models import DraftTarget, Origin, Plan, PlanDraft, PlanRevision, Target
from trackers.quantities import normalize_text
from trackers.selectors import revision_diff
from trackers.services.intake import (
    Decision,
    accept_one,
    promises_changed,
    proposals_store,
    require_intake,
    target_terms,
)


@transaction.atomic
def revision_create(*, user, plan: Plan, title: str, document_status: str, text: str,
                    published_on: dt.date | None = None, filename: str = "") -> PlanRevision:
    """Read a new text of `plan` for review; nothing changes until the diff is accepted."""
    require_intake(user)
    flat = normalize_text(text)
    errors = []
    if not flat:
        errors.append(FieldError("text", "required", _("The plan's text is empty.")))
    if document_status not in Plan.DocumentStatus.values:
        errors.append(FieldError("document_status", "invalid", _("Choose final or consultation draft.")))
    if PlanRevision.objects.filter(plan=plan, status=PlanRevision.Status.OPEN).exists():
        errors.append(FieldError("revises", "open_revision", _(
            "A new text of this plan is already waiting for review; accept it first.")))
    for name, value in (("title", title or ""), ("filename", filename), ("text", flat)):
        errors += model_text_errors(value, PlanDraft, name)  # clean and bounded (trackers.cleantext)
    if errors:
        raise InvalidInput(errors)
    title = (title or plan.title).strip()
    plan_draft = PlanDraft.objects.create(
        title=title, region=plan.region, plan=plan, purpose=PlanDraft.Purpose.REVISION, text=flat, filename=filename,
        created_by=user,
    )
    proposals_store(plan_draft)
    return PlanRevision.objects.create(plan=plan, plan_draft=plan_draft, title=title, document_status=document_status,
                                       published_on=published_on, created_by=user)


@transaction.atomic
def revision_accept(*, user, revision: PlanRevision, matches: dict[int, int | None],
                    additions: list[Decision]) -> PlanRevision:
    """Apply the reviewer's diff: `matches` pairs each target whose clause left the text with the
    proposal revising it (None: removed); `additions` are the new text's targets to add."""
    if not user.has_perm("trackers.publish_plan", revision.plan):
        raise PermissionDenied(_("Only reviewers and administrators may accept a new text of a plan."))
    revision = PlanRevision.objects.select_for_update().select_related("plan", "plan_draft").get(pk=revision.pk)
    if revision.status != PlanRevision.Status.OPEN:
        raise InvalidInput.single("revision", "accepted", _("This new text has been accepted already."))
    plan = Plan.objects.select_for_update().get(pk=revision.plan_id)
    diff = revision_diff(revision, matches)
    _check_choices(diff, matches, additions)
    today = timezone.localdate()
    counts = {"unchanged": 0, "changed": 0, "removed": 0, "added": 0}
    created, errors = [], []
    for row in diff.rows:
        if row.change == "removed":
            _retire(row.target, revision, today)
        elif row.change == "changed":
            try:
                created.append(_successor(user, plan, row.target, row.proposal, revision, today))
            except InvalidInput as refused:
                errors += [FieldError(f"t{row.target.pk}-{e.field}", e.code, e.message) for e in refused.errors]
                continue
        elif row.proposal is not None:
            _mark_accepted(row.proposal, user, row.target)
        counts[row.change] += 1
    drafts = {d.pk: d for d in DraftTarget.objects.select_for_update().filter(
        plan_draft=revision.plan_draft, pk__in=[a.draft_id for a in additions])}
    for decision in additions:
        try:
            target = accept_one(user=user, plan=plan, draft=drafts.get(decision.draft_id), decision=decision,
                                today=today, valid_from=today, revision=revision)
        except InvalidInput as refused:
            errors += [FieldError(f"d{decision.draft_id}-{e.field}", e.code, e.message) for e in refused.errors]
            continue
        created.append(target)
        counts["added"] += 1
    if errors:
        raise InvalidInput(errors)
    _plan_takes_the_new_text(plan, revision)
    revision.status, revision.accepted_by, revision.accepted_at, revision.effective_on = (
        PlanRevision.Status.ACCEPTED, user, timezone.now(), today)
    for name, count in counts.items():
        setattr(revision, name, count)
    revision.save()
    promises_changed(plan, targets=created, milestones=[], reason=f"revision {revision.pk} of {plan.code}")
    return revision


def _check_choices(diff, matches: dict[int, int | None], additions: list[Decision]) -> None:
    choosable = {row.target.pk for row in diff.rows if row.target is not None and row.choosable}
    candidates = {d.pk for d in diff.candidates}
    errors = [FieldError(f"t{pk}-match", "not_choosable", _("This target's clause is still in the text: it is kept."))
              for pk in matches if pk not in choosable]
    chosen = [draft for draft in matches.values() if draft is not None]
    errors += [FieldError(f"t{pk}-match", "unknown", _("Choose a proposal of the new text."))
               for pk, draft in matches.items() if draft is not None and draft not in candidates]
    if len(chosen) != len(set(chosen)):
        errors.append(FieldError("matches", "twice", _("Two targets cannot be revised by the same proposal.")))
    errors += [FieldError(f"d{a.draft_id}-selected", "matched", _(
        "This proposal revises a target; it cannot be added as well.")) for a in additions if a.draft_id in chosen]
    if errors:
        raise InvalidInput(errors)


def _retire(target: Target, revision: PlanRevision, today: dt.date) -> None:
    target.valid_to, target.retired_by = today, revision
    target.save(update_fields=["valid_to", "retired_by"])
    signals.targets_retired.send(sender=Target, target_ids=[target.pk], on=today)


def _successor(user, plan: Plan, old: Target, proposal: DraftTarget, revision: PlanRevision, today: dt.date) -> Target:
    """The target as the new text states it: same key, indicator, region, baseline and departments,
    the new value, year and clause; the loader's record of the row it replaces goes with it, so
    the loader can tell the fixture it once loaded from an edit."""
    terms = target_terms(plan, proposal, Decision(draft_id=proposal.pk), old.indicator)
    _retire(old, revision, today)
    new = Target.all_versions.get(pk=old.pk)
    new.pk = new.id = None
    new._state.adding = True
    for name, value in terms.items():
        setattr(new, name, value)
    new.basis = old.basis  # how the figure is counted is the curators' reading, kept
    new.clause, new.valid_from, new.valid_to, new.replaces = proposal.clause, today, None, old
    new.revision, new.retired_by, new.origin = revision, None, Origin.INTAKE
    new.save()
    new.lead_departments.set(old.lead_departments.all())
    new.cooperating_departments.set(old.cooperating_departments.all())
    _mark_accepted(proposal, user, new)
    return new


def _mark_accepted(proposal: DraftTarget, user, target: Target) -> None:
    proposal.status, proposal.reviewed_by, proposal.reviewed_at, proposal.accepted_target = (
        DraftTarget.Status.ACCEPTED, user, timezone.now(), target)
    proposal.save()


def _plan_takes_the_new_text(plan: Plan, revision: PlanRevision) -> None:
    plan.title, plan.document_status, plan.source_text = (
        revision.title, revision.document_status, revision.plan_draft.text)
    if revision.published_on:
        plan.published_on = revision.published_on
    plan.save()
