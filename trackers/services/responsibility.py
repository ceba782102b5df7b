"""Writes the answering departments of promises (trackers.models.Answerer) from the departments the
plan names, by the one rule in kpis.core.responsibility. Every service that changes a promise's
lead or co-operating departments, or a plan's coordinators, calls answerers_refresh after."""
from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import QuerySet

from kpis.core.responsibility import answering_departments
from trackers.models import Answerer, Milestone, Plan, Target


@transaction.atomic
def answerers_refresh(*, targets: QuerySet[Target] | None = None, milestones: QuerySet[Milestone] | None = None) -> int:
    """Rewrite the answering departments of these targets and milestones; returns rows written."""
    written = 0
    for promises, owner in ((targets, "target"), (milestones, "milestone")):
        if promises is None:
            continue
        ids = list(promises.values_list("pk", flat=True))
        rows = _answer_rows(promises.model, owner, ids)
        Answerer.objects.filter(**{f"{owner}_id__in": ids}).delete()
        Answerer.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written


def answerers_refresh_for_plan(plan: Plan) -> int:
    return answerers_refresh(targets=plan.targets.all(), milestones=plan.milestones.all())


def _answer_rows(model, owner: str, ids: list[int]) -> list[Answerer]:
    """Three reads whatever the number of promises: the two lists the plan names, the coordinators."""
    leads, cooperating = defaultdict(list), defaultdict(list)
    for through, named in ((model.lead_departments.through, leads), (model.cooperating_departments.through, cooperating)):
        for promise_id, department_id in through.objects.filter(**{f"{owner}_id__in": ids}).order_by(
            "department__name", "department_id"
        ).values_list(f"{owner}_id", "department_id"):
            named[promise_id].append(department_id)
    plan_of = dict(model.objects.filter(pk__in=ids).values_list("pk", "plan_id"))
    coordinators = defaultdict(list)
    for plan_id, department_id in Plan.coordinating_departments.through.objects.filter(
        plan_id__in=set(plan_of.values())
    ).order_by("department__name", "department_id").values_list("plan_id", "department_id"):
        coordinators[plan_id].append(department_id)
    return [
        Answerer(department_id=answer.department, role=answer.role, accountable=answer.accountable,
                 **{f"{owner}_id": promise_id})
        for promise_id in ids
        for answer in answering_departments(leads[promise_id], cooperating[promise_id], coordinators[plan_of[promise_id]])
    ]
