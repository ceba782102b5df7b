"""Demo users and invented yearly figures for the quick start. Everything here is labelled demo:
the figures' Actual rows carry is_demo=True, their versions origin "demo", and every page shows a
banner while DEMO_MODE is on.

The published figures (fixtures/published) come first: the ones that count are approved by the
demo reviewer, and no figure is invented for an indicator, region and year that has a published
figure (counted or shown only), so pages show real figures wherever there are some.

The figures go through the real workflow (submitted by a department's submitter, approved by a
reviewer), so the history, the completeness view and the dashboards have something to show.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trackers import roles
from trackers.models import Actual, ActualVersion, Department, Plan, PublishedFigure, Target
from trackers.quantities import convert, unit_family
from trackers.services.actuals import FigureInput, FigureWrite, actual_approve, figures_submit
from trackers.services.calendar import obligations_generate
from trackers.services.notifications import notifications_held
from trackers.services.published import published_load

DEMO_PASSWORD = "demo-pass-2026"
DEMO_LAST_YEAR = 2025
# One submitter per plan, member of every department the plan names.
PLAN_SUBMITTERS = {
    "guangdong-biomed-2021-2025": "demo-gd",
    "guangzhou-health-elderly-2017-2020": "demo-gz",
    "shenzhen-health-2022-2025": "demo-sz",
    "chaozhou-biomed-2022-2025": "demo-cz",
    "jiangmen-health-2016-2020": "demo-jm",
}
STAFF = {
    "demo-admin": roles.ADMINISTRATOR,
    "demo-leader": roles.LEADER,
    "demo-auditor": roles.AUDITOR,
    "demo-reviewer": roles.REVIEWER,
}


def demo_logins() -> list[tuple[str, str]]:
    """(username, role) of every demo login, staff first; all share DEMO_PASSWORD."""
    return [*STAFF.items(), *((username, roles.SUBMITTER) for username in PLAN_SUBMITTERS.values())]


@transaction.atomic
def demo_load(seed: int = 2026, fixtures_dir: Path | None = None,
              progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """`progress` is told each step and its counts, as a line of text."""
    with notifications_held():  # the invented figures' approvals mail nobody
        return _demo_load(seed, fixtures_dir, progress or (lambda _text: None))


def _demo_load(seed: int, fixtures_dir: Path | None, say: Callable[[str], None]) -> dict[str, int]:
    users = _demo_users()
    say(f"demo users: {len(users)}")
    reviewer = users["demo-reviewer"]
    published = _published_approved(fixtures_dir or settings.BASE_DIR / "fixtures", reviewer)
    say(f"published figures approved: {published}")
    # Where a source published a figure, nothing is invented, even where that figure does not count.
    real = set(PublishedFigure.objects.values_list("indicator_id", "region_id", "year"))
    rng = random.Random(seed)
    created = 0
    for plan in Plan.objects.order_by("code"):
        submitter = users.get(PLAN_SUBMITTERS.get(plan.code, ""))
        if submitter is None:
            continue
        targets = plan.targets.select_related("indicator", "region", "baseline", "plan").order_by("key")
        writes, seen = [], set(real)  # where a source published a figure, nothing is invented
        for target in targets:
            writes += _demo_series(target, submitter, rng, seen)
        # Submitted together through the upload's bulk path (the same checks, a bounded number of
        # queries), then approved one by one as a reviewer does.
        versions = figures_submit(user=submitter, writes=writes)
        for version in versions:
            actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
        Actual.objects.filter(pk__in=[version.actual_id for version in versions]).update(is_demo=True)
        created += len(versions)
        say(f"demo figures for {plan.code}: {len(versions)} submitted and approved")
    owed = sum(obligations_generate(year) for year in range(2016, DEMO_LAST_YEAR + 1))
    say(f"reporting calendar 2016–{DEMO_LAST_YEAR}: {owed} figures owed")
    backdated = _backdate_demo_reviews()
    say(f"demo figures dated to the spring after their year: {backdated}")
    return {"users": len(users), "figures": created, "published": published}


def _published_approved(fixtures_dir: Path, reviewer) -> int:
    """Load the published figures (idempotent) and approve, as the demo reviewer, those waiting
    for review; the reviewer of a real service decides on each."""
    published_load(fixtures_dir)
    waiting = ActualVersion.objects.filter(origin="published", status=ActualVersion.Status.SUBMITTED,
                                           published__isnull=False).select_related("actual")
    approved = 0
    for version in waiting:
        actual_approve(user=reviewer, version=version, expected_lock_version=version.actual.lock_version)
        approved += 1
    return approved


def _backdate_demo_reviews() -> int:
    """Give each invented figure the dates a real one would have: submitted and approved in the
    spring after its year, so dashboards for past dates show what was known then."""
    count = 0
    for version in ActualVersion.objects.filter(actual__is_demo=True, approved_at__gte=_today_start()).select_related("actual"):
        submitted = timezone.make_aware(dt.datetime(version.actual.year + 1, 3, 10, 10, 0))
        approved = submitted + dt.timedelta(days=7)
        stamps = {"created_at": submitted, "submitted_at": submitted, "reviewed_at": approved, "approved_at": approved}
        ActualVersion.objects.filter(pk=version.pk).update(**stamps)
        # The audit trail states the same times as the row: its records carry the stamps too.
        records = version.history.all()
        records.filter(status="draft").update(history_date=submitted, created_at=submitted)
        records.filter(status="submitted").update(history_date=submitted, created_at=submitted, submitted_at=submitted)
        records.filter(status="approved").update(history_date=approved, **stamps)
        count += 1
    return count


def _today_start() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))


def _demo_users() -> dict:
    User = get_user_model()
    users = {}
    password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose, nine times was seconds
    for username, role in STAFF.items():
        user = _user(User, username, role, password)
        user.is_staff = role == roles.ADMINISTRATOR
        user.is_superuser = role == roles.ADMINISTRATOR
        user.save()
        users[username] = user
    for plan_code, username in PLAN_SUBMITTERS.items():
        plan = Plan.objects.filter(code=plan_code).first()
        if plan is None:
            continue
        user = _user(User, username, roles.SUBMITTER, password)
        for department in _plan_departments(plan):
            department.members.add(user)
        users[username] = user
    return users


def _user(User, username, role, password: str):
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.password = password
        user.first_name = "演示"
    if not user.email:  # example.org never delivers: the demo's mails are shown on the console
        user.email = f"{username}@example.org"
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


def _plan_departments(plan: Plan):
    """Every department that answers for a promise of the plan, and its coordinators."""
    answering = Department.objects.filter(Q(answers__target__plan=plan) | Q(answers__milestone__plan=plan))
    return set(answering) | set(plan.coordinating_departments.all())


def _demo_series(target: Target, submitter, rng: random.Random, seen: set) -> list[FigureWrite]:
    """Invent a plausible series for a target's figure; some targets run ahead, some behind.
    `seen`: the figures (indicator, region, year) published or already invented in this batch."""
    # Filed under a department accountable for the target, as its calendar owes it.
    department = submitter.departments.filter(answers__target=target).order_by("-answers__accountable", "pk").first()
    if department is None:
        return []
    pace = Decimal(str(rng.choice([0.7, 0.85, 0.95, 1.0, 1.05, 1.15])))
    first_year = target.plan.start_year
    last_year = min(target.year, DEMO_LAST_YEAR)
    reported = set(Actual.objects.filter(indicator=target.indicator, region=target.region).values_list("year", flat=True))
    writes = []
    for year in range(first_year, last_year + 1):
        key = (target.indicator_id, target.region_id, year)
        if year in reported or key in seen:
            continue
        seen.add(key)
        value = _demo_value(target, year, pace, rng)
        figure = FigureInput(
            indicator=target.indicator, region=target.region, year=year, value=value,
            unit=target.indicator.unit, source="演示数据（虚构）/ demo data (invented)", origin="demo",
        )
        writes.append(FigureWrite(department, figure))
    return writes


def _demo_value(target: Target, year: int, pace: Decimal, rng: random.Random) -> Decimal:
    goal = convert(target.value, target.unit, target.indicator.unit)
    noise = Decimal(str(round(rng.uniform(0.97, 1.03), 3)))
    if target.basis == Target.Basis.ANNUAL or target.indicator.kind in ("share", "rate"):
        value = goal * pace * noise
    elif target.basis == Target.Basis.CUMULATIVE:
        span = max(target.year - target.plan.start_year + 1, 1)
        value = goal / span * pace * noise  # the year's additions
        if _is_count(target):  # whole things: round up or down at random, keeping the pace on average
            whole = int(value)
            value = Decimal(whole + (1 if rng.random() < float(value - whole) else 0))
    else:
        start = _baseline_in_unit(target) or goal * Decimal("0.5")
        span = max(target.year - target.plan.start_year + 1, 1)
        share = Decimal(year - target.plan.start_year + 1) / span
        value = (start + (goal - start) * share) * pace * noise
    if _is_count(target):
        value = value.quantize(Decimal(1))
    else:
        value = value.quantize(Decimal("0.01"))
    if target.indicator.kind == "share":
        value = min(value, Decimal(100))
    return max(value, Decimal(0))


def _is_count(target: Target) -> bool:
    return target.indicator.kind == "count" or unit_family(target.indicator.unit) == "count"


def _baseline_in_unit(target: Target) -> Decimal | None:
    if target.baseline is None:
        return None
    return convert(target.baseline.value, target.baseline.unit, target.indicator.unit)
