import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from trackers.models import Plan, Target
from trackers.services.plans import FixtureError, plans_load

pytestmark = pytest.mark.django_db


def test_a_broken_fixture_stores_nothing(tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(Path(settings.BASE_DIR) / "fixtures", fixtures, ignore=shutil.ignore_patterns("seeds"))
    broken = fixtures / "plans" / "shenzhen-health-2022-2025.yaml"
    broken.write_text(broken.read_text("utf-8").replace("1200亿元", "1300亿元"), "utf-8")
    Target.objects.filter(plan__code="shenzhen-health-2022-2025").delete()
    before = Target.objects.count()

    with pytest.raises(FixtureError) as error:
        plans_load(fixtures, settings.SEEDS_DIR)

    assert "shenzhen-health-2022-2025.yaml" in str(error.value)
    assert Target.objects.count() == before
    assert not Target.objects.filter(plan__code="shenzhen-health-2022-2025").exists()


def test_plan_status_is_derived_from_document_and_period():
    import datetime as dt

    from trackers.selectors import plan_list

    statuses = dict(plan_list(today=dt.date(2024, 6, 1)).values_list("code", "status"))
    assert statuses["chaozhou-biomed-2022-2025"] == Plan.Status.DRAFT
    assert statuses["guangdong-biomed-2021-2025"] == Plan.Status.IN_FORCE
    assert statuses["jiangmen-health-2016-2020"] == Plan.Status.EXPIRED


# The database owns the plans once loaded: loading again never loses or breaks what people did.

def load(capsys=None) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_plans", stdout=out)
    return out.getvalue()


def people_edits(client):
    """What people do between deploys: a new plan read, accepted and published; a figure approved
    and progress computed; a curated plan revised (a target changed, one removed, one added); a
    milestone recorded done."""
    import datetime as dt

    from django.utils import timezone

    from kpis.services import snapshots_recompute
    from tests.factories import UserFactory, submitter_for
    from tests.trackers.intake_helpers import add_hunan_and_yueyang, page_post, read_yueyang
    from tests.trackers.revision_helpers import accept_as_proposed, shenzhen_revision
    from trackers import roles
    from trackers.models import Milestone, PlanDraft
    from trackers.services.intake import plan_publish
    from trackers.services.milestones import milestone_complete

    reviewer = UserFactory(role=roles.REVIEWER)
    client.force_login(reviewer)
    add_hunan_and_yueyang(client)
    read_yueyang(client)
    plan_draft = PlanDraft.objects.get(plan__region__name="岳阳市")
    client.post(f"/intake/{plan_draft.pk}/accept/", page_post(plan_draft))
    plan_publish(user=reviewer, plan=plan_draft.plan)
    revenue = Target.objects.get(plan__code="shenzhen-health-2022-2025", key="revenue-2025")
    submitter, department = submitter_for(revenue)
    from tests.factories import ActualFactory

    ActualFactory(target=revenue, year=2023, value="800", submitter=submitter, department=department)
    snapshots_recompute(Target.objects.filter(plan__code="shenzhen-health-2022-2025"), timezone.localdate())
    accept_as_proposed(reviewer, shenzhen_revision(reviewer))
    milestone = Milestone.objects.filter(plan__code="guangzhou-health-elderly-2017-2020",
                                         lead_departments__isnull=False).order_by("key").first()
    milestone_complete(user=reviewer, milestone=milestone, completed_on=dt.date(2018, 11, 30), evidence="市政府公告")
    return plan_draft.plan, milestone


def state() -> dict:
    from kpis.models import ProgressSnapshot
    from trackers.models import (
        Actual,
        Department,
        DraftTarget,
        Indicator,
        Milestone,
        PlanRevision,
        Region,
    )

    return {
        "targets": sorted(Target.all_versions.values_list("pk", "key", "value", "valid_to")),
        "milestones": sorted(Milestone.objects.values_list("pk", "completed_on", "evidence")),
        "plans": sorted(Plan.objects.values_list("code", "title", "published_at")),
        "accepted": sorted(DraftTarget.objects.filter(status="accepted").values_list("pk", "accepted_target")),
        "regions": Region.objects.count(), "departments": Department.objects.count(),
        "indicators": Indicator.objects.count(), "actuals": Actual.objects.count(),
        "snapshots": ProgressSnapshot.objects.count(), "revisions": PlanRevision.objects.count(),
    }


def test_an_accepted_intake_target_survives_load_plans(client):
    """The regression of issue #13: accepting on /intake/, then loading the plans, lost the target
    and then failed with IntegrityError (draft_accepted_target_has_target)."""
    from trackers.models import DraftTarget

    yueyang, _milestone = people_edits(client)
    accepted = list(DraftTarget.objects.filter(status="accepted").values_list("pk", "accepted_target_id"))
    intake_targets = set(yueyang.targets.values_list("pk", flat=True))
    load()
    assert list(DraftTarget.objects.filter(status="accepted").values_list("pk", "accepted_target_id")) == accepted
    assert set(Plan.objects.get(pk=yueyang.pk).targets.values_list("pk", flat=True)) == intake_targets
    added = Target.objects.get(plan__code="shenzhen-health-2022-2025", value_text="8个")  # added by a revision
    assert added.origin == "intake"


def test_the_compose_migrate_command_twice_on_a_database_with_peoples_edits(client):
    """docker-compose.yml's migrate service: `migrate` then `load_plans`, on every deploy."""
    from django.core.management import call_command

    people_edits(client)
    before = state()
    outputs = []
    for _deploy in range(2):
        call_command("migrate", verbosity=0)
        outputs.append(load())
        assert state() == before
    revised = Target.objects.get(plan__code="shenzhen-health-2022-2025", key="revenue-2025")
    assert revised.value == 1300  # the revision stands: the fixture's 1200 did not come back
    assert not Target.objects.filter(plan__code="shenzhen-health-2022-2025", key="listed-companies-2025").exists()
    for output in outputs:
        assert "created 0, updated 0, retired 0, deleted 0" in output and "fixture changes not applied 0" in output


def test_a_fixture_change_is_applied_where_nobody_edited_and_reported_where_people_did(client, tmp_path):
    people_edits(client)
    fixtures = tmp_path / "fixtures"
    shutil.copytree(Path(settings.BASE_DIR) / "fixtures", fixtures, ignore=shutil.ignore_patterns("seeds"))
    path = fixtures / "plans" / "shenzhen-health-2022-2025.yaml"
    text = path.read_text("utf-8")
    text = text.replace("note: 产业总规模目标，无单一重点任务承担，不推断责任部门。", "note: 产业总规模目标（复核）。")
    text = re.sub(r"(  - key: industry-zones-2025\n(?:    .*\n)*?    note: >-\n)", r"\1      已复核。\n", text, count=1)
    path.write_text(text, "utf-8")

    report = plans_load(fixtures, settings.SEEDS_DIR)

    zones = Target.objects.get(plan__code="shenzhen-health-2022-2025", key="industry-zones-2025")
    assert zones.note.startswith("已复核。") and any("industry-zones-2025 (note)" in line for line in report.updated)
    revenue = Target.objects.get(plan__code="shenzhen-health-2022-2025", key="revenue-2025")
    assert revenue.value == 1300 and "复核" not in revenue.note  # people's revision is not overwritten...
    assert [line for line in report.conflicts if "revenue-2025" in line] == [  # ...and the change is reported
        "target shenzhen-health-2022-2025/revenue-2025: edited by people since it was loaded; "
        "the fixture's change (clause, value_text, value, note) was not applied"]
    assert any("plan shenzhen-health-2022-2025: edited by people" in line for line in report.kept)


def test_a_target_that_leaves_its_fixture_is_retired_not_deleted(tmp_path):
    import datetime as dt

    from django.utils import timezone

    from kpis.services import snapshots_recompute

    target = Target.objects.get(plan__code="shenzhen-health-2022-2025", key="industry-zones-2025")
    today = timezone.localdate()
    for day in (today - dt.timedelta(days=1), today):
        snapshots_recompute(Target.objects.filter(pk=target.pk), day)
    fixtures = tmp_path / "fixtures"
    shutil.copytree(Path(settings.BASE_DIR) / "fixtures", fixtures, ignore=shutil.ignore_patterns("seeds"))
    path = fixtures / "plans" / "shenzhen-health-2022-2025.yaml"
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"  - key: industry-zones-2025\n(?:    .*\n|\s*\n)*", "", text, count=1), "utf-8")

    report = plans_load(fixtures, settings.SEEDS_DIR)

    retired = Target.all_versions.get(pk=target.pk)
    assert retired.valid_to == today
    # Yesterday's progress stays (yesterday's report reads it); today's measured a retired version.
    assert list(retired.snapshots.values_list("as_of", flat=True)) == [today - dt.timedelta(days=1)]
    assert not Target.objects.filter(pk=target.pk).exists()
    assert any("industry-zones-2025: left the fixture" in line for line in report.retired)
