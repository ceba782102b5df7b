import pytest
from django.urls import reverse

from trackers.models import Baseline, Milestone, Plan, Target

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["region", "department", "plan", "indicator", "target", "baseline", "milestone",
              "excludedpromise", "actual", "actualversion", "plandraft", "planrevision", "uploadjob",
              "notificationlog", "notificationpreferences"],
)
def test_every_changelist_opens_and_searches(admin_client, model):
    url = reverse(f"admin:trackers_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "广东"}).status_code == 200


def test_admin_speaks_chinese_by_default(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "站点管理" in html or "管理" in html
    assert "规划" in html  # our own verbose names are translated


def test_plan_page_shows_its_targets_inline(admin_client):
    plan = Plan.objects.get(code="shenzhen-health-2022-2025")
    html = admin_client.get(reverse("admin:trackers_plan_change", args=[plan.pk])).content.decode()
    assert "1200" in html


def test_plan_status_filter(admin_client):
    response = admin_client.get(reverse("admin:trackers_plan_changelist"), {"status": "draft"})
    assert [plan.code for plan in response.context["cl"].result_list] == ["chaozhou-biomed-2022-2025"]


PROMISES = {"plan": Plan, "target": Target, "milestone": Milestone, "baseline": Baseline}


@pytest.mark.parametrize("model", PROMISES)
def test_plans_and_their_promises_are_read_only_in_the_admin(admin_client, model):
    """They change through the services (intake, revisions, the loader, milestone completion),
    which keep their history and refresh who answers for them; the admin never writes them."""
    row = PROMISES[model]._base_manager.order_by("pk").first()
    change_url = reverse(f"admin:trackers_{model}_change", args=[row.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.post(change_url, {}).status_code == 403
    assert admin_client.get(reverse(f"admin:trackers_{model}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:trackers_{model}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert PROMISES[model]._base_manager.filter(pk=row.pk).exists()
    history = admin_client.get(reverse(f"admin:trackers_{model}_history", args=[row.pk]))
    assert history.status_code == 200


def test_milestone_completion_is_not_edited_in_the_admin(admin_client):
    milestone = Milestone.objects.order_by("pk").first()
    admin_client.post(reverse("admin:trackers_milestone_change", args=[milestone.pk]),
                      {"completed_on": "2019-01-01", "evidence": "x"})
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def test_the_target_list_shows_retired_versions_too(admin_client):
    target = Target.objects.order_by("pk").first()
    Target.all_versions.filter(pk=target.pk).update(valid_to="2025-01-01")
    response = admin_client.get(reverse("admin:trackers_target_changelist"), {"version": "retired"})
    assert [t.pk for t in response.context["cl"].result_list] == [target.pk]
