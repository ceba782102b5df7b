import pytest
from django.urls import reverse

from trackers.models import Plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["region", "department", "plan", "indicator", "target", "baseline", "milestone",
              "excludedpromise", "actual", "actualversion", "uploadjob"],
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
