"""Writes for reading new plans: a plan made from its text, the reader's proposals stored with
what it says about them, the ones a reviewer accepts turned into targets, milestones and
baselines of that plan, and the plan published when a reviewer says so. Nothing becomes a
promise without a reviewer, and nothing shows on dashboards before the plan is published."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.core import vocabulary
from trackers import signals
from trackers.cleantext import model_text_errors
from trackers.exceptions import FieldError, InvalidInput
from trackers.models import (
    Baseline,
    DraftTarget,
    Indicator,
    Milestone,
    Origin,
    Plan,
    PlanDraft,
    Region,
    Target,
)
from trackers.plan_fixtures import year_fits_period
from trackers.quantities import UnitError, convert, normalize_text
from trackers.reading import read_plan
from trackers.services.calendar import obligations_generate_for_plan
from trackers.services.regions import departments_for_names, short_hash
from trackers.services.responsibility import answerers_refresh, answerers_refresh_for_plan
from trackers.validation import YEARS, amount_errors, is_sane_year


def require_intake(user) -> None:
    if not user.has_perm("trackers.read_plans"):
        raise PermissionDenied(_("Only reviewers and administrators may read new plans."))


# A plan from its text

@dataclass(frozen=True)
class PlanInput:
    title: str
    region: Region
    start_year: int
    end_year: int
    issuing_body: str
    text: str
    document_status: str = Plan.DocumentStatus.FINAL
    published_on: dt.date | None = None
    short_title: str = ""
    filename: str = ""
    coordinator: str = ""  # who answers for targets whose clause names nobody (optional)


@transaction.atomic
def plan_create(*, user, plan: PlanInput) -> PlanDraft:
    """Make an unpublished plan from its text, with the full text kept, and store the reader's
    proposals for a reviewer. Returns the text (PlanDraft) the proposals belong to."""
    require_intake(user)
    flat = normalize_text(plan.text)
    errors = _plan_errors(plan, flat)
    code = f"{plan.region.code[:40]}-{plan.start_year}-{plan.end_year}-{short_hash(plan.title, length=6)}"
    if not errors and Plan.objects.filter(code=code).exists():
        errors.append(FieldError("title", "duplicate", _("A plan of this title, region and period exists already.")))
    if errors:
        raise InvalidInput(errors)
    created = Plan.objects.create(
        code=code, title=plan.title.strip(), short_title=(plan.short_title or plan.title).strip()[:128],
        region=plan.region, issuing_body=plan.issuing_body.strip(), start_year=plan.start_year, end_year=plan.end_year,
        document_status=plan.document_status, published_on=plan.published_on, source_text=flat,
        origin=Origin.INTAKE,
    )
    if plan.coordinator.strip():
        created.coordinating_departments.set(departments_for_names(plan.region, [plan.coordinator]))
    plan_draft = PlanDraft.objects.create(
        title=created.title, region=plan.region, plan=created, purpose=PlanDraft.Purpose.NEW_PLAN, text=flat,
        filename=plan.filename, created_by=user,
    )
    proposals_store(plan_draft)
    return plan_draft


def _plan_errors(plan: PlanInput, flat: str) -> list[FieldError]:
    errors = []
    if not plan.title.strip():
        errors.append(FieldError("title", "required", _("Enter the plan's title.")))
    if not plan.issuing_body.strip():
        errors.append(FieldError("issuing_body", "required", _("Enter who issued the plan.")))
    if plan.end_year < plan.start_year:
        errors.append(FieldError("end_year", "before_start", _("The plan's period ends before it starts.")))
    if plan.document_status not in Plan.DocumentStatus.values:
        errors.append(FieldError("document_status", "invalid", _("Choose final or consultation draft.")))
    if not flat:
        errors.append(FieldError("text", "required", _("The plan's text is empty.")))
    # Clean and bounded (trackers.cleantext); the text once its whitespace (form feeds of converted
    # PDFs included) is gone.
    for name, value, model in (("title", plan.title, Plan), ("issuing_body", plan.issuing_body, Plan),
                               ("filename", plan.filename, PlanDraft), ("text", flat, PlanDraft)):
        errors += model_text_errors(value, model, name)
    return errors


def proposals_store(plan_draft: PlanDraft) -> int:
    """Read the text and keep every proposal with what the reader says about it."""
    rows = [
        DraftTarget(
            plan_draft=plan_draft, kind=d.kind, clause=d.clause, start=d.start, end=d.end, value_text=d.value_text,
            value=d.value, value_high=d.value_high, unit=d.unit, comparator=d.comparator, year=d.year,
            aspirational=d.aspirational, basis=d.basis, qualifier=d.qualifier,
            lead_departments="、".join(d.lead_departments), cooperating_departments="、".join(d.cooperating_departments),
            confidence=Decimal(str(d.confidence)).quantize(Decimal("0.01")), reasons=list(d.reasons),
            subject=d.subject[:128], sentence_kind=d.sentence_kind[:16], deadline_text=d.deadline_text[:32],
        )
        for d in read_plan(plan_draft.text)
    ]
    DraftTarget.objects.bulk_create(rows)
    return len(rows)


# Accepting proposals

@dataclass(frozen=True)
class NewIndicator:
    name: str
    unit: str
    kind: str
    direction: str = "higher"


@dataclass(frozen=True)
class Decision:
    """A reviewer's acceptance of one proposal. Fields left None keep what the reader proposed."""

    draft_id: int
    indicator: Indicator | None = None
    new_indicator: NewIndicator | None = None
    value: Decimal | None = None
    value_high: Decimal | None = None
    year: int | None = None
    comparator: str | None = None
    lead: list[str] | None = None  # department names, as the bracket writes them
    cooperating: list[str] | None = None
    title: str = ""  # milestones
    deadline: dt.date | None = None  # milestones


@dataclass
class Accepted:
    targets: list[Target]
    milestones: list[Milestone]
    baselines: list[Baseline]

    def add(self, made) -> None:
        {Target: self.targets, Milestone: self.milestones, Baseline: self.baselines}[type(made)].append(made)


@transaction.atomic
def proposals_accept(*, user, plan_draft: PlanDraft, decisions: list[Decision]) -> Accepted:
    """Accept the chosen proposals of a new plan's text into its plan: all of them, or, if any
    cannot be accepted as it stands, none (every problem is reported, named by its proposal)."""
    require_intake(user)
    if not decisions:
        raise InvalidInput([FieldError("selected", "required", _("Select at least one proposal to accept."))])
    if plan_draft.plan_id is None or plan_draft.purpose != PlanDraft.Purpose.NEW_PLAN:
        raise InvalidInput([FieldError("plan", "none", _(
            "This text has no plan to accept its proposals into; read it again as a new plan or as a revision."))])
    plan = Plan.objects.select_for_update().get(pk=plan_draft.plan_id)
    drafts = {d.pk: d for d in DraftTarget.objects.select_for_update().filter(
        plan_draft=plan_draft, pk__in=[d.draft_id for d in decisions])}
    accepted, errors = Accepted([], [], []), []
    today = timezone.localdate()
    for decision in decisions:
        draft = drafts.get(decision.draft_id)
        try:
            made = accept_one(user=user, plan=plan, draft=draft, decision=decision, today=today)
        except InvalidInput as refused:
            errors += [FieldError(f"d{decision.draft_id}-{e.field}", e.code, e.message) for e in refused.errors]
            continue
        accepted.add(made)
    if errors:
        raise InvalidInput(errors)
    promises_changed(plan, targets=accepted.targets, milestones=accepted.milestones,
                     reason=f"intake: {len(accepted.targets)} targets accepted into {plan.code}")
    return accepted


def accept_one(*, user, plan: Plan, draft: DraftTarget | None, decision: Decision, today: dt.date, **target_fields):
    """One pending proposal into the plan: a target (with `target_fields`, such as the revision
    that adds it), a milestone or a baseline."""
    if draft is None or draft.status != DraftTarget.Status.PENDING:
        raise InvalidInput.single("status", "not_pending", _("Only a proposal awaiting review can be accepted."))
    valid_from = today if plan.published_at else None  # counts from its first day on dashboards
    if draft.kind == DraftTarget.Kind.MILESTONE:
        made = _milestone_from(plan, draft, decision, valid_from)
        draft.accepted_milestone = made
    elif draft.kind == DraftTarget.Kind.BASELINE:
        made = _baseline_from(user, plan, draft, decision)
        draft.accepted_baseline = made
    else:
        made = target_from(user, plan, draft, decision, **{"valid_from": valid_from, **target_fields})
        draft.accepted_target = made
    draft.status, draft.reviewed_by, draft.reviewed_at = DraftTarget.Status.ACCEPTED, user, timezone.now()
    draft.save()
    return made


def target_from(user, plan: Plan, draft: DraftTarget, decision: Decision, **fields) -> Target:
    """A target from a proposal and the reviewer's decision (also used by revisions for what a
    new text adds)."""
    indicator = _indicator_for(user, decision, draft)
    terms = target_terms(plan, draft, decision, indicator)
    target = Target.objects.create(
        plan=plan, key=f"intake-{draft.pk}", indicator=indicator, region=plan.region, clause=draft.clause,
        baseline=_baseline_for(plan, indicator, terms["year"]), origin=Origin.INTAKE,
        note=_("Read from %(file)s and accepted by a reviewer.") % {"file": draft.plan_draft.title},
        **terms, **_departments_basis(draft, decision), **fields,
    )
    _departments_set(target, plan, draft, decision)
    return target


def target_terms(plan: Plan, draft: DraftTarget, decision: Decision, indicator: Indicator) -> dict:
    """What the target promises, the reviewer's edits over the reader's proposal; refuses what
    the engine could not judge (no value, no year, a year outside the plan, a unit that does not
    convert to the indicator's)."""
    comparator = decision.comparator or draft.comparator or "gte"
    value = decision.value if decision.value is not None else draft.value
    high = decision.value_high if decision.value_high is not None else draft.value_high
    year = decision.year or draft.year
    unit = draft.unit or indicator.unit
    errors = []
    if value is None:
        errors.append(FieldError("value", "required", _("Enter the target value.")))
    errors += _amounts_fit(Target, value=value, value_high=high)
    if not year:
        errors.append(FieldError("year", "required", _("Enter the target year.")))
    elif not year_fits_period(year, plan.start_year, plan.end_year):
        errors.append(FieldError("year", "outside_period", _(
            "%(year)s lies outside the plan's period %(start)s–%(end)s.") % {
            "year": year, "start": plan.start_year, "end": plan.end_year}))
    if comparator not in vocabulary.COMPARATORS:
        errors.append(FieldError("comparator", "invalid", _("Choose how the figure is compared with the target.")))
    elif comparator == "range" and (high is None or value is None or high <= value):
        errors.append(FieldError("value_high", "required", _("A range needs an upper value above its lower value.")))
    errors += _unit_errors(unit, indicator)
    if errors:
        raise InvalidInput(errors)
    unchanged = value == draft.value
    return {
        "comparator": comparator, "value": value, "value_high": high if comparator == "range" else None,
        "unit": unit, "year": year, "aspirational": draft.aspirational, "basis": draft.basis,
        "value_text": (draft.value_text if unchanged and draft.value_text else f"{value.normalize():f}{unit}")[:64],
    }


def _amounts_fit(model, **values) -> list[FieldError]:
    """Each value given fits its DecimalField of `model` exactly (trackers.validation)."""
    return [error for name, value in values.items() if value is not None
            for error in amount_errors(Decimal(value), model._meta.get_field(name), name)]


def _unit_errors(unit: str, indicator: Indicator) -> list[FieldError]:
    try:
        convert(Decimal(1), unit, indicator.unit)
    except UnitError:
        return [FieldError("indicator", "unit_mismatch", _(
            "The proposal is in %(unit)s, which does not convert to the indicator's unit %(indicator_unit)s: "
            "choose another indicator or create one in %(unit)s.") % {"unit": unit, "indicator_unit": indicator.unit})]
    return []


def _milestone_from(plan: Plan, draft: DraftTarget, decision: Decision, valid_from) -> Milestone:
    deadline = decision.deadline or (dt.date(draft.year, 12, 31) if draft.year else None)
    title = (decision.title or draft.subject or draft.clause).strip()[:255]
    if deadline is None:
        raise InvalidInput.single("deadline", "required", _("Enter the milestone's deadline."))
    milestone = Milestone.objects.create(
        plan=plan, key=f"intake-{draft.pk}", title=title, clause=draft.clause, deadline=deadline, region=plan.region,
        origin=Origin.INTAKE, valid_from=valid_from, **_departments_basis(draft, decision),
    )
    _departments_set(milestone, plan, draft, decision)
    return milestone


def _baseline_from(user, plan: Plan, draft: DraftTarget, decision: Decision) -> Baseline:
    indicator = _indicator_for(user, decision, draft)
    value = decision.value if decision.value is not None else draft.value
    year = decision.year or draft.year
    errors = _unit_errors(draft.unit or indicator.unit, indicator)
    if value is None:
        errors.append(FieldError("value", "required", _("Enter the baseline's value.")))
    errors += _amounts_fit(Baseline, value=value)
    if not year:
        errors.append(FieldError("year", "required", _("Enter the baseline's year.")))
    elif not is_sane_year(year):
        errors.append(FieldError("year", "out_of_range", _("Enter a year between %(first)s and %(last)s.")
                                 % {"first": YEARS[0], "last": YEARS[1]}))
    if errors:
        raise InvalidInput(errors)
    baseline = Baseline.objects.create(
        plan=plan, key=f"intake-{draft.pk}", indicator=indicator, region=plan.region, year=year, value=value,
        unit=draft.unit or indicator.unit, value_text=(draft.value_text or f"{value}")[:64],
        qualifier=draft.qualifier or Baseline.Qualifier.EXACT, clause=draft.clause, origin=Origin.INTAKE,
    )
    if plan.published_at is None:  # a published plan's targets are not changed in place
        Target.objects.filter(plan=plan, indicator=indicator, baseline__isnull=True, year__gt=year).update(
            baseline=baseline)
    return baseline


def _baseline_for(plan: Plan, indicator: Indicator, year: int) -> Baseline | None:
    return plan.baselines.filter(indicator=indicator, year__lt=year).order_by("-year").first()


def _departments_basis(draft: DraftTarget, decision: Decision) -> dict:
    """Departments read from the clause's bracket are stated by the plan; none named, none."""
    named = _names(decision.lead, draft.lead_departments) or _names(decision.cooperating, draft.cooperating_departments)
    return {"departments_basis": "stated" if named else "none"}


def _departments_set(promise, plan: Plan, draft: DraftTarget, decision: Decision) -> None:
    promise.lead_departments.set(departments_for_names(plan.region, _names(decision.lead, draft.lead_departments)))
    promise.cooperating_departments.set(
        departments_for_names(plan.region, _names(decision.cooperating, draft.cooperating_departments)))


def _names(edited: list[str] | None, proposed: str) -> list[str]:
    return [n for n in (edited if edited is not None else proposed.split("、")) if n.strip()]


def _indicator_for(user, decision: Decision, draft: DraftTarget) -> Indicator:
    if decision.indicator is not None:
        return decision.indicator
    if decision.new_indicator is not None:
        return indicator_create(user=user, **decision.new_indicator.__dict__)
    raise InvalidInput.single("indicator", "required", _("Choose an indicator or create a new one."))


@transaction.atomic
def indicator_create(*, user, name: str, unit: str, kind: str, direction: str = "higher") -> Indicator:
    """An indicator a new plan measures (origin "intake"); the same name and unit is the same one."""
    require_intake(user)
    name, unit = (name or "").strip(), (unit or "").strip()
    errors = []
    if not name:
        errors.append(FieldError("new_name", "required", _("Name the new indicator.")))
    if not unit:
        errors.append(FieldError("new_unit", "required", _("Give the new indicator's unit.")))
    if kind not in vocabulary.KINDS:
        errors.append(FieldError("new_kind", "invalid", _("Choose what kind of measure it is.")))
    if direction not in vocabulary.DIRECTIONS:
        errors.append(FieldError("new_direction", "invalid", _("Choose whether higher or lower is better.")))
    errors += [*model_text_errors(name, Indicator, "name", name="new_name"),
               *model_text_errors(unit, Indicator, "unit", name="new_unit")]
    if errors:
        raise InvalidInput(errors)
    existing = Indicator.objects.filter(name=name[:255], unit=unit[:16]).first()
    if existing is not None:
        return existing
    return Indicator.objects.create(
        code=f"ind-{short_hash(name, unit)}", name=name[:255], unit=unit[:16], kind=kind, direction=direction,
        origin=Origin.INTAKE,
    )


@transaction.atomic
def proposal_reject(*, user, draft: DraftTarget) -> DraftTarget:
    require_intake(user)
    DraftTarget.objects.filter(pk=draft.pk, status=DraftTarget.Status.PENDING).update(
        status=DraftTarget.Status.REJECTED, reviewed_by=user, reviewed_at=timezone.now()
    )
    draft.refresh_from_db()
    return draft


# Publishing

@transaction.atomic
def plan_publish(*, user, plan: Plan) -> Plan:
    """Show the plan on dashboards, in reports and the reporting calendar, from today: its
    promises count from today, so reports for earlier dates stay as they were."""
    if not user.has_perm("trackers.publish_plan", plan):
        raise PermissionDenied(_("Only reviewers and administrators may publish plans."))
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.published_at is not None:
        raise InvalidInput.single("plan", "published", _("This plan is published already."))
    if not plan.targets.exists() and not plan.milestones.exists():
        raise InvalidInput.single("plan", "empty", _("Accept at least one target or milestone before publishing."))
    today = timezone.localdate()
    Target.objects.filter(plan=plan, valid_from__isnull=True).update(valid_from=today)
    Milestone.objects.filter(plan=plan, valid_from__isnull=True).update(valid_from=today)
    plan.published_at, plan.published_by = timezone.now(), user
    plan.save(update_fields=["published_at", "published_by"])
    promises_changed(plan, targets=list(plan.targets.all()), milestones=None, reason=f"published {plan.code}")
    return plan


def promises_changed(plan: Plan, *, targets: list[Target], milestones: list[Milestone] | None, reason: str) -> None:
    """After promises were created or their departments changed: who answers for them, the
    reporting calendar, and (for a published plan) their progress as of today."""
    if milestones is None:
        answerers_refresh_for_plan(plan)
    else:
        answerers_refresh(targets=Target.objects.filter(pk__in=[t.pk for t in targets]),
                          milestones=Milestone.objects.filter(pk__in=[m.pk for m in milestones]))
    obligations_generate_for_plan(plan)
    if plan.published_at is not None and targets:
        signals.targets_changed.send(sender=Plan, target_ids=[t.pk for t in targets], reason=reason)

