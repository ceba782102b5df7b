"""The daily work on top of the national-scale data set (benchmarks/national_scale.py generate()):
what the "my work", review and completeness pages are timed on (benchmarks/pages.py).

Adds, each step only if it is not there yet (run it again: it adds nothing), with bulk inserts:

- bench-dept (made by generate()) named lead department of every target of the bench plan
  (150,000), and the answering departments the responsibility rule derives from that
  (trackers.services.responsibility.answerers_refresh_for_plan);
- the reporting calendar of 2024 and 2025 (trackers.services.calendar.obligations_generate):
  bench-dept owes 300,000 figures;
- users: bench-submitter (submitter, member of bench-dept), bench-reviewer (reviewer),
  bench-leader (leader);
- CORRECTIONS corrections waiting for review: a second version, submitted by bench-submitter with
  a reason, of that many approved 2024 figures of the bench plan (no history rows: no page timed
  here reads them).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale .venv-test/bin/python benchmarks/workload.py
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PLAN = "bench-plan"
DEPARTMENT = "bench-dept"
YEARS = (2024, 2025)
CORRECTIONS = 20_000
USERS = {"bench-submitter": "submitter", "bench-reviewer": "reviewer", "bench-leader": "leader"}


def add_workload(corrections: int = CORRECTIONS) -> dict[str, int]:
    """Add what is missing; returns how many rows of each kind were added."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from trackers.models import Answerer, Department, Plan, ReportingObligation, Target
    from trackers.services.calendar import obligations_generate
    from trackers.services.responsibility import answerers_refresh_for_plan

    added = {}
    with transaction.atomic():
        plan = Plan.objects.get(code=PLAN)
        department = Department.objects.get(code=DEPARTMENT)
        targets = Target.objects.filter(plan=plan)
        through = Target.lead_departments.through
        led = through.objects.filter(department=department, target__plan=plan)
        missing = list(targets.exclude(pk__in=led.values("target_id")).values_list("pk", flat=True))
        through.objects.bulk_create([through(target_id=pk, department_id=department.pk) for pk in missing],
                                    batch_size=10_000)
        added["lead departments named"] = len(missing)
        answers = Answerer.objects.filter(department=department, target__plan=plan, accountable=True)
        before = answers.count()
        if missing or before < targets.count():
            answerers_refresh_for_plan(plan)  # as the plan services do
        added["answering departments"] = answers.count() - before

        owed = ReportingObligation.objects.filter(department=department, year__in=YEARS)
        before = owed.count()
        for year in YEARS:
            obligations_generate(year)  # adds only what is missing
        added["obligations"] = owed.count() - before

        users = {}
        added["users"] = 0
        for username, role in USERS.items():
            user, created = get_user_model().objects.get_or_create(username=username)
            added["users"] += created
            user.groups.add(Group.objects.get(name=role))
            users[role] = user
        department.members.add(users["submitter"])

        added["corrections waiting"] = _corrections_add(plan, department, users["submitter"], corrections)
    return added


def _corrections_add(plan, department, submitter, wanted: int) -> int:
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from trackers.models import Actual, ActualVersion, Target

    waiting = ActualVersion.objects.filter(status=ActualVersion.Status.SUBMITTED, submitted_by=submitter,
                                           department=department, number__gt=1)
    needed = wanted - waiting.count()
    if needed <= 0:
        return 0
    figures = (
        Actual.objects.filter(year=YEARS[0])
        .filter(Exists(Target.objects.filter(plan=plan, indicator=OuterRef("indicator"), region=OuterRef("region"))))
        .filter(Exists(ActualVersion.objects.filter(actual=OuterRef("pk"), status=ActualVersion.Status.APPROVED)))
        .exclude(Exists(ActualVersion.objects.filter(
            actual=OuterRef("pk"), status__in=["draft", "submitted", "returned"])))
        .order_by("pk")
    )
    approved = {
        v.actual_id: v for v in ActualVersion.objects.filter(
            actual__in=list(figures.values_list("pk", flat=True)[:needed]), status=ActualVersion.Status.APPROVED)
    }
    now = timezone.now()
    ActualVersion.objects.bulk_create([
        ActualVersion(
            actual_id=actual_id, number=v.number + 1, value=v.value * 2, unit=v.unit,
            value_in_indicator_unit=v.value_in_indicator_unit * 2, source="基准更正", status="submitted",
            department=department, created_by=submitter, submitted_by=submitter, submitted_at=now,
            correction_reason="基准：更正",
        )
        for actual_id, v in sorted(approved.items())
    ], batch_size=5000)
    return len(approved)


def main():
    import django

    django.setup()
    from django.db import connection

    started = time.perf_counter()
    added = add_workload()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and any(added.values()):
            cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
    print(f"{connection.settings_dict['NAME']}: added " + ", ".join(f"{n:,} {what}" for what, n in added.items())
          + f" in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
