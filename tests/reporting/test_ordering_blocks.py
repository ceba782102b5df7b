"""A scope's ordering is read once and served from the cache in blocks: every window, across
block edges and past the end, is the slice of the ordering the database gives, and a
recomputation that changes the order is seen at once."""
import pytest
from django.core.cache import cache
from django.utils import timezone

from kpis.models import ProgressSnapshot
from kpis.services import recompute_run_record, snapshots_recompute
from reporting import selectors
from trackers.models import Plan, Target

pytestmark = pytest.mark.django_db

PLAN = "guangdong-biomed-2021-2025"


@pytest.fixture
def plan(monkeypatch):
    monkeypatch.setattr(selectors, "ORDER_BLOCK", 4)  # blocks of 4: a small plan spans several
    cache.clear()
    plan = Plan.objects.get(code=PLAN)
    snapshots_recompute(Target.objects.filter(plan=plan), timezone.localdate())
    return plan


def database_order(targets, as_of, sort):
    # The ordering the way the database gives it for one window at a time (LIMIT/OFFSET).
    field = selectors.SNAPSHOT_SORTS.get(sort.lstrip("-"))
    if field is None:
        return list(targets.order_by(selectors._order(selectors.TARGET_SORTS[sort.lstrip("-")], sort), "pk")
                    .values_list("pk", flat=True))
    snapshots = ProgressSnapshot.objects.filter(as_of=as_of, target__in=targets)
    return list(snapshots.order_by(selectors._order(field, sort), "target_id").values_list("target_id", flat=True))


@pytest.mark.parametrize("sort", ["status", "-behind", "gap", "target_year", "-region"])
def test_every_window_is_the_slice_of_the_databases_ordering(plan, sort):
    targets, as_of = Target.objects.filter(plan=plan), timezone.localdate()
    expected = database_order(targets, as_of, sort)
    assert len(expected) > 3 * selectors.ORDER_BLOCK
    for start, stop in [(0, 3), (2, 7), (3, 9), (len(expected) - 2, len(expected) + 5), (len(expected) + 4, len(expected) + 9)]:
        assert selectors.ordered_target_ids(targets, as_of, sort, slice(start, stop), plan) == expected[start:stop]


def test_a_recomputation_reorders_at_once(plan, django_assert_num_queries):
    targets, as_of = Target.objects.filter(plan=plan), timezone.localdate()
    before = selectors.ordered_target_ids(targets, as_of, "gap", slice(0, 50), plan)
    with django_assert_num_queries(1):  # from the cache: only the version is read
        assert selectors.ordered_target_ids(targets, as_of, "gap", slice(0, 50), plan) == before
    moved = before[-1]
    ProgressSnapshot.objects.filter(target_id=moved, as_of=as_of).update(gap=-10**9)  # now first ...
    assert selectors.ordered_target_ids(targets, as_of, "gap", slice(0, 50), plan) == before  # (not recorded yet)
    recompute_run_record(scope="test", as_of=as_of, started_at=timezone.now(), targets=1)  # ... once recorded
    after = selectors.ordered_target_ids(targets, as_of, "gap", slice(0, 50), plan)
    assert after == database_order(targets, as_of, "gap")[:50] and after[0] == moved != before[0]
