"""A new text of an existing plan: a side-by-side diff of its targets (added, changed, removed),
accepted by a reviewer; the earlier versions stay, figures keep counting for unchanged indicators."""
import datetime as dt
import re

import pytest

from tests.conftest import SHENZHEN_PLAN
from tests.factories import UserFactory
from tests.trackers.revision_helpers import REVISED_TEXT, accept_as_proposed, shenzhen_revision
from trackers import roles
from trackers.exceptions import InvalidInput
from trackers.models import DraftTarget, Plan, PlanRevision, Target
from trackers.selectors import revision_diff
from trackers.services import revisions

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_user():
    return UserFactory(role=roles.REVIEWER)


def changes(diff):
    return {row.target.key: (row.change, row.fields) for row in diff.rows}


def test_the_diff_pairs_changed_targets_and_keeps_the_clauses_still_in_the_text(reviewer_user):
    diff = revision_diff(shenzhen_revision(reviewer_user))
    assert changes(diff) == {
        "revenue-2025": ("changed", ["value"]),
        "listed-companies-2025": ("removed", []),
        "firms-over-1bn-2025": ("unchanged", []),
        "industry-zones-2025": ("unchanged", []),
    }
    assert [d.value_text for d in diff.additions] == ["8个"]
    assert next(r for r in diff.rows if r.change == "changed").proposal.value == 1300


def test_accepting_retires_replaces_adds_and_keeps_the_earlier_rows(reviewer_user, revenue_target, clock):
    clock.set(2025, 2, 1, 10, 0)
    revision = accept_as_proposed(reviewer_user, shenzhen_revision(reviewer_user))
    assert (revision.status, revision.effective_on) == ("accepted", dt.date(2025, 2, 1))
    assert (revision.changed, revision.added, revision.removed, revision.unchanged) == (1, 1, 1, 2)

    plan = Plan.objects.get(code=SHENZHEN_PLAN)
    current = {t.key: t for t in plan.targets.all()}
    assert "listed-companies-2025" not in current
    successor = current["revenue-2025"]
    assert (successor.value, successor.replaces_id, successor.valid_from) == (1300, revenue_target.pk, dt.date(2025, 2, 1))
    assert successor.indicator_id == revenue_target.indicator_id and successor.baseline_id == revenue_target.baseline_id
    assert successor.curated_fingerprint == revenue_target.curated_fingerprint  # the loader's record goes with it
    old = Target.all_versions.get(pk=revenue_target.pk)
    assert (old.value, old.valid_to, old.retired_by_id) == (1200, dt.date(2025, 2, 1), revision.pk)
    assert old.history.order_by("-history_id").first().valid_to == dt.date(2025, 2, 1)  # recorded in its history
    removed = Target.all_versions.get(plan=plan, key="listed-companies-2025")
    assert removed.valid_to == dt.date(2025, 2, 1)
    added = next(t for t in current.values() if t.revision_id == revision.pk and t.replaces_id is None)
    assert (added.value_text, added.valid_from) == ("8个", dt.date(2025, 2, 1))
    assert set(successor.lead_departments.all()) == set(old.lead_departments.all())
    assert set(successor.answerers.values_list("department", "role")) == set(old.answerers.values_list("department", "role"))
    assert plan.title.endswith("（修订）") and "1300亿元" in plan.source_text
    assert plan.history.count() >= 2  # the plan's earlier text is in its history


def test_a_reviewer_may_pair_a_target_differently_or_declare_it_removed(reviewer_user, revenue_target):
    revision = shenzhen_revision(reviewer_user)
    accepted = revisions.revision_accept(user=reviewer_user, revision=revision,
                                         matches={revenue_target.pk: None}, additions=[])
    assert accepted.removed == 2 and accepted.changed == 0
    assert not Target.objects.filter(pk=revenue_target.pk).exists()


def test_bad_choices_are_refused_and_nothing_changes(reviewer_user, revenue_target):
    revision = shenzhen_revision(reviewer_user)
    kept = Target.objects.get(plan__code=SHENZHEN_PLAN, key="industry-zones-2025")
    some_draft = revision.plan_draft.drafts.filter(kind="target").first()
    with pytest.raises(InvalidInput) as refused:
        revisions.revision_accept(user=reviewer_user, revision=revision, additions=[],
                                  matches={kept.pk: some_draft.pk, revenue_target.pk: 999999})
    assert {e.field for e in refused.value.errors} == {f"t{kept.pk}-match", f"t{revenue_target.pk}-match"}
    assert Target.objects.filter(pk=revenue_target.pk).exists()
    assert PlanRevision.objects.get(pk=revision.pk).status == "open"


def test_only_one_open_revision_per_plan_and_only_reviewers_accept(reviewer_user):
    revision = shenzhen_revision(reviewer_user)
    with pytest.raises(InvalidInput):
        shenzhen_revision(reviewer_user)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        revisions.revision_accept(user=UserFactory(role=roles.LEADER), revision=revision, matches={}, additions=[])


def test_the_revision_page_shows_the_diff_side_by_side_and_accepts_it(client, reviewer_user, revenue_target):
    client.force_login(reviewer_user)
    response = client.post("/intake/", {"purpose": "revision", "revises": SHENZHEN_PLAN, "title": "深圳修订稿",
                                        "document_status": "final", "text": REVISED_TEXT})
    revision = PlanRevision.objects.get()
    assert response["Location"] == f"/intake/revisions/{revision.pk}/"
    html = client.get(response["Location"]).content.decode()
    changed = re.search(rf'<tr class="change-changed" id="target-{revenue_target.pk}">.*?</tr>', html, re.S).group(0)
    assert "1200亿元" in changed and "1300亿元" in changed  # side by side
    assert 'class="change-removed"' in html and "8个" in html
    data = {f"t{revenue_target.pk}-match": str(revision.plan_draft.drafts.get(value_text="1300亿元").pk)}
    removed = Target.objects.get(plan__code=SHENZHEN_PLAN, key="listed-companies-2025")
    data[f"t{removed.pk}-match"] = ""
    assert client.post(f"/intake/revisions/{revision.pk}/accept/", data).status_code == 302
    assert PlanRevision.objects.get().status == "accepted"
    assert Target.objects.get(plan__code=SHENZHEN_PLAN, key="revenue-2025").value == 1300
    assert DraftTarget.objects.get(plan_draft=revision.plan_draft, value_text="8个").status == "pending"  # not chosen


def test_dashboards_follow_the_current_versions_after_a_revision(client, reviewer_user):
    from django.utils import timezone

    from kpis.models import ProgressSnapshot
    from kpis.services import snapshots_recompute

    today = timezone.localdate()
    plan_targets = Target.objects.filter(plan__code=SHENZHEN_PLAN)
    snapshots_recompute(plan_targets, today)
    accept_as_proposed(reviewer_user, shenzhen_revision(reviewer_user))
    snapshots_recompute(Target.objects.filter(plan__code=SHENZHEN_PLAN), today)  # what the outbox does
    # Today's progress of the retired versions is gone; only the current versions have some.
    assert set(ProgressSnapshot.objects.filter(as_of=today, plan__code=SHENZHEN_PLAN).values_list(
        "target_id", flat=True)) == set(plan_targets.values_list("pk", flat=True))

    client.force_login(UserFactory(role=roles.LEADER))
    html = client.get(f"/dashboards/plans/{SHENZHEN_PLAN}/", {"as_of": today.isoformat()}).content.decode()
    table = re.search(r'<table[^>]*id="target-table".*?</table>', html, re.S).group(0)
    assert "1300亿元" in table and "1200亿元" not in table and "12家" not in table and "8个" in table
